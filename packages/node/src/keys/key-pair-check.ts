import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { ConfigError, type PrivateJwk, toPublicJwk } from '@nav-auth/core';

const probe = Buffer.from('nav-auth key pair check');

/**
 * Signs a probe with the private members of `jwk` and verifies it with its public members,
 * when a client is created: a JWK whose halves belong to different keys would otherwise load
 * and then fail at the first token request, with a signature the server rejects. Throws a
 * {@link ConfigError} naming `variable`, never the key.
 */
export function assertKeyPairMatches(jwk: PrivateJwk, variable: string): void {
  let matches: boolean;
  try {
    const signature = sign('sha256', probe, { key: createPrivateKey({ key: { ...jwk }, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
    const publicKey = createPublicKey({ key: { ...toPublicJwk(jwk) }, format: 'jwk' });
    matches = verify('sha256', probe, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    matches = false;
  }
  if (!matches) throw new ConfigError([{ variable, reason: 'is not one key pair: its public members do not match its private ones' }]);
}
