import { type CacheKeyClient, oboCacheKey, oboCacheKeyForScope } from '@nav-auth/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subjectTokenCacheKey } from './subject-token-cache-key.js';

const client: CacheKeyClient = { provider: 'azure', clientId: 'client-1', issuer: 'https://login.microsoftonline.com/t/v2.0' };
const scope = 'api://dev-gcp.team.api/.default';
const keyFor = oboCacheKeyForScope(scope, client);

describe('subjectTokenCacheKey', () => {
  it("gives core's oboCacheKey for any token, without an await (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }), async (token) => {
        expect(subjectTokenCacheKey(token, keyFor)).toBe(await oboCacheKey(token, scope, client));
      }),
      { numRuns: 500 },
    );
  });

  it('holds a hash of the token and no token text', () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${'eyJzdWIiOiJ1c2VyIn0'.repeat(20)}.${'c2lnbmF0dXJl'.repeat(20)}`;
    const key = subjectTokenCacheKey(token, keyFor);
    expect(key).not.toContain(token);
    for (const part of token.split('.')) expect(key).not.toContain(part);
    for (let start = 0; start + 12 <= token.length; start += 12) expect(key).not.toContain(token.slice(start, start + 12));
    expect(key.length).toBeLessThan(200);
  });

  it('gives one key per token: a new string with the same text is the same key, another token is not', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
    const copy = Buffer.from(token, 'latin1').toString('latin1');
    expect(subjectTokenCacheKey(copy, keyFor)).toBe(subjectTokenCacheKey(token, keyFor));
    expect(subjectTokenCacheKey(`${token}x`, keyFor)).not.toBe(subjectTokenCacheKey(token, keyFor));
  });

  it('refuses an empty or non-string token by code', () => {
    for (const bad of ['', undefined, 42]) {
      expect(() => subjectTokenCacheKey(bad as string, keyFor)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    }
  });
});
