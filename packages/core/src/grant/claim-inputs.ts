import { InvalidInputError } from '../error/nav-auth-error.js';
import { ISO6523_AUTHORITY, isValidOrganizationNumber, NORWEGIAN_ORG_ICD } from '../org/organization-number.js';

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

/** Converts an injected clock reading to a NumericDate (RFC 7519 §2), refusing invalid dates. */
export function toNumericDate(field: string, now: Date): number {
  const ms = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidInputError(field, 'must be a valid Date');
  return Math.floor(ms / 1000);
}

/** An RFC 9396 `authorization_details` entry asking Maskinporten for an Altinn system-user token. */
export interface SystemUserAuthorizationDetail {
  readonly type: 'urn:altinn:systemuser';
  readonly systemuser_org: { readonly authority: typeof ISO6523_AUTHORITY; readonly ID: string };
}

/** Builds the `authorization_details` that request a system-user token for a customer organisation. */
export function buildSystemUserAuthorizationDetails(field: string, customerOrg: string): readonly [SystemUserAuthorizationDetail] {
  const orgno = checkOrganizationNumber(field, customerOrg);
  return [{ type: 'urn:altinn:systemuser', systemuser_org: { authority: ISO6523_AUTHORITY, ID: `${NORWEGIAN_ORG_ICD}:${orgno}` } }];
}
