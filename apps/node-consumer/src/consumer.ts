// A plain Node consumer of an API protected by Maskinporten.
import type { MaskinportenClient, MaskinportenTokenOptions } from '@nav-auth/node';

/**
 * GETs `url` with a Maskinporten token for `scopes`. When the API answers 401 to a cached
 * token (revoked, or the API rotated its expectations), it gets a fresh token and tries once
 * more; never in a loop (catalogue F13).
 */
export async function getWithMaskinporten(
  maskinporten: MaskinportenClient,
  url: string,
  scopes: readonly string[],
  options: Omit<MaskinportenTokenOptions, 'forceRefresh'> = {},
): Promise<Response> {
  const call = async (forceRefresh: boolean) => {
    const { token } = await maskinporten.getToken(scopes, { ...options, forceRefresh });
    return fetch(url, { headers: { authorization: `Bearer ${token}` } });
  };
  const first = await call(false);
  if (first.status !== 401) return first;
  await first.body?.cancel();
  return call(true);
}
