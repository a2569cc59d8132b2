import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEntryCodec } from './entry-codec.js';
import { deriveStoreKeys } from './store-keys.js';

const codec = createEntryCodec(deriveStoreKeys({ secret: randomBytes(32) }), 'nav-auth');
const token = { accessToken: 'header.payload.signature', expiresAt: 1_900_000_000_000, scopes: ['nav:a', 'nav:b'] };
const max = 16 * 1024;

describe('createEntryCodec', () => {
  it('names entries and locks by one keyed hash', () => {
    const key = codec.entryKey('cc|x');
    expect(key).toMatch(/^nav-auth:v1:[A-Za-z0-9_-]{43}$/);
    expect(codec.lockKey('cc|x')).toBe(`nav-auth:v1:lock:${key.slice('nav-auth:v1:'.length)}`);
    expect(codec.entryKey('cc|y')).not.toBe(key);
  });

  it('opens what it sealed, for any token and scopes', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 2000 }),
        fc.integer({ min: 0, max: 2 ** 48 }),
        fc.option(fc.array(fc.string({ maxLength: 40 }), { maxLength: 8 }), { nil: undefined }),
        fc.string({ maxLength: 200 }),
        (accessToken, expiresAt, scopes, key) => {
          const sealed = { accessToken, expiresAt, scopes };
          const entryKey = codec.entryKey(key);
          expect(codec.open(entryKey, codec.seal(entryKey, sealed), max)).toEqual({ ok: true, token: sealed });
        },
      ),
    );
  });

  it('uses a fresh nonce for every value', () => {
    const entryKey = codec.entryKey('cc|x');
    expect(codec.seal(entryKey, token)).not.toBe(codec.seal(entryKey, token));
  });

  it('puts the token tag first, so Lua can compare it without decrypting', () => {
    const value = codec.seal(codec.entryKey('cc|x'), token);
    expect(value.split('.')[0]).toBe(codec.tokenTag(token.accessToken));
    expect(codec.tokenTag('another token')).not.toBe(codec.tokenTag(token.accessToken));
  });

  it('refuses any changed character of a value', () => {
    const entryKey = codec.entryKey('cc|x');
    const value = codec.seal(entryKey, token);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.nat({ max: value.length - 1 }), fc.constantFrom(...alphabet), (at, replacement) => {
        fc.pre(value[at] !== replacement && value[at] !== '.');
        const changed = value.slice(0, at) + replacement + value.slice(at + 1);
        // The last base64url character carries 2 spare bits: a change there may decode to the same bytes.
        const opened = codec.open(entryKey, changed, max);
        if (opened.ok)
          expect(Buffer.from(changed.split('.')[1] ?? '', 'base64url')).toEqual(Buffer.from(value.split('.')[1] ?? '', 'base64url'));
        else expect(['authentication', 'token_mismatch', 'malformed']).toContain(opened.reason);
      }),
    );
  });

  it('refuses a value under another key, from another key set, of another version, or too large', () => {
    const entryKey = codec.entryKey('cc|x');
    const value = codec.seal(entryKey, token);
    expect(codec.open(codec.entryKey('cc|y'), value, max)).toEqual({ ok: false, reason: 'authentication' });
    const other = createEntryCodec(deriveStoreKeys({ secret: randomBytes(32) }), 'nav-auth');
    expect(other.open(entryKey, value, max)).toEqual({ ok: false, reason: 'authentication' });
    expect(codec.open(entryKey, value, value.length - 1)).toEqual({ ok: false, reason: 'oversize' });
    for (const garbage of ['', '.', 'abc', `${'A'.repeat(43)}.`, `${'A'.repeat(43)}.${'A'.repeat(30)}`, `${'A'.repeat(43)}.a b`])
      expect(codec.open(entryKey, garbage, max)).toEqual({ ok: false, reason: 'malformed' });
  });
});
