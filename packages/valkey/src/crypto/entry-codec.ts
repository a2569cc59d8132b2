import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SharedToken } from '@nav-auth/node';
import type { StoreKeys } from './store-keys.js';

/** Why a stored value was not accepted: each is a miss to the caller and an event for operators. */
export type DecryptFailure =
  /** Larger than `maxValueBytes`. */
  | 'oversize'
  /** Not `<tag>.<base64url>`, or the plaintext is not the expected JSON. */
  | 'malformed'
  /** GCM authentication failed: another key (another app, a rotated credential) or another storage key (AAD). */
  | 'authentication'
  /** A payload version this release does not read. */
  | 'version'
  /** The token tag before the ciphertext does not belong to the token inside it. */
  | 'token_mismatch';

/** The result of opening a stored value. */
export type OpenedEntry = { readonly ok: true; readonly token: SharedToken } | { readonly ok: false; readonly reason: DecryptFailure };

/** Storage keys and values of one app's entries (see {@link createEntryCodec}). */
export interface EntryCodec {
  /** `<namespace>:v1:<base64url HMAC-SHA256(k_index, key)>`. */
  entryKey(key: string): string;
  /** `<namespace>:v1:lock:<the same HMAC>`. */
  lockKey(key: string): string;
  /** The token tag: base64url HMAC-SHA256(k_tag, accessToken). */
  tokenTag(accessToken: string): string;
  /** `<token tag>.<base64url(nonce || ciphertext || GCM tag)>`, the storage key as associated data. */
  seal(entryKey: string, token: SharedToken): string;
  /** Opens a value {@link seal} made for `entryKey`. */
  open(entryKey: string, value: string, maxValueBytes: number): OpenedEntry;
}

const NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;
const TAG_LENGTH = 43;
const base64Url = /^[A-Za-z0-9_-]+$/;

/**
 * Keys and values as the shared tier stores them. Keys are a keyed hash of core's cache key, never
 * the key itself: an on-behalf-of key derives from the user's token, and a plain SHA-256 would let
 * anyone with read access to Valkey confirm a guess. Values are AES-256-GCM with a random 96-bit
 * nonce (NIST SP 800-38D section 8.2.2) and the storage key as associated data, so a value copied
 * to another key fails to decrypt.
 *
 * The token tag in front of the ciphertext lets a Lua script delete an entry only when it holds
 * a given token (compare-and-delete after a 401) without decrypting: the caller sends the tag of
 * the refused token. Without the tag key, a tag reveals nothing about the token and cannot be
 * checked against a guess. {@link EntryCodec.open} checks the tag against the decrypted token.
 */
export function createEntryCodec(keys: StoreKeys, namespace: string): EntryCodec {
  const prefix = `${namespace}:v1:`;
  const hash = (key: string) => createHmac('sha256', keys.index).update(key, 'utf8').digest('base64url');
  const tokenTag = (accessToken: string) => createHmac('sha256', keys.tokenTag).update(accessToken, 'utf8').digest('base64url');
  return {
    entryKey: (key) => prefix + hash(key),
    lockKey: (key) => `${prefix}lock:${hash(key)}`,
    tokenTag,
    seal(entryKey, token) {
      const payload = { v: 1, t: token.accessToken, e: token.expiresAt, ...(token.scopes === undefined ? {} : { s: token.scopes }) };
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys.encryption, nonce, { authTagLength: GCM_TAG_BYTES });
      cipher.setAAD(Buffer.from(entryKey, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${tokenTag(token.accessToken)}.${Buffer.concat([nonce, ciphertext]).toString('base64url')}`;
    },
    open(entryKey, value, maxValueBytes) {
      if (value.length > maxValueBytes) return failed('oversize');
      const dot = value.indexOf('.');
      const tag = value.slice(0, dot);
      const body = value.slice(dot + 1);
      if (dot !== TAG_LENGTH || !base64Url.test(tag) || !base64Url.test(body)) return failed('malformed');
      const sealed = Buffer.from(body, 'base64url');
      if (sealed.length <= NONCE_BYTES + GCM_TAG_BYTES) return failed('malformed');
      let plaintext: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', keys.encryption, sealed.subarray(0, NONCE_BYTES), {
          authTagLength: GCM_TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(entryKey, 'utf8'));
        decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
        plaintext = Buffer.concat([
          decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - GCM_TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return failed('authentication');
      }
      const token = parsePayload(plaintext);
      if (token === 'version' || token === 'malformed') return failed(token);
      const expected = Buffer.from(tokenTag(token.accessToken), 'utf8');
      if (!timingSafeEqual(expected, Buffer.from(tag, 'utf8'))) return failed('token_mismatch');
      return { ok: true, token };
    },
  };
}

function parsePayload(plaintext: string): SharedToken | 'version' | 'malformed' {
  let payload: unknown;
  try {
    payload = JSON.parse(plaintext);
  } catch {
    return 'malformed';
  }
  if (typeof payload !== 'object' || payload === null) return 'malformed';
  const { v, t, e, s } = payload as Record<string, unknown>;
  if (v !== 1) return 'version';
  if (typeof t !== 'string' || t.length === 0 || typeof e !== 'number' || !Number.isFinite(e)) return 'malformed';
  if (s !== undefined && !(Array.isArray(s) && s.every((scope) => typeof scope === 'string'))) return 'malformed';
  return { accessToken: t, expiresAt: e, scopes: s as string[] | undefined };
}

function failed(reason: DecryptFailure): OpenedEntry {
  return { ok: false, reason };
}
