import { checkOrganizationNumber } from '../input/check-input.js';
import { ISO6523_AUTHORITY, NORWEGIAN_ORG_ICD } from '../org/organization-number.js';

/** An RFC 9396 `authorization_details` entry asking Maskinporten for an Altinn system-user token. */
export interface SystemUserAuthorizationDetail {
  readonly type: 'urn:altinn:systemuser';
  readonly systemuser_org: { readonly authority: typeof ISO6523_AUTHORITY; readonly ID: string };
}

/**
 * Builds the `authorization_details` that request a system-user token for a customer organisation.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the organization number is not a valid Norwegian one.
 */
export function buildSystemUserAuthorizationDetails(field: string, customerOrg: string): readonly [SystemUserAuthorizationDetail] {
  const orgno = checkOrganizationNumber(field, customerOrg);
  return [{ type: 'urn:altinn:systemuser', systemuser_org: { authority: ISO6523_AUTHORITY, ID: `${NORWEGIAN_ORG_ICD}:${orgno}` } }];
}
