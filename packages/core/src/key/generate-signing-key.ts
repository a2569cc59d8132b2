import { InvalidInputError } from '../error/nav-auth-error.js';
import { encodeBase64Url } from '../jws/base64url.js';
import { keyGenerationParams } from '../jws/webcrypto-algorithms.js';
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
 * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when `alg` is not one nav-auth signs with, `modulusLength` is not 2048, 3072 or 4096, or `kid` is empty.
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
  const { privateKey } = await crypto.subtle.generateKey(keyGenerationParams(options.alg, modulusLength), true, ['sign', 'verify']);
  // parsePrivateJwk keeps only the key material, kid, alg and use: never the runtime's ext or key_ops.
  const exported = await crypto.subtle.exportKey('jwk', privateKey);
  const kid = options.kid ?? (await jwkThumbprint(exported));
  const privateJwk = parsePrivateJwk({ ...exported, kid, alg: options.alg, use: 'sig' });
  return { privateJwk, publicJwk: toPublicJwk(privateJwk) };
}

/** The RFC 7638 SHA-256 thumbprint: the required public members, in lexicographic order, hashed. */
async function jwkThumbprint(jwk: { kty?: string; crv?: string; x?: string; y?: string; e?: string; n?: string }): Promise<string> {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(members)));
  return encodeBase64Url(new Uint8Array(digest));
}
