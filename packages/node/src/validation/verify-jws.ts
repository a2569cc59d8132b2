import { constants, verify } from 'node:crypto';
import { TokenValidationError } from '@nav-auth/core';
import type { KeySet } from '../jwks/key-set.js';
import type { VerificationKey } from '../jwks/verification-key.js';
import { type ParsedJws, type ParseJwsOptions, parseCompactJws } from './parse-compact-jws.js';

interface AlgorithmSpec {
  readonly hash: string;
  readonly kty: 'RSA' | 'EC';
  readonly pss: boolean;
}

const ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = {
  RS256: { hash: 'sha256', kty: 'RSA', pss: false },
  RS384: { hash: 'sha384', kty: 'RSA', pss: false },
  RS512: { hash: 'sha512', kty: 'RSA', pss: false },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true },
  ES256: { hash: 'sha256', kty: 'EC', pss: false },
};

/** Every algorithm the verifier can check. HS*, `none` and everything else are refused. */
export const VERIFIABLE_ALGORITHMS: readonly string[] = Object.keys(ALGORITHMS);

const invalidSignature = (detail: string) => new TokenValidationError('invalid_signature', detail);

/**
 * Checks a parsed JWS's signature with node:crypto: the key must fit the algorithm (RSA for
 * RS/PS, P-256 for ES256, the JWK's own `alg` when it has one; catalogue A02, A03), the
 * signature must have the exact length (modulus length; 64 bytes R||S for ES256; A07, A09),
 * and PSS uses a salt as long as the hash (RFC 7518 §3.5).
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export function verifySignature(jws: ParsedJws, key: VerificationKey): void {
  const spec = ALGORITHMS[jws.alg];
  if (spec === undefined) throw new TokenValidationError('unsupported_algorithm', 'alg is not supported');
  if (key.kty !== spec.kty || (key.alg !== undefined && key.alg !== jws.alg)) throw invalidSignature('the key does not fit the algorithm');
  const expectedLength = spec.kty === 'EC' ? 64 : key.modulusBytes;
  if (jws.signature.length !== expectedLength) throw invalidSignature('the signature has the wrong length');
  const data = Buffer.from(jws.signingInput, 'latin1');
  const ok =
    spec.kty === 'EC'
      ? verify(spec.hash, data, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, jws.signature)
      : verify(
          spec.hash,
          data,
          spec.pss
            ? { key: key.keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
            : { key: key.keyObject, padding: constants.RSA_PKCS1_PADDING },
          jws.signature,
        );
  if (!ok) throw invalidSignature('the signature does not verify');
}

/**
 * Options for {@link verifyCompactJws}.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export type VerifyJwsOptions = ParseJwsOptions & { readonly requireKid?: boolean };

/**
 * The synchronous part of verification: parse, and find the key when it is at hand without
 * I/O. Split out so the validator's hot path awaits nothing.
 */
export function parseForVerification(
  token: unknown,
  keys: KeySet,
  options: VerifyJwsOptions,
): { jws: ParsedJws; key: VerificationKey | undefined } {
  const jws = parseCompactJws(token, options);
  if (options.requireKid && jws.kid === undefined) throw new TokenValidationError('unknown_key', 'the token has no kid');
  return { jws, key: keys.peekKey(jws.kid) };
}

/**
 * Parses and verifies a compact JWS against a key set; returns it once its signature holds.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export async function verifyCompactJws(token: unknown, keys: KeySet, options: VerifyJwsOptions): Promise<ParsedJws> {
  const { jws, key } = parseForVerification(token, keys, options);
  verifySignature(jws, key ?? (await keys.getKey(jws.kid)));
  return jws;
}
