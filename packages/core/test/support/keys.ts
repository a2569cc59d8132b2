import { generateKeyPairSync } from 'node:crypto';
import { generateSigningKey, importSigningKey, type SigningKey } from '../../src/index.js';

/** Test keys, generated once per file by node:crypto (not by the code under test). */
export function nodeRsaJwk(kid: string, modulusLength = 2048): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength });
  return { ...privateKey.export({ format: 'jwk' }), kid };
}

export function nodeEcJwk(kid: string, namedCurve = 'P-256'): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve });
  return { ...privateKey.export({ format: 'jwk' }), kid };
}

export async function testSigningKey(alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateJwk } = await generateSigningKey({ alg, kid: `test-${alg}` });
  return importSigningKey(privateJwk);
}
