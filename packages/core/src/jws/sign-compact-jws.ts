import type { SigningKey } from '../key/signing-key.js';
import { encodeBase64Url, encodeBase64UrlText } from './base64url.js';
import { assertKeyFor, webCryptoAlgorithm } from './webcrypto-algorithms.js';

/** A JWS protected header as nav-auth emits it: never `jwk`, `jku` or `x5u` (RFC 8725 §3.10). */
export interface JwsHeader {
  readonly alg: SigningKey['alg'];
  readonly kid?: string;
  readonly typ?: string;
  readonly x5c?: readonly string[];
  readonly 'x5t#S256'?: string;
}

/**
 * Signs `payload` as a JWS compact serialization. The header is serialized in the given
 * member order, so RS256 output is bit-exact and reproducible (RFC 7520 §4.1). PS256 uses a
 * 32-byte salt and ES256 a 64-byte R||S signature (RFC 7518 §3.4-3.5), as WebCrypto does.
 *
 * @throws TypeError (as a rejection) when `header.alg` is not supported or `key` does not fit it: a programming error, so not a coded {@link NavAuthError}.
 */
export async function signCompactJws(header: JwsHeader, payload: Uint8Array, key: SigningKey): Promise<string> {
  const { signature } = webCryptoAlgorithm(header.alg);
  assertKeyFor(key.cryptoKey, header.alg, 'sign');
  const signingInput = `${encodeBase64UrlText(JSON.stringify(header))}.${encodeBase64Url(payload)}`;
  const signed = await crypto.subtle.sign(signature, key.cryptoKey, new TextEncoder().encode(signingInput));
  return `${signingInput}.${encodeBase64Url(new Uint8Array(signed))}`;
}
