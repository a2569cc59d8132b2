/** Who asks the PDP, as far as its obligations care: read from the claims of the caller's Altinn token. */
export interface PdpCaller {
  /** The `urn:altinn:authlevel` claim, 0 to 4; `undefined` when it is missing or malformed. */
  readonly authenticationLevel: number | undefined;
  /** True when the token has an `urn:altinn:org` claim: the caller is an Altinn service owner. */
  readonly serviceOwner: boolean;
}

/**
 * Reads the caller from the claims of the Altinn token the Maskinporten exchange gave us.
 * Altinn writes the level as a number or a string (`3` for every Maskinporten login); anything
 * else leaves it `undefined`, which no level obligation accepts.
 */
export function parsePdpCaller(claims: unknown): PdpCaller {
  const record = typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : {};
  const raw = record['urn:altinn:authlevel'];
  const level = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-4]$/.test(raw) ? Number(raw) : undefined;
  const org = record['urn:altinn:org'];
  return {
    authenticationLevel: level !== undefined && Number.isInteger(level) && level >= 0 && level <= 4 ? level : undefined,
    serviceOwner: typeof org === 'string' && org.length > 0,
  };
}
