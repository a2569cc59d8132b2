import { ClaimValidationError, InvalidInputError } from '../error/nav-auth-error.js';
import { isUuid } from '../input/check-input.js';
import { REDACTED } from '../redaction/redacted-view.js';
import {
  assertGranted,
  type JwtPayload,
  type MatchMode,
  parseScopeClaim,
  readOptionalStringClaim,
  readStringArrayClaim,
  readStringClaim,
  validateAudience,
  validateIssuer,
  validateTimeClaims,
} from './jwt-claims.js';

/**
 * Typed claims of a validated Azure AD (Entra ID) v2 access token. Raw claim to field: `idtyp`
 * -> `kind`, `iss` -> `issuer`, `aud` -> `audience`, `tid` -> `tenantId`, `oid` -> `objectId`,
 * `sub` -> `subject`, `azp` -> `clientId`, `azp_name` -> `clientName`, `roles` -> `roles`, `scp`
 * -> `scopes`, `groups` (+ `_claim_names`, `hasgroups`) -> `groups` and `groupsOverage`,
 * `NAVident` -> `navIdent`, `name` -> `name`, `preferred_username` -> `preferredUsername`,
 * `iat`/`exp`/`nbf` -> `issuedAt`/`expiresAt`/`notBefore`; every claim as sent in `payload`.
 * Printing the claims (`JSON.stringify`, `console.log`, `util.inspect`) shows the personal
 * ones (`navIdent`, `name`, `preferredUsername`, `payload`) redacted; the properties read as usual.
 */
export interface AzureClaims {
  /** `idtyp`: `app` for machine tokens (`idtyp: "app"`), `user` for user and on-behalf-of tokens. */
  readonly kind: 'app' | 'user';
  /** `iss`, matched exactly against the expected issuer. */
  readonly issuer: string;
  /** `aud`, as a list. */
  readonly audience: readonly string[];
  /** `tid`: the tenant's GUID. */
  readonly tenantId: string;
  /** `oid`: the user's or application's object id in the tenant, stable across apps. */
  readonly objectId: string;
  /** `sub`: the subject, pairwise per application. */
  readonly subject: string;
  /** `azp`: the client id of the calling application. */
  readonly clientId: string;
  /** `azp_name`: the calling application's name, e.g. `dev-gcp:team:app`. */
  readonly clientName: string | undefined;
  readonly roles: readonly string[];
  /** `scp`, split into tokens (user tokens only). */
  readonly scopes: readonly string[];
  /**
   * Group object ids; `undefined` on a groups overage, when Azure left them out because the
   * user has too many: the membership is unknown, never an empty list that looks complete.
   */
  readonly groups: readonly string[] | undefined;
  /** True on a groups overage (`_claim_names.groups`, or `hasgroups`): resolve membership through Microsoft Graph. */
  readonly groupsOverage: boolean;
  /** `NAVident` of a NAV employee (user tokens). A personal id: never log it. */
  readonly navIdent: string | undefined;
  /** `name`: the user's display name (user tokens). Personal data: never log it. */
  readonly name: string | undefined;
  /** `preferred_username`: the user's sign-in name, e.g. an e-mail address (user tokens). Personal data: never log it. */
  readonly preferredUsername: string | undefined;
  /** `iat`, seconds since the epoch. */
  readonly issuedAt: number;
  /** `exp`, seconds since the epoch. */
  readonly expiresAt: number;
  /** `nbf`, seconds since the epoch. */
  readonly notBefore: number;
  /** The validated payload as the token carried it, for claims nav-auth does not map. Personal data: never log it. */
  readonly payload: JwtPayload;
}

/** The claims printing an {@link AzureClaims} shows redacted: personal data. */
const PERSONAL_FIELDS = ['navIdent', 'name', 'preferredUsername', 'payload'] as const;

function redactedView(claims: AzureClaims): Record<string, unknown> {
  const view: Record<string, unknown> = { ...claims };
  for (const field of PERSONAL_FIELDS) if (view[field] !== undefined) view[field] = REDACTED;
  return view;
}

/**
 * Shared by every {@link AzureClaims}: printing shows the personal fields redacted. On a
 * prototype, so a token's claims cost no more to make than a plain object.
 */
const redactingPrototype = {
  toJSON(this: AzureClaims) {
    return redactedView(this);
  },
  [Symbol.for('nodejs.util.inspect.custom')](this: AzureClaims) {
    return redactedView(this);
  },
  toString(this: AzureClaims) {
    return JSON.stringify(redactedView(this));
  },
};

/** Expectations for {@link validateAzureClaims}. */
export interface AzureClaimOptions {
  /**
   * `AZURE_OPENID_CONFIG_ISSUER`, matched exactly. For multi-tenant apps it may contain
   * `{tenantid}`, which is replaced by the token's `tid` (then `allowedTenantIds` is required).
   */
  readonly issuer: string;
  /** `AZURE_APP_CLIENT_ID` (or several accepted audiences). */
  readonly audience: string | readonly string[];
  /** The current time, from the caller's clock. */
  readonly now: Date;
  /** Allowed clock skew in seconds for `exp`, `nbf` and `iat` (default `DEFAULT_CLOCK_TOLERANCE_SECONDS`). */
  readonly clockToleranceSeconds?: number | undefined;
  /** Reject tokens whose `iat` is older than this many seconds (default: no limit). */
  readonly maxTokenAgeSeconds?: number | undefined;
  /** Tenants accepted when `issuer` is a `{tenantid}` template. */
  readonly allowedTenantIds?: readonly string[] | undefined;
  /** Accept only app (machine) tokens or only user tokens; default both. */
  readonly kind?: 'app' | 'user' | undefined;
}

const TENANT_PLACEHOLDER = '{tenantid}';

/**
 * Validates the claims of an Azure AD v2 access token whose signature is already verified:
 * exact `iss` and `aud`, time claims, `ver` 2.0, the claims Entra always sets (`sub oid tid
 * azp`), and the app/user split from `idtyp`: app tokens carry no `scp`, user tokens must
 * carry `scp`, so an ID token (neither `scp` nor `roles`) is never taken for an access token.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `issuer`, `audience` or a time option is malformed.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when a claim is missing, malformed, expired or not the expected one (`claim` and `reason` say which).
 *
 * @example
 * const claims = validateAzureClaims(payload, { issuer, audience: clientId, now: clock() });
 * assertRoles(claims, ['access_as_application']);
 */
export function validateAzureClaims(payload: JwtPayload, options: AzureClaimOptions): AzureClaims {
  const tenantId = readStringClaim(payload, 'tid');
  if (!isUuid(tenantId)) throw new ClaimValidationError('tid', 'invalid', 'must be a GUID');
  const issuer = validateIssuer(payload, expectedIssuer(options, tenantId));
  const audience = validateAudience(payload, options.audience);
  const times = validateTimeClaims(payload, {
    now: options.now,
    requireIssuedAt: true,
    requireNotBefore: true,
    clockToleranceSeconds: options.clockToleranceSeconds,
    maxTokenAgeSeconds: options.maxTokenAgeSeconds,
  });
  // B07: a v1 token (ver 1.0, sts.windows.net issuer) is a different token format.
  if (payload.ver !== '2.0') throw new ClaimValidationError('ver', payload.ver === undefined ? 'missing' : 'mismatch');

  const idtyp = payload.idtyp;
  if (idtyp !== undefined && idtyp !== 'app' && idtyp !== 'user') throw new ClaimValidationError('idtyp', 'invalid');
  const kind: AzureClaims['kind'] = idtyp === 'app' ? 'app' : 'user';
  const hasScp = payload.scp !== undefined;
  if (kind === 'app' && hasScp) throw new ClaimValidationError('scp', 'not_allowed', 'an app token carries no delegated scopes');
  if (kind === 'user' && !hasScp) throw new ClaimValidationError('scp', 'missing', 'a user access token carries scp');
  if (options.kind !== undefined && options.kind !== kind) throw new ClaimValidationError('idtyp', 'mismatch');

  const groupsOverage = hasGroupsOverage(payload);
  const claims: AzureClaims = Object.assign(Object.create(redactingPrototype) as object, {
    kind,
    issuer,
    audience,
    tenantId,
    objectId: readStringClaim(payload, 'oid'),
    subject: readStringClaim(payload, 'sub'),
    clientId: readStringClaim(payload, 'azp'),
    clientName: readOptionalStringClaim(payload, 'azp_name'),
    roles: readStringArrayClaim(payload, 'roles') ?? [],
    scopes: hasScp ? parseScopeClaim(payload, 'scp') : [],
    groups: groupsOverage ? undefined : (readStringArrayClaim(payload, 'groups') ?? []),
    groupsOverage,
    navIdent: readOptionalStringClaim(payload, 'NAVident'),
    name: readOptionalStringClaim(payload, 'name'),
    preferredUsername: readOptionalStringClaim(payload, 'preferred_username'),
    issuedAt: times.issuedAt as number,
    expiresAt: times.expiresAt,
    notBefore: times.notBefore as number,
    payload,
  });
  return claims;
}

function expectedIssuer(options: AzureClaimOptions, tenantId: string): string {
  if (!options.issuer.includes(TENANT_PLACEHOLDER)) return options.issuer;
  const allowed = options.allowedTenantIds;
  if (allowed === undefined || allowed.length === 0) {
    throw new InvalidInputError('allowedTenantIds', 'an issuer template with {tenantid} needs an allow-list of tenants');
  }
  if (!allowed.some((tenant) => tenant.toLowerCase() === tenantId.toLowerCase())) throw new ClaimValidationError('tid', 'not_allowed');
  return options.issuer.replace(TENANT_PLACEHOLDER, tenantId);
}

/**
 * An access token points at Graph with `_claim_names.groups` (and `_claim_sources`); an
 * implicit-flow token says `hasgroups: true`. Anything in `hasgroups` but `false` counts, so
 * an odd value fails closed.
 */
function hasGroupsOverage(payload: JwtPayload): boolean {
  const names = payload._claim_names;
  if (typeof names === 'object' && names !== null && Object.hasOwn(names, 'groups')) return true;
  return payload.hasgroups !== undefined && payload.hasgroups !== false;
}

/**
 * Requires app roles (`roles`) by exact match.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `required` is empty or holds an empty string.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when the token lacks the required roles (reason `insufficient`).
 */
export function assertRoles(claims: Pick<AzureClaims, 'roles'>, required: readonly string[], match: MatchMode = 'all'): void {
  assertGranted('roles', claims.roles, required, match);
}

/**
 * Requires delegated scopes (`scp`) by exact token match; app tokens never satisfy this.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `required` is empty or holds an empty string.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when the token lacks the required scopes (reason `insufficient`).
 */
export function assertScopes(claims: Pick<AzureClaims, 'scopes'>, required: readonly string[], match: MatchMode = 'all'): void {
  assertGranted('scp', claims.scopes, required, match);
}

/**
 * Requires group membership by object id. On a groups overage the answer is unknown, so it
 * fails closed (reason `overage`) rather than treating missing groups as none.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `required` is empty or holds an empty string.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when the required groups are not all (or, with `'any'`, none is) present, or on a groups overage (reason `overage`).
 */
export function assertGroups(
  claims: Pick<AzureClaims, 'groups' | 'groupsOverage'>,
  required: readonly string[],
  match: MatchMode = 'all',
): void {
  if (claims.groupsOverage || claims.groups === undefined)
    throw new ClaimValidationError('groups', 'overage', 'resolve group membership through Microsoft Graph');
  assertGranted('groups', claims.groups, required, match);
}
