// The validator against the strict local IdP (real HTTP, real JWKS) and against tokens built
// by hand, through rows A01-A21 of the security catalogue.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAzureConfig, parseMaskinportenValidationConfig } from '@nav-auth/core';
import { type LocalIdp, type RegisteredAzureApp, startLocalIdp } from '@nav-auth/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAzureTokenValidator,
  createLocalKeySet,
  createMaskinportenTokenValidator,
  createTokenValidator,
  type GenericClaims,
  type TokenValidator,
} from '../src/index.js';
import { rsaTestKey, signJwt, signRaw } from './support/raw-jws.js';

let idp: LocalIdp;
let api: RegisteredAzureApp;
let azure: TokenValidator<import('@nav-auth/core').AzureClaims>;

beforeAll(async () => {
  idp = await startLocalIdp();
  api = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
  azure = createAzureTokenValidator({ config: parseAzureConfig(api.env) });
});
afterAll(() => idp.close());

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'accepted',
    (error: { code?: string; reason?: string }) => `${error.code}:${error.reason}`,
  );
}

describe('createAzureTokenValidator against the local IdP', () => {
  it('accepts a user token and an app token, returning typed claims', async () => {
    const user = await azure.validate(await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000', groups: ['g1'] }));
    expect(user).toMatchObject({ kind: 'user', navIdent: 'Z990000', groups: ['g1'], scopes: ['defaultaccess'] });
    const caller = await idp.registerAzureApp({ name: 'dev-gcp:team:caller' });
    const response = await fetch(idp.azure.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'api://dev-gcp.team.api/.default',
        client_id: caller.clientId,
        client_secret: caller.clientSecret as string,
      }),
    });
    const app = await azure.validate(((await response.json()) as { access_token: string }).access_token);
    expect(app).toMatchObject({ kind: 'app', roles: ['access_as_application'], clientName: 'dev-gcp:team:caller' });
  });

  it('rejects tokens for another audience, expired tokens and forged keys with coded errors', async () => {
    expect(
      await reasonOf(azure.validate(await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api', claims: { aud: 'someone-else' } }))),
    ).toBe('ERR_CLAIM_VALIDATION:mismatch');
    expect(
      await reasonOf(
        azure.validate(await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api', claims: { exp: Math.floor(Date.now() / 1000) - 60 } })),
      ),
    ).toBe('ERR_CLAIM_VALIDATION:expired');
    expect(await reasonOf(azure.validate(await idp.mintToken('azure', { aud: api.clientId }, { unpublishedKey: true })))).toBe(
      'ERR_TOKEN_INVALID:unknown_key',
    );
  });

  it('A20: a wrong key is a signature error even when the token has also expired', async () => {
    const forged = await idp.mintToken(
      'azure',
      { aud: api.clientId, exp: 1 },
      {
        header: { kid: JSON.parse(Buffer.from((await idp.mintToken('azure', {})).split('.')[0] as string, 'base64url').toString()).kid },
        unpublishedKey: true,
      },
    );
    expect(await reasonOf(azure.validate(forged))).toBe('ERR_TOKEN_INVALID:invalid_signature');
  });

  it('A18: refuses typ at+jwt, dpop+jwt and a missing typ for Azure AD, whose access tokens say JWT', async () => {
    for (const typ of ['at+jwt', 'dpop+jwt', 'logout+jwt', undefined]) {
      const token = await idp.mintAzureUserToken({ audience: api.name });
      const [, payload] = token.split('.');
      const retyped = await idp.mintToken('azure', JSON.parse(Buffer.from(payload as string, 'base64url').toString()), { header: { typ } });
      expect(await reasonOf(azure.validate(retyped)), String(typ)).toBe('ERR_TOKEN_INVALID:wrong_type');
    }
  });

  it('A06: requires a kid for Azure AD', async () => {
    const token = await idp.mintAzureUserToken({ audience: api.name });
    const noKid = await idp.mintToken('azure', JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()), {
      header: { kid: undefined },
    });
    expect(await reasonOf(azure.validate(noKid))).toBe('ERR_TOKEN_INVALID:unknown_key');
  });

  it('remembers a valid token from its second sighting until exp (no more JWKS or crypto work) and checks time again on every hit', async () => {
    let now = Date.now();
    const validator = createAzureTokenValidator({ config: parseAzureConfig(api.env), clock: () => now });
    const token = await idp.mintAzureUserToken({ audience: api.name, claims: { exp: Math.floor(now / 1000) + 60 } });
    const first = await validator.validate(token);
    // The doorkeeper: a token seen once is not kept, so the second sighting is verified again.
    const second = await validator.validate(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    const fetches = idp.requests.filter((r) => r.endpoint === 'azure.jwks').length;
    expect(await validator.validate(`${token}`)).toBe(second);
    expect(await validator.validate(`${token}`)).toBe(second);
    expect(idp.requests.filter((r) => r.endpoint === 'azure.jwks').length).toBe(fetches);
    now += 75_000;
    expect(await reasonOf(validator.validate(token))).toBe('ERR_CLAIM_VALIDATION:expired');
  });

  it('C03: hasgroups and _claim_names.groups from the IdP are a groups overage, never an empty list', async () => {
    for (const claims of [
      { hasgroups: true },
      { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph' } } },
    ]) {
      const validated = await azure.validate(await idp.mintAzureUserToken({ audience: api.name, claims }));
      expect([validated.groupsOverage, validated.groups]).toEqual([true, undefined]);
    }
  });

  it('B11-style: an invalid token never enters the cache', async () => {
    const token = await idp.mintAzureUserToken({ audience: api.name, claims: { aud: 'other' } });
    expect(await reasonOf(azure.validate(token))).toBe('ERR_CLAIM_VALIDATION:mismatch');
    expect(await reasonOf(azure.validate(token))).toBe('ERR_CLAIM_VALIDATION:mismatch');
  });

  it('a token that ends like a cached one (its signature pasted onto another payload) is checked in full', async () => {
    const validator = createAzureTokenValidator({ config: parseAzureConfig(api.env) });
    const token = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000' });
    await validator.validate(token);
    const claims = await validator.validate(token); // remembered from the second sighting on
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const elevated = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), NAVident: 'Z990001', groups: ['admins'] };
    const forged = `${header}.${Buffer.from(JSON.stringify(elevated)).toString('base64url')}.${signature}`;
    expect(await reasonOf(validator.validate(forged))).toBe('ERR_TOKEN_INVALID:invalid_signature');
    expect(await validator.validate(token)).toBe(claims);
    expect(await reasonOf(validator.validate(forged))).toBe('ERR_TOKEN_INVALID:invalid_signature');
  });
});

describe('createMaskinportenTokenValidator', () => {
  it('checks scopes, audience and consumer through core', async () => {
    const env = { MASKINPORTEN_ISSUER: idp.maskinporten.issuer, MASKINPORTEN_JWKS_URI: idp.maskinporten.jwksUri };
    const validator = createMaskinportenTokenValidator({
      config: parseMaskinportenValidationConfig(env),
      requiredScopes: ['nav:arbeid:read'],
      audience: 'https://api.nav.no/arbeid',
    });
    const good = await idp.mintMaskinportenToken({
      consumerOrg: '889640782',
      scopes: ['nav:arbeid:read'],
      audience: 'https://api.nav.no/arbeid',
    });
    expect(await validator.validate(good)).toMatchObject({ consumerOrg: '889640782', scopes: ['nav:arbeid:read'] });
    const noAud = await idp.mintMaskinportenToken({ consumerOrg: '889640782', scopes: ['nav:arbeid:read'] });
    expect(await reasonOf(validator.validate(noAud))).toBe('ERR_CLAIM_VALIDATION:missing');
    const azureToken = await idp.mintAzureUserToken({ audience: api.name });
    expect(await reasonOf(validator.validate(azureToken))).toMatch(/^ERR_TOKEN_INVALID:unknown_key|ERR_CLAIM_VALIDATION/);
  });
});

describe('the verified-token cache against a fresh check', () => {
  const key = rsaTestKey('k1');
  const keySet = createLocalKeySet({ keys: [key.publicJwk] });
  const base = 1_800_000_000;

  it('accepts and refuses exactly as an uncached validator, at every boundary of exp, nbf, iat and the maximum age', async () => {
    const offset = fc.integer({ min: -400, max: 400 });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          exp: offset,
          nbf: fc.option(offset, { nil: undefined }),
          iat: fc.option(offset, { nil: undefined }),
          maxAge: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
          skew: fc.integer({ min: 0, max: 30 }),
          firstSeen: fc.integer({ min: -400, max: 400 }),
          // Later checks, some exactly on a boundary and some a fraction of a second from one.
          later: fc.array(fc.tuple(offset, fc.constantFrom(-0.001, 0, 0.001)), { minLength: 1, maxLength: 12 }),
        }),
        async ({ exp, nbf, iat, maxAge, skew, firstSeen, later }) => {
          const payload = {
            iss: 'https://issuer.example',
            aud: 'api',
            exp: base + exp,
            ...(nbf === undefined ? {} : { nbf: base + nbf }),
            ...(iat === undefined ? {} : { iat: base + iat }),
          };
          const token = signJwt('RS256', { kid: 'k1', typ: 'JWT' }, payload, key.privateKey);
          let now = 0;
          const options = {
            profile: 'generic',
            issuer: 'https://issuer.example',
            audience: 'api',
            keySet,
            clockToleranceSeconds: skew,
            ...(maxAge === undefined ? {} : { maxTokenAgeSeconds: maxAge }),
            clock: () => now,
          } as const;
          const cached = createTokenValidator(options);
          const fresh = createTokenValidator({ ...options, cacheMaxEntries: 0 });
          now = (base + firstSeen) * 1000;
          await reasonOf(cached.validate(token));
          const boundaries = [exp + skew, (nbf ?? 0) - skew, (iat ?? 0) - skew, (iat ?? 0) + (maxAge ?? 0) + skew];
          for (const [at, nudge] of [...later, ...boundaries.map((b) => [b, 0] as const)]) {
            now = (base + at + nudge) * 1000;
            expect(await reasonOf(cached.validate(token))).toBe(await reasonOf(fresh.validate(token)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a token accepted once is refused from the cache once it is older than maxTokenAgeSeconds', async () => {
    let now = base * 1000;
    const validator = createTokenValidator({
      profile: 'generic',
      issuer: 'https://issuer.example',
      audience: 'api',
      keySet,
      maxTokenAgeSeconds: 60,
      clock: () => now,
    });
    const token = signJwt(
      'RS256',
      { kid: 'k1' },
      { iss: 'https://issuer.example', aud: 'api', iat: base, exp: base + 3600 },
      key.privateKey,
    );
    expect(await reasonOf(validator.validate(token))).toBe('accepted');
    now += 70_001;
    expect(await reasonOf(validator.validate(token))).toBe('ERR_CLAIM_VALIDATION:too_old');
  });
});

describe('token structure and signatures (generic profile, local key set)', () => {
  const key = rsaTestKey('k1');
  const other = rsaTestKey('k1');
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'https://issuer.example', aud: 'api', sub: 's', iat: now, exp: now + 300, scope: 'read' };
  const validator = createTokenValidator({
    profile: 'generic',
    issuer: 'https://issuer.example',
    audience: 'api',
    algorithms: ['RS256', 'PS256'],
    keySet: createLocalKeySet({ keys: [key.publicJwk] }),
    cacheMaxEntries: 0,
  });
  const good = signJwt('RS256', { kid: 'k1', typ: 'JWT' }, claims, key.privateKey);
  const [h, p, s] = good.split('.') as [string, string, string];
  const b64 = (text: string) => Buffer.from(text).toString('base64url');

  it('accepts a good token', async () => {
    expect(((await validator.validate(good)) as GenericClaims).scopes).toEqual(['read']);
  });

  it.each<[string, string, string]>([
    ['A01 alg none', `${b64('{"alg":"none","kid":"k1"}')}.${p}.`, 'malformed'],
    ['A01 alg None with a signature', `${b64('{"alg":"None","kid":"k1"}')}.${p}.${s}`, 'unsupported_algorithm'],
    ['A01 alg NONE', `${b64('{"alg":"NONE","kid":"k1"}')}.${p}.${s}`, 'unsupported_algorithm'],
    ['A05 numeric kid', signRaw('RS256', '{"alg":"RS256","kid":7}', JSON.stringify(claims), key.privateKey), 'malformed'],
    ['A05 10 KB kid', signRaw('RS256', JSON.stringify({ alg: 'RS256', kid: 'x'.repeat(10_000) }), '{}', key.privateKey), 'malformed'],
    [
      'A05 path traversal kid',
      signRaw('RS256', '{"alg":"RS256","kid":"../../../../dev/null"}', JSON.stringify(claims), key.privateKey),
      'unknown_key',
    ],
    ['A07 stripped signature', `${h}.${p}.`, 'malformed'],
    ['A07 no signature segment', `${h}.${p}`, 'malformed'],
    ['A07 short signature', `${h}.${p}.AA`, 'invalid_signature'],
    ['A12 four segments', `${good}.${s}`, 'malformed'],
    ['A12 five segments (JWE)', `${h}.${p}.${s}.${s}.${s}`, 'malformed'],
    ['A12 JSON serialization', JSON.stringify({ payload: p, protected: h, signature: s }), 'malformed'],
    ['A13 space in a segment', `${h}.${p.slice(0, 5)} ${p.slice(5)}.${s}`, 'malformed'],
    ['A13 padding', `${h}.${p}==.${s}`, 'malformed'],
    ['A13 standard base64', `${h}.${p}.${Buffer.from(s, 'base64url').toString('base64')}`, 'malformed'],
    ['A14 duplicate alg', signRaw('RS256', '{"alg":"RS256","alg":"none","kid":"k1"}', JSON.stringify(claims), key.privateKey), 'malformed'],
    [
      'A14 duplicate aud',
      signRaw(
        'RS256',
        '{"alg":"RS256","kid":"k1"}',
        JSON.stringify(claims).replace('"aud":"api"', '"aud":"api","aud":"other"'),
        key.privateKey,
      ),
      'malformed',
    ],
    [
      'A14 escaped duplicate',
      signRaw(
        'RS256',
        '{"alg":"RS256","kid":"k1"}',
        JSON.stringify(claims).replace('"aud":"api"', '"aud":"api","\\u0061ud":"x"'),
        key.privateKey,
      ),
      'malformed',
    ],
    [
      'A14 BOM',
      signRaw(
        'RS256',
        '{"alg":"RS256","kid":"k1"}',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(claims))]),
        key.privateKey,
      ),
      'malformed',
    ],
    [
      'A14 invalid UTF-8',
      signRaw('RS256', '{"alg":"RS256","kid":"k1"}', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), key.privateKey),
      'malformed',
    ],
    ['A14 array payload', signRaw('RS256', '{"alg":"RS256","kid":"k1"}', '[1]', key.privateKey), 'malformed'],
    [
      'A14 deep nesting',
      signRaw('RS256', '{"alg":"RS256","kid":"k1"}', `{"a":${'['.repeat(50)}${']'.repeat(50)}}`, key.privateKey),
      'malformed',
    ],
    [
      'A15 crit',
      signRaw('RS256', '{"alg":"RS256","kid":"k1","crit":["exp"],"exp":1}', JSON.stringify(claims), key.privateKey),
      'unsupported_header',
    ],
    [
      'A16 b64 false',
      signRaw('RS256', '{"alg":"RS256","kid":"k1","b64":false,"crit":["b64"]}', JSON.stringify(claims), key.privateKey),
      'unsupported_header',
    ],
    [
      'A17 nested JWT',
      signRaw('RS256', '{"alg":"RS256","kid":"k1","cty":"JWT"}', JSON.stringify(claims), key.privateKey),
      'unsupported_header',
    ],
    ['A18 dpop+jwt', signJwt('RS256', { kid: 'k1', typ: 'dpop+jwt' }, claims, key.privateKey), 'wrong_type'],
    [
      'A18 client-authentication+jwt',
      signJwt('RS256', { kid: 'k1', typ: 'client-authentication+jwt' }, claims, key.privateKey),
      'wrong_type',
    ],
    ['A19 a megabyte', `${h}.${'A'.repeat(1024 * 1024)}.${s}`, 'too_large'],
    ['A19 a megabyte of dots', '.'.repeat(1024 * 1024), 'too_large'],
    ['same kid, another key', signJwt('RS256', { kid: 'k1' }, claims, other.privateKey), 'invalid_signature'],
  ])('%s is refused', async (_name, token, reason) => {
    expect(await reasonOf(validator.validate(token))).toBe(`ERR_TOKEN_INVALID:${reason}`);
  });

  it('A18: accepts at+jwt in either spelling for the generic profile', async () => {
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT']) {
      expect(await reasonOf(validator.validate(signJwt('RS256', { kid: 'k1', typ }, claims, key.privateKey)))).toBe('accepted');
    }
  });

  it('A02: HS256 signed with the public key as HMAC secret is refused', async () => {
    const header = b64('{"alg":"HS256","kid":"k1"}');
    for (const secret of [key.publicJwk.n as string, JSON.stringify(key.publicJwk)]) {
      const mac = createHmac('sha256', secret).update(`${header}.${p}`).digest('base64url');
      expect(await reasonOf(validator.validate(`${header}.${p}.${mac}`))).toBe('ERR_TOKEN_INVALID:unsupported_algorithm');
    }
  });

  it('A03: a PS256 token against a key whose JWK says RS256 is refused', async () => {
    const pinned = rsaTestKey('pinned', { alg: 'RS256' });
    const pinnedValidator = createTokenValidator({
      profile: 'generic',
      issuer: 'https://issuer.example',
      audience: 'api',
      algorithms: ['RS256', 'PS256'],
      keySet: createLocalKeySet({ keys: [pinned.publicJwk] }),
    });
    expect(await reasonOf(pinnedValidator.validate(signJwt('PS256', { kid: 'pinned' }, claims, pinned.privateKey)))).toBe(
      'ERR_TOKEN_INVALID:invalid_signature',
    );
    expect(await reasonOf(pinnedValidator.validate(signJwt('RS256', { kid: 'pinned' }, claims, pinned.privateKey)))).toBe('accepted');
  });

  it('A04: jwk, jku and x5u headers are never used: an embedded attacker key fails and no URL is fetched', async () => {
    let hits = 0;
    const sentinel = createServer((_req, res) => {
      hits++;
      res.end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => sentinel.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(sentinel.address() as AddressInfo).port}/jwks`;
    try {
      const attacker = rsaTestKey('k1');
      for (const header of [{ jwk: attacker.publicJwk }, { jku: url }, { x5u: url }, { x5c: ['MIIB'] }]) {
        expect(await reasonOf(validator.validate(signJwt('RS256', { kid: 'k1', ...header }, claims, attacker.privateKey)))).toBe(
          'ERR_TOKEN_INVALID:invalid_signature',
        );
      }
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => sentinel.close(resolve));
    }
  });

  it('A08: any single-character change to a good token is refused (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.constantFrom(...'AQgw_-.x0'), async (position, replacement) => {
        fc.pre(good[position] !== replacement);
        const mutated = good.slice(0, position) + replacement + good.slice(position + 1);
        expect(await reasonOf(validator.validate(mutated))).not.toBe('accepted');
      }),
      { numRuns: 500 },
    );
  });

  it('A21: compares iss and aud exactly', async () => {
    for (const change of [
      { iss: 'https://issuer.example/' },
      { iss: 'https://Issuer.example' },
      { aud: 'api ' },
      { aud: 'API' },
      { aud: 'a\u200bpi' },
    ]) {
      expect(await reasonOf(validator.validate(signJwt('RS256', { kid: 'k1' }, { ...claims, ...change }, key.privateKey)))).toBe(
        'ERR_CLAIM_VALIDATION:mismatch',
      );
    }
  });
});
