import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64Url } from '../jws/base64url.js';
import {
  type CacheKeyClient,
  canonicalJson,
  clientCredentialsCacheKey,
  encodeKeyFields,
  maskinportenCacheKey,
  oboCacheKey,
  oboCacheKeyForScope,
  tokenExchangeCacheKeyFor,
} from './cache-key.js';

const azure: CacheKeyClient = { provider: 'azure', clientId: 'client-1', issuer: 'https://login.microsoftonline.com/t/v2.0' };

describe('encodeKeyFields', () => {
  it('is injective: distinct field lists give distinct text (property)', () => {
    const field = fc.option(fc.string({ maxLength: 6 }), { nil: undefined });
    fc.assert(
      fc.property(fc.array(field, { maxLength: 5 }), fc.array(field, { maxLength: 5 }), (a, b) => {
        expect(encodeKeyFields(a) === encodeKeyFields(b)).toBe(JSON.stringify(a) === JSON.stringify(b) && a.length === b.length);
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps absent and empty apart, and resists separator injection', () => {
    expect(encodeKeyFields([undefined])).not.toBe(encodeKeyFields(['']));
    expect(encodeKeyFields(['a', 'b'])).not.toBe(encodeKeyFields(['a1:b']));
  });
});

describe('maskinportenCacheKey', () => {
  const base = { clientId: 'c', issuer: 'https://maskinporten.no/', scopes: ['nav:a', 'nav:b'] };

  it('ignores scope order but nothing else', () => {
    expect(maskinportenCacheKey(base)).toBe(maskinportenCacheKey({ ...base, scopes: ['nav:b', 'nav:a'] }));
    const variants = [
      { ...base, clientId: 'd' },
      { ...base, issuer: 'https://test.maskinporten.no/' },
      { ...base, scopes: ['nav:a'] },
      { ...base, resource: 'https://api/' },
      { ...base, consumerOrg: '889640782' },
      { ...base, systemUserOrg: '313367002' },
      { ...base, systemUserOrg: '889640782' },
    ];
    const keys = new Set([maskinportenCacheKey(base), ...variants.map(maskinportenCacheKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('gives equal keys exactly for equal normalized requests (property)', () => {
    const scope = fc.constantFrom('nav:a', 'nav:b', 'skatt:c', 'nav:a:b');
    const request = fc.record(
      {
        clientId: fc.constantFrom('c1', 'c2'),
        issuer: fc.constantFrom('https://maskinporten.no/', 'https://test.maskinporten.no/'),
        scopes: fc.uniqueArray(scope, { minLength: 1, maxLength: 4 }),
        resource: fc.constantFrom('https://a/', 'https://b/'),
        consumerOrg: fc.constantFrom('889640782', '974760673'),
        systemUserOrg: fc.constantFrom('313367002', '889640782'),
      },
      { requiredKeys: ['clientId', 'issuer', 'scopes'] },
    );
    const normalize = (r: { scopes: string[] }) =>
      JSON.stringify({ ...r, scopes: [...r.scopes].sort() }, Object.keys({ ...r, scopes: 0 }).sort());
    fc.assert(
      fc.property(request, request, (a, b) => {
        expect(maskinportenCacheKey(a) === maskinportenCacheKey(b)).toBe(normalize(a) === normalize(b));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('clientCredentialsCacheKey', () => {
  it('covers the client and the scope', () => {
    const key = clientCredentialsCacheKey('api://dev-gcp.team.app/.default', azure);
    expect(key).not.toBe(clientCredentialsCacheKey('api://dev-gcp.team.other/.default', azure));
    expect(key).not.toBe(clientCredentialsCacheKey('api://dev-gcp.team.app/.default', { ...azure, clientId: 'client-2' }));
    expect(() => clientCredentialsCacheKey('api://x/.default', { ...azure, issuer: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
  });
});

describe('oboCacheKey', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';

  it('hashes the subject token and never contains it', async () => {
    const key = await oboCacheKey(token, 'api://a.b.c/.default', azure);
    expect(key).not.toContain(token);
    for (const part of token.split('.')) expect(key).not.toContain(part);
    expect(key).toBe(await oboCacheKey(token, 'api://a.b.c/.default', azure));
    expect(key).not.toBe(await oboCacheKey(`${token}x`, 'api://a.b.c/.default', azure));
    expect(key).not.toBe(await oboCacheKey(token, 'api://a.b.d/.default', azure));
  });

  it('does not collide when a character moves between token and scope (length-prefixed)', async () => {
    expect(await oboCacheKey('t.o.ka', 'b', azure)).not.toBe(await oboCacheKey('t.o.k', 'ab', azure));
  });
});

describe('oboCacheKeyForScope', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
  const scope = 'api://dev-gcp.team.api/.default';
  const sha256 = async (text: string) =>
    encodeBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));

  it('gives the key oboCacheKey gives, from the digest alone', async () => {
    const key = oboCacheKeyForScope(scope, azure)(await sha256(token));
    expect(key).toBe(await oboCacheKey(token, scope, azure));
    expect(key).not.toContain(token);
    for (const part of token.split('.')) expect(key).not.toContain(part);
  });

  it('refuses anything but a base64url SHA-256 digest, so a raw token can never become a key', async () => {
    const keyFor = oboCacheKeyForScope(scope, azure);
    const digest = await sha256(token);
    for (const wrong of [token, digest.slice(1), `${digest}=`, `${digest.slice(1)}+`, digest.replace(/.$/, '.'), '', 42, undefined]) {
      expect(() => keyFor(wrong as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    }
  });

  it('checks the scope and the client once, when built', () => {
    expect(() => oboCacheKeyForScope('api://a b/.default', azure)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    expect(() => oboCacheKeyForScope(scope, { ...azure, clientId: '' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });

  it('gives equal keys exactly for equal client, scope and digest (property)', () => {
    const text = fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'b', ':', '|', '1', '4', '3') });
    const digest = fc.constantFrom('A'.repeat(43), 'B'.repeat(43), `${'A'.repeat(42)}_`);
    const input = fc.record({
      provider: fc.constantFrom('azure', 'azur', 'eazure'),
      clientId: text,
      issuer: text,
      scope: text,
      digest,
    });
    fc.assert(
      fc.property(input, input, (a, b) => {
        const key = (i: typeof a) => oboCacheKeyForScope(i.scope, i)(i.digest);
        expect(key(a) === key(b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('canonicalJson', () => {
  it('sorts members at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }, 'x'] })).toBe('{"a":[{"c":2,"d":1},"x"],"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });

  it('gives the same text for the same value in any member order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reversed = JSON.parse(
          JSON.stringify(value, (_k, v) =>
            v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
          ),
        );
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('clientCredentialsCacheKey with a resource', () => {
  it('tells requests with and without a resource apart', () => {
    const plain = clientCredentialsCacheKey('read write', azure);
    expect(clientCredentialsCacheKey('read write', azure, 'https://api/')).not.toBe(plain);
    expect(clientCredentialsCacheKey('read write', azure, undefined)).toBe(plain);
    expect(() => clientCredentialsCacheKey('read  write', azure)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});

describe('tokenExchangeCacheKeyFor', () => {
  const tokenX: CacheKeyClient = { provider: 'tokenx', clientId: 'dev-gcp:team:app-a', issuer: 'https://tokenx.example' };
  const digest = (text: string) => encodeBase64Url(new Uint8Array(createHash('sha256').update(text).digest()));

  it('keys by client, audience and the subject token digest, and never by the token', () => {
    const forB = tokenExchangeCacheKeyFor('dev-gcp:team:app-b', tokenX);
    const forC = tokenExchangeCacheKeyFor('dev-gcp:team:app-c', tokenX);
    const other = tokenExchangeCacheKeyFor('dev-gcp:team:app-b', { ...tokenX, clientId: 'dev-gcp:team:app-z' });
    const token = digest('user.token.one');
    expect(new Set([forB(token), forC(token), other(token), forB(digest('user.token.two'))]).size).toBe(4);
    expect(forB(token)).toBe(tokenExchangeCacheKeyFor('dev-gcp:team:app-b', tokenX)(token));
    expect(forB(token)).not.toBe(oboCacheKeyForScope('dev-gcp:team:app-b', tokenX)(token));
    expect(() => forB('user.token.one')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'subjectTokenSha256' }));
    expect(() => tokenExchangeCacheKeyFor('', tokenX)).toThrow(expect.objectContaining({ field: 'audience' }));
  });
});
