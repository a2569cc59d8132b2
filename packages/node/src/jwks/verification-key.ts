import { createPublicKey, type KeyObject } from 'node:crypto';
import { type PublicJwk, parsePublicJwk } from '@nav-auth/core';

/** A public key ready for node:crypto, with what it may verify. */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly kty: 'RSA' | 'EC';
  /** The JWK's `alg`, when it names one: then only that algorithm may use the key (catalogue A03). */
  readonly alg: string | undefined;
  readonly keyObject: KeyObject;
  /** RSA modulus length in bytes (an RS/PS signature is exactly this long). */
  readonly modulusBytes: number;
}

/** Why a JWKS entry was skipped; for logs and metrics, never containing key material. */
export interface SkippedKey {
  readonly index: number;
  readonly reason: string;
}

/** The usable keys of a JWKS document, and the kids that appear more than once. */
export interface IngestedKeySet {
  readonly byKid: ReadonlyMap<string, VerificationKey>;
  readonly withoutKid: readonly VerificationKey[];
  /** Kids that appear more than once: tokens naming them are refused, never guessed (catalogue D05). */
  readonly ambiguousKids: ReadonlySet<string>;
  readonly skipped: readonly SkippedKey[];
  readonly size: number;
}

function toVerificationKey(jwk: PublicJwk): VerificationKey {
  const keyObject = createPublicKey({ key: { ...jwk } as import('node:crypto').JsonWebKey, format: 'jwk' });
  const modulusBits = jwk.kty === 'RSA' ? (keyObject.asymmetricKeyDetails?.modulusLength ?? 0) : 0;
  return { kid: jwk.kid, kty: jwk.kty, alg: jwk.alg, keyObject, modulusBytes: Math.ceil(modulusBits / 8) };
}

/**
 * Reads a JWKS document into verification keys, skipping what must not verify anything:
 * symmetric and unknown key types, `use` other than `sig`, `key_ops` without `verify`, RSA
 * under 2048 bits or with a bad exponent, ROCA moduli, curves other than P-256, points off
 * the curve and keys carrying private members (catalogue A11, D04, D06).
 */
export function ingestJwks(document: unknown, maxKeys = 100): IngestedKeySet {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TypeError('a JWKS has a "keys" array');
  const byKid = new Map<string, VerificationKey>();
  const withoutKid: VerificationKey[] = [];
  const ambiguousKids = new Set<string>();
  const skipped: SkippedKey[] = [];
  keys.slice(0, maxKeys).forEach((entry: unknown, index) => {
    const keyOps = (entry as { key_ops?: unknown } | null)?.key_ops;
    if (Array.isArray(keyOps) && !keyOps.includes('verify')) {
      skipped.push({ index, reason: 'key_ops lacks "verify"' });
      return;
    }
    let key: VerificationKey;
    try {
      key = toVerificationKey(parsePublicJwk(entry));
    } catch (error) {
      skipped.push({ index, reason: error instanceof Error ? error.message : 'unusable key' });
      return;
    }
    if (key.kid === undefined) withoutKid.push(key);
    else if (byKid.has(key.kid) || ambiguousKids.has(key.kid)) {
      byKid.delete(key.kid);
      ambiguousKids.add(key.kid);
    } else byKid.set(key.kid, key);
  });
  if (keys.length > maxKeys) skipped.push({ index: maxKeys, reason: `more than ${maxKeys} keys` });
  return { byKid, withoutKid, ambiguousKids, skipped, size: byKid.size + withoutKid.length };
}
