const weights = [3, 2, 7, 6, 5, 4, 3, 2] as const;

/** ISO 6523 ICD for Norwegian organisation numbers, as used in `consumer.ID` and `systemuser_org.ID`. */
export const NORWEGIAN_ORG_ICD = '0192';

/** ISO 6523 authority name used by Maskinporten and Altinn for organisation identifiers. */
export const ISO6523_AUTHORITY = 'iso6523-actorid-upis';

/** True when `value` is a 9-digit Norwegian organisation number with a valid mod-11 check digit. */
export function isValidOrganizationNumber(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[0-9]{9}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(value[i]) * (weights[i] as number);
  const remainder = sum % 11;
  const check = remainder === 0 ? 0 : 11 - remainder;
  return check !== 10 && check === Number(value[8]);
}

/** Returns the organisation number inside an ISO 6523 identifier `0192:<orgno>`, or `undefined` if malformed. */
export function parseOrganizationIdentifier(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const prefix = `${NORWEGIAN_ORG_ICD}:`;
  if (!value.startsWith(prefix)) return undefined;
  const orgno = value.slice(prefix.length);
  return isValidOrganizationNumber(orgno) ? orgno : undefined;
}
