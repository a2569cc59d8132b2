import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { InvalidInputError } from '../error/nav-auth-error.js';
import { type PrivateJwk, type PublicJwk, parsePrivateJwk, SIGNING_ALGORITHMS, type SigningAlgorithm, toPublicJwk } from './jwk.js';

/** Options for {@link generateSigningKey}. */
export interface GenerateSigningKeyOptions {
  readonly alg: SigningAlgorithm;
  /** Key id; defaults to the RFC 7638 SHA-256 thumbprint of the public key. */
  readonly kid?: string;
  /** RSA modulus length in bits (2048, 3072 or 4096; default 2048). Ignored for ES256. */
  readonly modulusLength?: 2048 | 3072 | 4096;
}

/** A freshly generated key pair as JWKs, each with `kid`, `alg` and `use: "sig"`. */
export interface GeneratedSigningKey {
  readonly privateJwk: PrivateJwk;
  readonly publicJwk: PublicJwk;
}

/**
 * Generates a signing key pair for client assertions or Maskinporten grants (seed 004).
 *
 * @example
 * const { privateJwk, publicJwk } = await generateSigningKey({ alg: 'PS256' });
 * const jwks = buildJwks([publicJwk]);
 */
export async function generateSigningKey(options: GenerateSigningKeyOptions): Promise<GeneratedSigningKey> {
  if (!SIGNING_ALGORITHMS.includes(options.alg)) {
    throw new InvalidInputError('alg', `must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
  }
  const modulusLength = options.modulusLength ?? 2048;
  if (![2048, 3072, 4096].includes(modulusLength)) throw new InvalidInputError('modulusLength', 'must be 2048, 3072 or 4096');
  if (options.kid !== undefined && options.kid.length === 0) throw new InvalidInputError('kid', 'must not be empty');
  const { privateKey } = await generateKeyPair(options.alg, { extractable: true, modulusLength });
  const exported = await exportJWK(privateKey);
  const kid = options.kid ?? (await calculateJwkThumbprint(exported, 'sha256'));
  const privateJwk = parsePrivateJwk({ ...exported, kid, alg: options.alg, use: 'sig' });
  return { privateJwk, publicJwk: toPublicJwk(privateJwk) };
}
