import { ClaimValidationError, InvalidInputError } from '../error/nav-auth-error.js';
import { REDACTED } from '../redaction/redacted-view.js';
import {
  type JwtPayload,
  readOptionalStringClaim,
  readStringArrayClaim,
  readStringClaim,
  validateAudience,
  validateIssuer,
  validateTimeClaims,
} from './jwt-claims.js';

/**
 * How strongly a citizen logged in to ID-porten: `high` (BankID, Buypass, Commfides; eIDAS
 * high, formerly Level4) or `substantial` (MinID; formerly Level3).
 */
export type LoginLevel = 'high' | 'substantial';

/**
 * `acr` values by login level, in both naming schemes: ID-porten's own, and the Level3/Level4
 * that tokendings still maps them to in TokenX tokens (nais/tokendings `SUBJECT_TOKEN_MAPPINGS`).
 */
const LOGIN_LEVELS: Readonly<Record<string, LoginLevel>> = {
  'idporten-loa-high': 'high',
  Level4: 'high',
  'idporten-loa-substantial': 'substantial',
  Level3: 'substantial',
};

/** The `acr` ID-porten uses for each level: what to ask the login proxy for (`/oauth2/login?level=`). */
export const IDPORTEN_ACR: Readonly<Record<LoginLevel, string>> = {
  high: 'idporten-loa-high',
  substantial: 'idporten-loa-substantial',
};

/** The login level an `acr` value stands for, or `undefined` for any other value. */
export function loginLevelOf(acr: unknown): LoginLevel | undefined {
  return typeof acr === 'string' && Object.hasOwn(LOGIN_LEVELS, acr) ? LOGIN_LEVELS[acr] : undefined;
}

/** Typed claims of a validated citizen token: an ID-porten access token, or a TokenX token made from one. */
export interface CitizenClaims {
  readonly issuer: string;
  readonly audience: readonly string[];
  /** `sub`, when present: a pairwise id, not the person. */
  readonly subject: string | undefined;
  /** `pid`: the citizen's fødselsnummer or d-nummer. A personal id: printing the claims shows it redacted; never log it. */
  readonly pid: string;
  /** From `acr`, in either naming scheme. */
  readonly loginLevel: LoginLevel;
  /** `acr` as the token has it (`idporten-loa-high`, `Level4`, ...). */
  readonly acr: string;
  /** `amr`: how the citizen authenticated (`BankID`, `MinID`, ...), when present. */
  readonly amr: readonly string[];
  /**
   * `client_id`: for a TokenX token the `cluster:namespace:app` that exchanged it (the caller);
   * for an ID-porten token the client the citizen logged in through (the login proxy's).
   */
  readonly clientId: string;
  /** `idp`: the issuer of the original token, which tokendings adds; `undefined` in an ID-porten token. */
  readonly idp: string | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly notBefore: number | undefined;
}

/** Claims of a validated ID-porten access token. */
export type IdportenClaims = CitizenClaims;

/** Claims of a validated TokenX token: `idp` is always there. */
export interface TokenXClaims extends CitizenClaims {
  readonly idp: string;
}

/** Expectations for {@link validateIdportenClaims} and {@link validateTokenXClaims}. */
export interface CitizenClaimOptions {
  /** `IDPORTEN_ISSUER` or `TOKEN_X_ISSUER`, matched exactly. */
  readonly issuer: string;
  /** `IDPORTEN_AUDIENCE` or `TOKEN_X_CLIENT_ID`. */
  readonly audience: string | readonly string[];
  /** The current time, from the caller's clock. */
  readonly now: Date;
  /** Allowed clock skew in seconds for `exp`, `nbf` and `iat` (default `DEFAULT_CLOCK_TOLERANCE_SECONDS`). */
  readonly clockToleranceSeconds?: number | undefined;
  /** Reject tokens whose `iat` is older than this many seconds (default: no limit). */
  readonly maxTokenAgeSeconds?: number | undefined;
  /**
   * The lowest login level accepted (default `'high'`, the login proxy's default):
   * `'substantial'` accepts both levels.
   */
  readonly requiredLoginLevel?: LoginLevel | undefined;
  /** Only tokens whose `client_id` is one of these (`cluster:namespace:app` for TokenX). */
  readonly allowedClients?: readonly string[] | undefined;
}

function checkAllowedClients(clients: readonly string[] | undefined): void {
  if (
    clients !== undefined &&
    (!Array.isArray(clients) || clients.length === 0 || !clients.every((c) => typeof c === 'string' && c !== ''))
  ) {
    // An empty list would let nobody in, and reads like "no restriction": both are mistakes.
    throw new InvalidInputError('allowedClients', 'must be one or more client ids; leave it out for no client restriction');
  }
}

/** A personal id: 11 digits (fødselsnummer, d-nummer, or a synthetic test id). */
const personalId = /^\d{11}$/;

/**
 * Printing a citizen's claims (`JSON.stringify`, `console.log`, `util.inspect`, string
 * interpolation) shows `pid` redacted. The methods live on a shared prototype, so a token's
 * claims cost no more to make than a plain object.
 */
const redactingPrototype = {
  toJSON(this: CitizenClaims) {
    return { ...this, pid: REDACTED };
  },
  [Symbol.for('nodejs.util.inspect.custom')](this: CitizenClaims) {
    return { ...this, pid: REDACTED };
  },
  toString(this: CitizenClaims) {
    return JSON.stringify(this);
  },
};

function validateCitizenClaims(payload: JwtPayload, options: CitizenClaimOptions, requireIdp: boolean): CitizenClaims {
  checkAllowedClients(options.allowedClients);
  const issuer = validateIssuer(payload, options.issuer);
  const audience = validateAudience(payload, options.audience);
  const times = validateTimeClaims(payload, {
    now: options.now,
    requireIssuedAt: true,
    clockToleranceSeconds: options.clockToleranceSeconds,
    maxTokenAgeSeconds: options.maxTokenAgeSeconds,
  });
  const pid = readStringClaim(payload, 'pid');
  if (!personalId.test(pid)) throw new ClaimValidationError('pid', 'invalid', 'must be an 11-digit personal id');
  const acr = readStringClaim(payload, 'acr');
  const loginLevel = loginLevelOf(acr);
  if (loginLevel === undefined) throw new ClaimValidationError('acr', 'invalid', 'is not an ID-porten login level');
  assertLoginLevel({ loginLevel }, options.requiredLoginLevel ?? 'high');
  // An access token names its client; an ID token, whose aud is also the client id, does not.
  const clientId = readStringClaim(payload, 'client_id');
  if (options.allowedClients !== undefined && !options.allowedClients.includes(clientId)) {
    throw new ClaimValidationError('client_id', 'not_allowed');
  }
  const idp = requireIdp ? readStringClaim(payload, 'idp') : readOptionalStringClaim(payload, 'idp');
  const claims: CitizenClaims = Object.assign(Object.create(redactingPrototype) as object, {
    issuer,
    audience,
    subject: readOptionalStringClaim(payload, 'sub'),
    pid,
    loginLevel,
    acr,
    amr: readStringArrayClaim(payload, 'amr') ?? [],
    clientId,
    idp,
    issuedAt: times.issuedAt as number,
    expiresAt: times.expiresAt,
    notBefore: times.notBefore,
  });
  return claims;
}

/**
 * Validates the claims of an ID-porten access token (as the login proxy forwards it) whose
 * signature is already verified: exact `iss` and `aud`, time claims, an 11-digit `pid`, an
 * `acr` at or above `requiredLoginLevel` (default high), and `client_id` (which an ID token
 * lacks), optionally from `allowedClients`.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `issuer`, `audience` or a time option is malformed.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when a claim is missing, malformed, expired or not the expected one (`claim` and `reason` say which).
 *
 * @example
 * const claims = validateIdportenClaims(payload, { issuer, audience: env.IDPORTEN_AUDIENCE, now: clock() });
 */
export function validateIdportenClaims(payload: JwtPayload, options: CitizenClaimOptions): IdportenClaims {
  return validateCitizenClaims(payload, options, false);
}

/**
 * Validates the claims of a TokenX token whose signature is already verified: as
 * {@link validateIdportenClaims}, with `aud` = `TOKEN_X_CLIENT_ID`, `acr` read in both naming
 * schemes (tokendings maps to Level3/Level4), and the `client_id` and `idp` tokendings adds.
 * `allowedClients` lists the `cluster:namespace:app` callers accepted: defence in depth
 * behind TokenX's own inbound access policy.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `issuer`, `audience` or a time option is malformed.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when a claim is missing, malformed, expired or not the expected one (`claim` and `reason` say which).
 */
export function validateTokenXClaims(payload: JwtPayload, options: CitizenClaimOptions): TokenXClaims {
  return validateCitizenClaims(payload, options, true) as TokenXClaims;
}

/**
 * Requires a login level: `'substantial'` is met by both levels, `'high'` only by high.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the required level is not a known login level.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when the token's login level is below the required one (reason `insufficient`).
 */
export function assertLoginLevel(claims: Pick<CitizenClaims, 'loginLevel'>, required: LoginLevel): void {
  if (required !== 'high' && required !== 'substantial') throw new InvalidInputError('required', "must be 'high' or 'substantial'");
  if (required === 'high' && claims.loginLevel !== 'high') {
    throw new ClaimValidationError('acr', 'insufficient', 'the route requires login level high');
  }
}
