import { importJWK } from 'jose';
import { KeyError } from '../error/nav-auth-error.js';
import { type PrivateJwk, type PublicJwk, parsePrivateJwk, type SigningAlgorithm, toPublicJwk } from './jwk.js';

/** A private key ready to sign with: its algorithm, `kid` and public half. The key material stays inside WebCrypto. */
export interface SigningKey {
  readonly alg: SigningAlgorithm;
  readonly kid: string;
  readonly publicJwk: PublicJwk;
  /** Non-extractable WebCrypto key; nav-auth never exports it again. */
  readonly cryptoKey: CryptoKey;
}

/** Options for {@link importSigningKey}. */
export interface ImportSigningKeyOptions {
  /** Algorithm to sign with; defaults to the JWK's `alg`, else RS256 for RSA and ES256 for EC. */
  readonly alg?: SigningAlgorithm;
}

/**
 * Validates a private JWK (see {@link parsePrivateJwk}) and imports it for signing.
 *
 * @example
 * const key = await importSigningKey(config.clientJwk);
 * const grant = await buildMaskinportenGrant({ key, clientId, issuer, scopes, now: new Date(), jti });
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
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = (await importJWK({ ...parsed, alg, ext: false }, alg, { extractable: false })) as CryptoKey;
  } catch {
    // jose's message could quote the key; keep only our own words.
    throw new KeyError('import_failed', 'the private key is inconsistent and cannot be imported');
  }
  return Object.freeze({ alg, kid: parsed.kid as string, publicJwk: toPublicJwk({ ...parsed, alg } as PrivateJwk), cryptoKey });
}
