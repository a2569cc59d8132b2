import { ClaimValidationError } from '../error/nav-auth-error.js';
import { isUuid } from '../input/check-input.js';
import { ISO6523_AUTHORITY, parseOrganizationIdentifier } from '../org/organization-number.js';
import type { JwtPayload } from './jwt-claims.js';

/** The Altinn system user a Maskinporten token acts as (seed 003). */
export interface SystemUser {
  /** `systemuser_id[0]`: the system user's UUID. */
  readonly id: string;
  /** `system_id`: the vendor's system, e.g. `991825827_my_system`. */
  readonly systemId: string;
  /** The customer organisation number (from `systemuser_org.ID`, without `0192:`). */
  readonly customerOrg: string;
}

/** `type` of the RFC 9396 authorization detail that carries an Altinn system user. */
export const SYSTEM_USER_TYPE = 'urn:altinn:systemuser';

const CLAIM = 'authorization_details';

/**
 * Reads the Altinn system user from `authorization_details`, or `undefined` when the token
 * has no system-user entry. Anything ambiguous is an error, never a guess (catalogue C07):
 * not an array, two system-user entries, a `type` that differs only in case or whitespace,
 * `systemuser_id` not exactly one UUID, a malformed `systemuser_org`, or `ID` and `id` that
 * disagree.
 *
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when `authorization_details` is malformed or holds more than one system user (reason `ambiguous`).
 */
export function findSystemUser(payload: JwtPayload): SystemUser | undefined {
  const details = payload[CLAIM];
  if (details === undefined) return undefined;
  if (!Array.isArray(details)) throw new ClaimValidationError(CLAIM, 'invalid', 'must be an array (RFC 9396 §2)');
  const entries: Record<string, unknown>[] = [];
  for (const detail of details) {
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail) || typeof (detail as { type?: unknown }).type !== 'string') {
      throw new ClaimValidationError(CLAIM, 'invalid', 'every entry must be an object with a string "type"');
    }
    const type = (detail as { type: string }).type;
    if (type === SYSTEM_USER_TYPE) entries.push(detail as Record<string, unknown>);
    else if (type.trim().toLowerCase() === SYSTEM_USER_TYPE)
      throw new ClaimValidationError(CLAIM, 'ambiguous', 'a near-miss system-user type');
  }
  if (entries.length === 0) return undefined;
  if (entries.length > 1) throw new ClaimValidationError(CLAIM, 'ambiguous', 'more than one system-user entry');
  const entry = entries[0] as Record<string, unknown>;

  const ids = entry.systemuser_id;
  if (!Array.isArray(ids) || ids.length !== 1 || !isUuid(ids[0])) {
    throw new ClaimValidationError(`${CLAIM}.systemuser_id`, 'invalid', 'must hold exactly one UUID');
  }
  const systemId = entry.system_id;
  if (typeof systemId !== 'string' || systemId.length === 0) throw new ClaimValidationError(`${CLAIM}.system_id`, 'invalid');
  return { id: ids[0].toLowerCase(), systemId, customerOrg: readSystemUserOrg(entry.systemuser_org) };
}

function readSystemUserOrg(org: unknown): string {
  const claim = `${CLAIM}.systemuser_org`;
  if (typeof org !== 'object' || org === null || Array.isArray(org)) throw new ClaimValidationError(claim, 'invalid');
  const { authority, ID: upper, id: lower } = org as Record<string, unknown>;
  if (authority !== ISO6523_AUTHORITY) throw new ClaimValidationError(`${claim}.authority`, 'invalid');
  // Altinn documents both spellings; accept one at a time, and both only when they agree.
  if (upper !== undefined && lower !== undefined && upper !== lower) throw new ClaimValidationError(`${claim}.ID`, 'ambiguous');
  const orgno = parseOrganizationIdentifier(upper ?? lower);
  if (orgno === undefined) throw new ClaimValidationError(`${claim}.ID`, 'invalid', 'must be 0192: and a valid organisation number');
  return orgno;
}

/**
 * Like {@link findSystemUser}, but a token without a system user is an error (reason `missing`).
 *
 * @throws {@link NavAuthError} `ERR_CLAIM_VALIDATION` when the system-user detail is malformed (its ids or organization).
 */
export function parseSystemUser(payload: JwtPayload): SystemUser {
  const systemUser = findSystemUser(payload);
  if (systemUser === undefined) throw new ClaimValidationError(CLAIM, 'missing', 'no system-user entry');
  return systemUser;
}
