import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url, isStrictBase64Url } from './base64url.js';

describe('decodeBase64Url', () => {
  it("round-trips every byte string and matches Node's encoder (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = encodeBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(decodeBase64Url(text)).toEqual(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['padding', 'AQAB='],
    ['a space inside (Wycheproof tc360)', 'AQ AB'],
    ['a line break', 'AQ\nAB'],
    ['standard-base64 characters', 'a+b/'],
    ['a length of 4n+1', 'AQABA'],
    ['non-zero unused bits (Wycheproof tc375)', 'AR'],
  ])('refuses %s', (_name, text) => {
    expect(decodeBase64Url(text)).toBeUndefined();
  });
});

describe('isStrictBase64Url', () => {
  it('agrees with decode-then-re-encode on every string over a small alphabet (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AQBgw_-=+ .'), maxLength: 12 }), (text) => {
        const bytes = Buffer.from(text, 'base64url');
        const canonical = /^[A-Za-z0-9_-]*$/.test(text) && text.length % 4 !== 1 && bytes.toString('base64url') === text;
        expect(isStrictBase64Url(text)).toBe(canonical);
      }),
      { numRuns: 20_000 },
    );
  });
});
