import { ClaimValidationError, InvalidInputError } from '../error/nav-auth-error.js';
import { ISO6523_AUTHORITY, isValidOrganizationNumber, parseOrganizationIdentifier } from '../org/organization-number.js';
import {
  assertGranted,
  type JwtPayload,
  parseScopeClaim,
  readAudience,
  readStringClaim,
  validateAudience,
  validateIssuer,
  validateTimeClaims,
} from './jwt-claims.js';
import { findSystemUser, type SystemUser } from './system-user.js';

/** Typed claims of a validated Maskinporten access token. */
export interface MaskinportenClaims {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** The consumer's organisation number (`consumer.ID` without `0192:`). */
  readonly consumerOrg: string;
  /** The supplier acting for the consumer, when the token was delegated. */
  readonly supplierOrg: string | undefined;
  /** `aud`, present only for audience-restricted tokens. */
  readonly audience: readonly string[] | undefined;
  readonly systemUser: SystemUser | undefined;
  readonly jti: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Expectations for {@link validateMaskinportenClaims}. */
export interface MaskinportenClaimOptions {
  /** `MASKINPORTEN_ISSUER`, matched exactly (test and production never mix, catalogue C04). */
  readonly issuer: string;
  /** Scopes the token must carry, all of them; without an audience, scope is what authorizes. */
  readonly requiredScopes: readonly string[];
  /** Require an audience-restricted token with this `aud` (tokens without `aud` are refused). */
  readonly audience?: string | undefined;
  /** Only these consumer organisation numbers are accepted. */
  readonly allowedConsumerOrgs?: readonly string[] | undefined;
  /** Require an Altinn system user in `authorization_details`. */
  readonly requireSystemUser?: boolean | undefined;
  /** The current time, from the caller's clock. */
  readonly now: Date;
  /** Allowed clock skew in seconds for `exp`, `nbf` and `iat` (default `DEFAULT_CLOCK_TOLERANCE_SECONDS`). */
  readonly clockToleranceSeconds?: number | undefined;
  /** Reject tokens whose `iat` is older than this many seconds (default: no limit). */
  readonly maxTokenAgeSeconds?: number | undefined;
}

/**
 * Validates the claims of a Maskinporten access token whose signature is already verified:
 * exact `iss`, the claims Maskinporten always sets (`iss exp iat scope client_id consumer
 * jti`), time claims, required scopes by exact token, `consumer` in Maskinporten's format,
 * the optional audience restriction and consumer allow-list, and the system user if any.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `issuer`, the required scopes or a time option is malformed.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when a claim is missing, malformed, expired, not the expected one or a scope is not granted (`claim` and `reason` say which).
 *
 * @example
 * const claims = validateMaskinportenClaims(payload, {
 *   issuer: 'https://maskinporten.no/', requiredScopes: ['nav:arbeid:some.scope.read'], now: clock(),
 * });
 */
export function validateMaskinportenClaims(payload: JwtPayload, options: MaskinportenClaimOptions): MaskinportenClaims {
  if (!Array.isArray(options.requiredScopes) || options.requiredScopes.length === 0) {
    throw new InvalidInputError('requiredScopes', 'at least one scope must be required');
  }
  const allowed = options.allowedConsumerOrgs;
  if (allowed !== undefined && (allowed.length === 0 || !allowed.every(isValidOrganizationNumber))) {
    throw new InvalidInputError('allowedConsumerOrgs', 'must be valid organisation numbers; leave it out to allow every consumer');
  }
  const issuer = validateIssuer(payload, options.issuer);
  const times = validateTimeClaims(payload, {
    now: options.now,
    requireIssuedAt: true,
    clockToleranceSeconds: options.clockToleranceSeconds,
    maxTokenAgeSeconds: options.maxTokenAgeSeconds,
  });
  const clientId = readStringClaim(payload, 'client_id');
  const jti = readStringClaim(payload, 'jti');
  const scopes = parseScopeClaim(payload, 'scope');
  assertGranted('scope', scopes, options.requiredScopes, 'all');
  const audience = options.audience === undefined ? readAudience(payload) : validateAudience(payload, options.audience);

  const consumerOrg = readOrganization(payload, 'consumer', true) as string;
  if (allowed !== undefined && !allowed.includes(consumerOrg)) throw new ClaimValidationError('consumer', 'not_allowed');
  const supplierOrg = readOrganization(payload, 'supplier', false);
  const systemUser = findSystemUser(payload);
  if (options.requireSystemUser === true && systemUser === undefined) {
    throw new ClaimValidationError('authorization_details', 'missing', 'no system-user entry');
  }
  return {
    issuer,
    clientId,
    scopes,
    consumerOrg,
    supplierOrg,
    audience,
    systemUser,
    jti,
    issuedAt: times.issuedAt as number,
    expiresAt: times.expiresAt,
  };
}

/** Reads `{authority: "iso6523-actorid-upis", ID: "0192:<orgno>"}` exactly as Maskinporten writes it (catalogue C06). */
function readOrganization(payload: JwtPayload, claim: 'consumer' | 'supplier', required: boolean): string | undefined {
  const value = payload[claim];
  if (value === undefined) {
    if (required) throw new ClaimValidationError(claim, 'missing');
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ClaimValidationError(claim, 'invalid');
  const { authority, ID } = value as Record<string, unknown>;
  if (authority !== ISO6523_AUTHORITY) throw new ClaimValidationError(`${claim}.authority`, 'invalid');
  const orgno = parseOrganizationIdentifier(ID);
  if (orgno === undefined) throw new ClaimValidationError(`${claim}.ID`, 'invalid', 'must be 0192: and a valid organisation number');
  return orgno;
}
