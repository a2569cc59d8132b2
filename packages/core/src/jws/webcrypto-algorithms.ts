import type { SigningAlgorithm } from '../key/jwk.js';

/**
 * The runtime's WebCrypto `CryptoKey`, named through `crypto.subtle` so the type resolves both
 * with the DOM lib (core's own build) and with only `@types/node` (packages that compile core's
 * source, and apps reading its declarations), where there is no global `CryptoKey` type.
 */
export type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** Key parameters, for `importKey` and `generateKey`; an imported key's `algorithm` shows the same. */
export type WebCryptoKeyParams = RsaKeyParams | EcKeyParams;
interface RsaKeyParams {
  readonly name: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS';
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
}
interface EcKeyParams {
  readonly name: 'ECDSA';
  readonly namedCurve: 'P-256';
}

/** One JWS algorithm (RFC 7518 §3.3-3.5) in WebCrypto's terms. */
export interface WebCryptoAlgorithm {
  readonly key: WebCryptoKeyParams;
  /** For `sign` and `verify`. */
  readonly signature: { readonly name: string; readonly saltLength?: number; readonly hash?: string };
}

const pkcs1 = (hash: 'SHA-256' | 'SHA-384' | 'SHA-512'): WebCryptoAlgorithm => ({
  key: { name: 'RSASSA-PKCS1-v1_5', hash },
  signature: { name: 'RSASSA-PKCS1-v1_5' },
});

const ALGORITHMS: Readonly<Record<SigningAlgorithm, WebCryptoAlgorithm>> = {
  RS256: pkcs1('SHA-256'),
  RS384: pkcs1('SHA-384'),
  RS512: pkcs1('SHA-512'),
  // RFC 7518 §3.5: the salt is as long as the hash.
  PS256: { key: { name: 'RSA-PSS', hash: 'SHA-256' }, signature: { name: 'RSA-PSS', saltLength: 32 } },
  // RFC 7518 §3.4: WebCrypto's ECDSA signature already is the 64-byte R||S JWS wants, not DER.
  ES256: { key: { name: 'ECDSA', namedCurve: 'P-256' }, signature: { name: 'ECDSA', hash: 'SHA-256' } },
};

const MIN_RSA_BITS = 2048;

/** WebCrypto's parameters for `alg`; a TypeError for anything outside {@link SigningAlgorithm}. */
export function webCryptoAlgorithm(alg: SigningAlgorithm): WebCryptoAlgorithm {
  if (typeof alg !== 'string' || !Object.hasOwn(ALGORITHMS, alg)) throw new TypeError(`alg ${String(alg)} is not supported`);
  return ALGORITHMS[alg];
}

/** `generateKey` parameters for `alg`: RSA with exponent 65537 and `modulusLength` bits, or P-256. */
export function keyGenerationParams(
  alg: SigningAlgorithm,
  modulusLength: number,
): EcKeyParams | (RsaKeyParams & { readonly modulusLength: number; readonly publicExponent: Uint8Array<ArrayBuffer> }) {
  const { key } = webCryptoAlgorithm(alg);
  return 'namedCurve' in key ? key : { ...key, modulusLength, publicExponent: new Uint8Array([1, 0, 1]) };
}

/**
 * Throws a TypeError unless `cryptoKey` is a key for `alg` allowed to `usage`. WebCrypto
 * checks only the algorithm name: it would sign "RS384" with an RS256 key's SHA-256.
 */
export function assertKeyFor(cryptoKey: WebCryptoKey, alg: SigningAlgorithm, usage: 'sign' | 'verify'): void {
  const { key: expected } = webCryptoAlgorithm(alg);
  const actual = cryptoKey.algorithm as { name: string; hash?: { name: string }; namedCurve?: string; modulusLength?: number };
  const unusable = (what: string, value: string) =>
    new TypeError(`CryptoKey does not support this operation, its ${what} must be ${value}`);
  if (actual.name !== expected.name) throw unusable('algorithm.name', expected.name);
  if ('hash' in expected && actual.hash?.name !== expected.hash) throw unusable('algorithm.hash', expected.hash);
  if ('namedCurve' in expected && actual.namedCurve !== expected.namedCurve) {
    throw unusable('algorithm.namedCurve', expected.namedCurve);
  }
  if (!cryptoKey.usages.includes(usage)) {
    throw new TypeError(`CryptoKey does not support this operation, its usages must include ${usage}`);
  }
  if ('hash' in expected && !((actual.modulusLength ?? 0) >= MIN_RSA_BITS)) {
    throw new TypeError(`${alg} requires key modulusLength to be ${MIN_RSA_BITS} bits or larger`);
  }
}
