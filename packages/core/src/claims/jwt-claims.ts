import { ClaimValidationError, InvalidInputError } from '../error/nav-auth-error.js';
import { toEpochSeconds } from '../input/check-input.js';

/** A decoded, signature-verified JWT payload: untrusted shape until validated. */
export type JwtPayload = Readonly<Record<string, unknown>>;

/** Default clock skew in seconds: small, as RFC 8725 advises; Maskinporten itself allows 10 s. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 10;

/** Expectations for {@link validateTimeClaims}. */
export interface TimeClaimOptions {
  /** The current time, from the caller's clock. */
  readonly now: Date;
  /** Allowed clock skew in seconds (default 10); finite and not negative. */
  readonly clockToleranceSeconds?: number | undefined;
  /** Reject tokens whose `iat` is older than this many seconds. */
  readonly maxTokenAgeSeconds?: number | undefined;
  /** Require `iat` (default true). */
  readonly requireIssuedAt?: boolean | undefined;
  /** Require `nbf` (default false). */
  readonly requireNotBefore?: boolean | undefined;
}

/** The validated time claims, as NumericDates (seconds since the epoch). */
export interface TimeClaims {
  readonly expiresAt: number;
  readonly issuedAt: number | undefined;
  readonly notBefore: number | undefined;
}

const MAX_NUMERIC_DATE = Number.MAX_SAFE_INTEGER;

function readNumericDate(payload: JwtPayload, claim: string, required: boolean): number | undefined {
  const value = payload[claim];
  if (value === undefined) {
    if (required) throw new ClaimValidationError(claim, 'missing');
    return undefined;
  }
  // RFC 7519 §2: a JSON number; not a string, boolean, NaN, Infinity or negative.
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_NUMERIC_DATE) {
    throw new ClaimValidationError(claim, 'invalid', 'must be a non-negative NumericDate');
  }
  return value;
}

function checkSeconds(field: string, value: number | undefined): number | undefined {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new InvalidInputError(field, 'must be a finite, non-negative number of seconds');
  }
  return value;
}

/** Why time claims are refused at some moment: the claim and the reason. */
export type TimeClaimRefusal = readonly [
  claim: 'exp' | 'nbf' | 'iat',
  reason: 'expired' | 'not_yet_valid' | 'issued_in_future' | 'too_old',
];

/**
 * The first time rule that refuses `times` at `nowSeconds`, or `undefined` when all hold. One
 * rule for a token checked afresh and one remembered from an earlier check, so the two can
 * never disagree. `skewSeconds` and `maxAgeSeconds` are assumed checked.
 */
export function timeClaimRefusal(
  times: TimeClaims,
  nowSeconds: number,
  skewSeconds: number,
  maxAgeSeconds: number | undefined,
): TimeClaimRefusal | undefined {
  if (nowSeconds >= times.expiresAt + skewSeconds) return ['exp', 'expired'];
  if (times.notBefore !== undefined && times.notBefore > nowSeconds + skewSeconds) return ['nbf', 'not_yet_valid'];
  if (times.issuedAt !== undefined) {
    if (times.issuedAt > nowSeconds + skewSeconds) return ['iat', 'issued_in_future'];
    if (maxAgeSeconds !== undefined && nowSeconds - times.issuedAt > maxAgeSeconds + skewSeconds) return ['iat', 'too_old'];
  }
  return undefined;
}

/**
 * Checks `exp` (required; rejected from `exp` on, RFC 7519 §4.1.4), `nbf` (rejected when in
 * the future beyond the skew, §4.1.5), `iat` (not in the future, optionally not too old,
 * §4.1.6), all as strict NumericDates.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `now`, the clock tolerance or the maximum age is malformed.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when the token has expired, is not yet valid, was issued in the future or is too old.
 */
export function validateTimeClaims(payload: JwtPayload, options: TimeClaimOptions): TimeClaims {
  const now = toEpochSeconds(options.now);
  const skew = checkSeconds('clockToleranceSeconds', options.clockToleranceSeconds) ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const maxAge = checkSeconds('maxTokenAgeSeconds', options.maxTokenAgeSeconds);
  const times: TimeClaims = {
    expiresAt: readNumericDate(payload, 'exp', true) as number,
    notBefore: readNumericDate(payload, 'nbf', options.requireNotBefore ?? false),
    issuedAt: readNumericDate(payload, 'iat', options.requireIssuedAt ?? true),
  };
  const refusal = timeClaimRefusal(times, now, skew, maxAge);
  if (refusal !== undefined) throw new ClaimValidationError(...refusal);
  if (times.issuedAt !== undefined && times.expiresAt < times.issuedAt) throw new ClaimValidationError('exp', 'invalid', 'is before iat');
  return times;
}

/**
 * Checks that `iss` is exactly `expected` (no normalization, no trailing-slash leniency).
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the expected issuer is empty.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when `iss` is missing or not exactly the expected issuer.
 */
export function validateIssuer(payload: JwtPayload, expected: string): string {
  if (typeof expected !== 'string' || expected.length === 0) throw new InvalidInputError('issuer', 'must be a non-empty string');
  const iss = payload.iss;
  if (iss === undefined) throw new ClaimValidationError('iss', 'missing');
  if (typeof iss !== 'string') throw new ClaimValidationError('iss', 'invalid');
  if (iss !== expected) throw new ClaimValidationError('iss', 'mismatch');
  return iss;
}

/**
 * Checks that `aud` names one of the expected audiences: a string equal to one, or a
 * non-empty array of strings containing one (RFC 7519 §4.1.3). Returns the audiences.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the expected audience is empty.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when `aud` is missing (reason `missing`) or holds none of the expected audiences (reason `mismatch`).
 */
export function validateAudience(payload: JwtPayload, expected: string | readonly string[]): readonly string[] {
  const wanted = typeof expected === 'string' ? [expected] : expected;
  if (!Array.isArray(wanted) || wanted.length === 0 || !wanted.every((a) => typeof a === 'string' && a.length > 0)) {
    // An empty expected audience must never match a missing one (CVE-2020-26160).
    throw new InvalidInputError('audience', 'must be one or more non-empty strings');
  }
  const audiences = readAudience(payload);
  if (audiences === undefined) throw new ClaimValidationError('aud', 'missing');
  if (!audiences.some((aud) => wanted.includes(aud))) throw new ClaimValidationError('aud', 'mismatch');
  return audiences;
}

/**
 * Reads `aud` as a list, or `undefined` when absent; rejects `null`, `[]` and non-string members.
 *
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when `aud` is `null`, `[]` or holds a non-string member.
 */
export function readAudience(payload: JwtPayload): readonly string[] | undefined {
  const aud = payload.aud;
  if (aud === undefined) return undefined;
  if (typeof aud === 'string' && aud.length > 0) return [aud];
  if (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string' && a.length > 0)) return aud as string[];
  throw new ClaimValidationError('aud', 'invalid', 'must be a non-empty string or a non-empty array of strings');
}

/**
 * Checks that every named claim is present (not `undefined` or `null`).
 *
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when a required claim is missing (reason `missing`).
 */
export function validateRequiredClaims(payload: JwtPayload, claims: readonly string[]): void {
  for (const claim of claims) {
    if (payload[claim] === undefined || payload[claim] === null) throw new ClaimValidationError(claim, 'missing');
  }
}

/** Reads a claim that must be a non-empty string. */
export function readStringClaim(payload: JwtPayload, claim: string): string {
  const value = payload[claim];
  if (value === undefined) throw new ClaimValidationError(claim, 'missing');
  if (typeof value !== 'string' || value.length === 0) throw new ClaimValidationError(claim, 'invalid', 'must be a non-empty string');
  return value;
}

/** Reads an optional claim that, when present, must be a non-empty string. */
export function readOptionalStringClaim(payload: JwtPayload, claim: string): string | undefined {
  return payload[claim] === undefined ? undefined : readStringClaim(payload, claim);
}

/**
 * Splits a space-delimited scope claim (`scope` or `scp`) into exact tokens (RFC 8693 §4.2).
 * Empty tokens (double, leading or trailing spaces) and other whitespace are malformed.
 *
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when the scope claim is not a space-separated string of scopes.
 */
export function parseScopeClaim(payload: JwtPayload, claim: 'scope' | 'scp'): readonly string[] {
  const value = readStringClaim(payload, claim);
  const tokens = value.split(' ');
  if (tokens.some((token) => token.length === 0 || /\s/.test(token))) {
    throw new ClaimValidationError(claim, 'invalid', 'must be scope tokens separated by single spaces');
  }
  return tokens;
}

/** Reads a claim that must be an array of non-empty strings (`roles`, `groups`). */
export function readStringArrayClaim(payload: JwtPayload, claim: string): readonly string[] | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new ClaimValidationError(claim, 'invalid', 'must be an array of non-empty strings');
  }
  return value as string[];
}

/** How several required values are matched: all of them, or at least one. */
export type MatchMode = 'all' | 'any';

/**
 * Checks granted values (scopes, roles, groups) against required ones by exact string
 * equality: never substring, prefix or case-insensitive matching.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `required` is empty or holds an empty string.
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when the granted values do not cover `required` (reason `insufficient`).
 */
export function assertGranted(claim: string, granted: readonly string[], required: readonly string[], match: MatchMode = 'all'): void {
  if (!Array.isArray(required) || required.length === 0) throw new InvalidInputError(claim, 'at least one required value must be given');
  const ok = match === 'all' ? required.every((value) => granted.includes(value)) : required.some((value) => granted.includes(value));
  if (!ok) throw new ClaimValidationError(claim, 'insufficient');
}
