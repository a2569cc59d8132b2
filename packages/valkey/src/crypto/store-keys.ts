import { hkdfSync } from 'node:crypto';
import { ConfigError, encodeKeyFields } from '@nav-auth/core';

/** The three keys of one app's shared cache, each 32 bytes, never leaving the process. */
export interface StoreKeys {
  /** HMAC-SHA256 key that turns core's cache keys into storage keys. */
  readonly index: Buffer;
  /** AES-256-GCM key of the stored values. */
  readonly encryption: Buffer;
  /** HMAC-SHA256 key of the token tag that compare-and-delete matches in Lua. */
  readonly tokenTag: Buffer;
}

/** Where the keys come from: a configured secret, or the app's own private JWK. */
export interface StoreKeySource {
  readonly secret?: string | Uint8Array | undefined;
  readonly privateJwk?: object | string | undefined;
}

const SALT = 'nav-auth shared token cache v1';
const MIN_SECRET_BYTES = 32;

// RFC 7518 section 6.3.2 (RSA) and 6.2.2 (EC), RFC 8037 section 2 (OKP): the private members.
const PRIVATE_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi'],
  EC: ['crv', 'd'],
  OKP: ['crv', 'd'],
};

/**
 * Derives the store's keys with HKDF-SHA256 (RFC 5869), one `info` per key, from the secret or,
 * without one, from the private members of the app's JWK: every replica of an app holds the same
 * JWK, so no new secret has to be distributed, and a rotated credential gives new keys, so old
 * entries become misses. Throws a {@link ConfigError} (never carrying key material) when neither
 * is usable.
 */
export function deriveStoreKeys(source: StoreKeySource): StoreKeys {
  const material = keyMaterial(source);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', material, SALT, `nav-auth shared token cache: ${info}`, 32));
  return { index: derive('index key'), encryption: derive('encryption key'), tokenTag: derive('token tag key') };
}

function keyMaterial(source: StoreKeySource): Buffer {
  if (source.secret !== undefined) {
    const secret = typeof source.secret === 'string' ? Buffer.from(source.secret, 'utf8') : Buffer.from(source.secret);
    if (secret.length < MIN_SECRET_BYTES) throw problem('secret', `must be at least ${MIN_SECRET_BYTES} bytes`);
    return secret;
  }
  if (source.privateJwk !== undefined) return jwkKeyMaterial(source.privateJwk);
  throw problem('secret', 'or privateJwk is required: the shared cache encrypts its entries with a key derived from one of them');
}

/**
 * A canonical encoding of a JWK's private members (core's length-prefixed fields, in a fixed
 * order), so that two replicas reading the same key in any member order derive the same keys.
 */
export function jwkKeyMaterial(jwk: object | string): Buffer {
  let parsed: unknown = jwk;
  if (typeof jwk === 'string') {
    try {
      parsed = JSON.parse(jwk);
    } catch {
      throw problem('privateJwk', 'is not JSON');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw problem('privateJwk', 'must be a JWK object');
  const members = parsed as Record<string, unknown>;
  const kty = members.kty;
  const names = typeof kty === 'string' ? PRIVATE_MEMBERS[kty] : undefined;
  if (typeof kty !== 'string' || names === undefined) throw problem('privateJwk', 'must be an RSA, EC or OKP key');
  const d = members.d;
  // At least 32 bytes of private key: any RSA key, P-256 and up, Ed25519 and X25519.
  if (typeof d !== 'string' || !/^[A-Za-z0-9_-]{43,}$/.test(d)) throw problem('privateJwk', 'has no private key (member d)');
  const fields: (string | undefined)[] = [kty];
  for (const name of names) {
    const value = members[name];
    if (value !== undefined && typeof value !== 'string') throw problem('privateJwk', `member ${name} must be a string`);
    fields.push(value);
  }
  return Buffer.from(encodeKeyFields(fields), 'utf8');
}

function problem(variable: string, reason: string): ConfigError {
  return new ConfigError([{ variable, reason }]);
}
