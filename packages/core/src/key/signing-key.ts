import { KeyError } from '../error/nav-auth-error.js';
import { type WebCryptoKey, webCryptoAlgorithm } from '../jws/webcrypto-algorithms.js';
import { type PrivateJwk, type PublicJwk, parsePrivateJwk, type SigningAlgorithm, toPublicJwk } from './jwk.js';

/** A private key ready to sign with: its algorithm, `kid` and public half. The key material stays inside WebCrypto. */
export interface SigningKey {
  readonly alg: SigningAlgorithm;
  readonly kid: string;
  readonly publicJwk: PublicJwk;
  /** Non-extractable WebCrypto key; nav-auth never exports it again. */
  readonly cryptoKey: WebCryptoKey;
}

/** Options for {@link importSigningKey}. */
export interface ImportSigningKeyOptions {
  /** Algorithm to sign with; defaults to the JWK's `alg`, else RS256 for RSA and ES256 for EC. */
  readonly alg?: SigningAlgorithm;
}

/**
 * Validates a private JWK (see {@link parsePrivateJwk}) and imports it for signing.
 *
 * @throws {@link NavAuthError} rejects with `ERR_KEY` when the JWK is refused (see {@link parsePrivateJwk}), its `alg` is not `options.alg` or does not fit its type, or WebCrypto cannot import it or its halves do not match (reason `import_failed`).
 *
 * @example
 * const key = await importSigningKey(config.clientJwk);
 * const grant = await buildMaskinportenGrant({ key, clientId, issuer, scopes, now: clock(), jti });
 */
export async function importSigningKey(jwk: unknown, options: ImportSigningKeyOptions = {}): Promise<SigningKey> {
  const parsed: PrivateJwk = parsePrivateJwk(jwk, { requireKid: true });
  const alg = options.alg ?? parsed.alg ?? (parsed.kty === 'EC' ? 'ES256' : 'RS256');
  if (parsed.alg !== undefined && parsed.alg !== alg) {
    throw new KeyError('unsupported_algorithm', `the key is for ${parsed.alg}, not ${alg}`);
  }
  if ((parsed.kty === 'EC') !== (alg === 'ES256')) {
    throw new KeyError('unsupported_algorithm', `${alg} does not fit a key of type ${parsed.kty}`);
  }
  const publicJwk = toPublicJwk({ ...parsed, alg } as PrivateJwk);
  let cryptoKey: WebCryptoKey;
  try {
    const { key: params } = webCryptoAlgorithm(alg);
    cryptoKey = await crypto.subtle.importKey('jwk', { ...parsed, alg, ext: false }, params, false, ['sign']);
    await assertPairwiseConsistent(cryptoKey, publicJwk, alg);
  } catch {
    // The runtime's message could quote the key; keep only our own words.
    throw new KeyError('import_failed', 'the private key cannot be imported or does not match its public members');
  }
  return Object.freeze({ alg, kid: parsed.kid as string, publicJwk, cryptoKey });
}

const probe = new TextEncoder().encode('nav-auth pairwise consistency check');

/**
 * Signs a probe and verifies it with the public members. RSA signing uses the CRT values
 * and ignores `n` and `d`, so a JWK whose public half belongs to another key would import
 * fine and then sign assertions no verifier accepts; this finds it on load instead.
 */
async function assertPairwiseConsistent(privateKey: WebCryptoKey, publicJwk: PublicJwk, alg: SigningAlgorithm): Promise<void> {
  const { key: params, signature } = webCryptoAlgorithm(alg);
  const publicKey = await crypto.subtle.importKey('jwk', { ...publicJwk }, params, true, ['verify']);
  const signed = await crypto.subtle.sign(signature, privateKey, probe);
  if (!(await crypto.subtle.verify(signature, publicKey, signed, probe))) throw new Error('pairwise consistency check failed');
}
