import { InvalidInputError } from '../error/nav-auth-error.js';
import { isValidOrganizationNumber } from '../org/organization-number.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Checks a list of scope tokens (non-empty, RFC 6749 §3.3 characters, no duplicates) and returns it. */
export function checkScopeList(field: string, scopes: readonly string[]): readonly string[] {
  if (!Array.isArray(scopes) || scopes.length === 0) throw new InvalidInputError(field, 'at least one scope is required');
  const seen = new Set<string>();
  scopes.forEach((scope, index) => {
    if (typeof scope !== 'string' || !scopeToken.test(scope)) {
      throw new InvalidInputError(`${field}[${index}]`, 'a scope is one or more visible ASCII characters except " and \\ (RFC 6749 §3.3)');
    }
    if (seen.has(scope)) throw new InvalidInputError(`${field}[${index}]`, 'duplicate scope');
    seen.add(scope);
  });
  return scopes;
}

/** Checks that `value` is a non-empty string without surrounding whitespace. */
export function checkNonEmpty(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.trim() !== value) {
    throw new InvalidInputError(field, 'must be a non-empty string without surrounding whitespace');
  }
  return value;
}

/** Checks an absolute URI without fragment, as RFC 8707 §2 requires of `resource`. */
export function checkAbsoluteUri(field: string, value: unknown): string {
  const text = checkNonEmpty(field, value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError(field, 'must be an absolute URI');
  }
  if (url.hash !== '' || text.includes('#')) throw new InvalidInputError(field, 'must not contain a fragment');
  return text;
}

/** Checks a 9-digit organisation number with a valid mod-11 check digit. */
export function checkOrganizationNumber(field: string, value: unknown): string {
  if (!isValidOrganizationNumber(value)) {
    throw new InvalidInputError(field, 'must be a 9-digit organisation number with a valid mod-11 check digit');
  }
  return value;
}

/** Checks a whole number of seconds within `[1, max]`. */
export function checkLifetime(field: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidInputError(field, `must be a whole number of seconds from 1 to ${max}`);
  }
  return value;
}

/** Reads an injected clock as fractional seconds since the epoch, refusing an invalid or pre-epoch Date. */
export function toEpochSeconds(now: Date): number {
  const ms = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidInputError('now', 'must be a valid Date');
  return ms / 1000;
}

/** Reads an injected clock as a whole NumericDate (RFC 7519 §2), for `iat` of what we sign. */
export function toNumericDate(now: Date): number {
  return Math.floor(toEpochSeconds(now));
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID (or GUID) in its canonical 8-4-4-4-12 hex form, either case. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}
