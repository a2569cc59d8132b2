// Rows D01-D14 of the security catalogue: discovery and the JWKS client, on a scripted server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRemoteKeySet, createTokenValidator, discoverIssuer, type KeySetEvent } from '../src/index.js';
import { json, type ScriptedServer, startScriptedServer } from './support/jwks-server.js';
import { ecTestKey, rsaTestKey, signJwt } from './support/raw-jws.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(() => server.close());

const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ iss: 'https://issuer.example', aud: 'api', iat: now(), exp: now() + 300 });
const k1 = rsaTestKey('k1');
const k2 = rsaTestKey('k2');

function validatorFor(
  jwks: Partial<{ cooldownMs: number; refreshIntervalMs: number; maxStaleMs: number; timeoutMs: number }> = {},
  onKeySetEvent?: (e: KeySetEvent) => void,
) {
  return createTokenValidator({
    profile: 'generic',
    issuer: 'https://issuer.example',
    audience: 'api',
    jwksUri: `${server.url}/jwks`,
    cacheMaxEntries: 0,
    jwks: { cooldownMs: 0, ...jwks },
    ...(onKeySetEvent === undefined ? {} : { onKeySetEvent }),
  });
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code?: string; reason?: string }) => `${error.code}${error.reason ? `:${error.reason}` : ''}`,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('discovery', () => {
  it('D01: refuses metadata whose issuer differs from the configured one', async () => {
    server.on('/.well-known/openid-configuration', json({ issuer: 'https://evil.example', jwks_uri: `${server.url}/jwks` }));
    await expect(discoverIssuer(`${server.url}/.well-known/openid-configuration`, 'https://issuer.example')).rejects.toMatchObject({
      code: 'ERR_DISCOVERY',
    });
  });

  it('D02: refuses a jwks_uri that is plain http off loopback', async () => {
    server.on('/.well-known/openid-configuration', json({ issuer: 'https://issuer.example', jwks_uri: 'http://10.0.0.1/jwks' }));
    await expect(discoverIssuer(`${server.url}/.well-known/openid-configuration`, 'https://issuer.example')).rejects.toMatchObject({
      code: 'ERR_DISCOVERY',
    });
    expect(() => createRemoteKeySet({ jwksUri: 'file:///etc/passwd' })).toThrow(expect.objectContaining({ code: 'ERR_JWKS_UNAVAILABLE' }));
  });

  it('finds the JWKS through discovery when no jwks_uri is given', async () => {
    server.on('/.well-known/openid-configuration', json({ issuer: 'https://issuer.example', jwks_uri: `${server.url}/jwks` }));
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    const validator = createTokenValidator({
      profile: 'generic',
      issuer: 'https://issuer.example',
      audience: 'api',
      wellKnownUrl: `${server.url}/.well-known/openid-configuration`,
    });
    expect(await outcome(validator.validate(signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey)))).toBe('accepted');
  });
});

describe('JWKS client', () => {
  it('D03: a malformed JWKS never replaces the last good keys', async () => {
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    const validator = validatorFor();
    expect(await outcome(validator.validate(signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey)))).toBe('accepted');
    for (const bad of ['<html>oops</html>', { keys: 'nope' }, { keys: [] }, {}]) {
      server.on('/jwks', json(bad));
      // An unknown kid makes it refetch; the broken answer must not wipe k1.
      expect(await outcome(validator.validate(signJwt('RS256', { kid: 'k2' }, claims(), k2.privateKey)))).toBe(
        'ERR_TOKEN_INVALID:unknown_key',
      );
      expect(await outcome(validator.validate(signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey)))).toBe('accepted');
    }
  });

  it('D04/D06: skips unusable keys (oct, unknown kty, use enc, key_ops without verify, 1024-bit RSA) and uses the good one', async () => {
    const weak = rsaTestKey('weak');
    const { generateKeyPairSync } = await import('node:crypto');
    const small = { ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'small' };
    server.on(
      '/jwks',
      json({
        keys: [
          { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
          { kty: 'AKP', alg: 'ML-DSA-44', pub: 'AAAA', kid: 'pq' },
          { ...weak.publicJwk, use: 'enc' },
          { ...k2.publicJwk, key_ops: ['encrypt'] },
          small,
          k1.publicJwk,
        ],
      }),
    );
    const validator = validatorFor();
    expect(await outcome(validator.validate(signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey)))).toBe('accepted');
    expect(await outcome(validator.validate(signJwt('RS256', { kid: 'weak' }, claims(), weak.privateKey)))).toBe(
      'ERR_TOKEN_INVALID:unknown_key',
    );
    expect(await outcome(validator.validate(signJwt('RS256', { kid: 'k2' }, claims(), k2.privateKey)))).toBe(
      'ERR_TOKEN_INVALID:unknown_key',
    );
  });

  it('D05: a kid that appears twice is ambiguous and refused, the others still work', async () => {
    const twin = rsaTestKey('k1');
    server.on('/jwks', json({ keys: [k1.publicJwk, twin.publicJwk, k2.publicJwk] }));
    const validator = validatorFor();
    expect(await outcome(validator.validate(signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey)))).toBe(
      'ERR_TOKEN_INVALID:unknown_key',
    );
    expect(await outcome(validator.validate(signJwt('RS256', { kid: 'k2' }, claims(), k2.privateKey)))).toBe('accepted');
  });

  it('D07: a token signed by a key rotated in just now is accepted after one refetch', async () => {
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    const validator = validatorFor();
    await validator.validate(signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey));
    server.on('/jwks', json({ keys: [k2.publicJwk, k1.publicJwk] }));
    expect(await outcome(validator.validate(signJwt('RS256', { kid: 'k2' }, claims(), k2.privateKey)))).toBe('accepted');
    expect(server.hits.get('/jwks')).toBe(2);
  });

  it('D08: 10 000 tokens with random unknown kids cause at most one JWKS fetch per cooldown', async () => {
    server.on('/jwks', json({ keys: [k1.publicJwk, ecTestKey('ec').publicJwk] }));
    const validator = validatorFor({ cooldownMs: 60_000 });
    await validator.validate(signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey));
    const token = (kid: string) => `${Buffer.from(JSON.stringify({ alg: 'RS256', kid })).toString('base64url')}.e30.${'A'.repeat(342)}`;
    const results = await Promise.all(
      Array.from({ length: 10_000 }, (_, i) => outcome(validator.validate(token(`random-${i}-${Math.random()}`)))),
    );
    expect(new Set(results)).toEqual(new Set(['ERR_TOKEN_INVALID:unknown_key']));
    expect(server.hits.get('/jwks')).toBeLessThanOrEqual(2);
  });

  it('D09: keeps verifying with the last good keys during an outage, for a bounded time', async () => {
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    const events: KeySetEvent[] = [];
    const validator = validatorFor({ refreshIntervalMs: 50, maxStaleMs: 400 }, (e) => events.push(e));
    const token = () => signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    await validator.validate(token());
    server.on('/jwks', json({ error: 'down' }, 503));
    await sleep(100);
    expect(await outcome(validator.validate(token()))).toBe('accepted');
    await sleep(100);
    expect(await outcome(validator.validate(token()))).toBe('accepted');
    expect(events.some((e) => e.type === 'jwks_fetch_failed')).toBe(true);
    await sleep(350);
    expect(await outcome(validator.validate(token()))).toBe('ERR_JWKS_UNAVAILABLE');
  });

  it('D10: a cold start while the JWKS is down fails closed, then recovers', async () => {
    server.on('/jwks', (req) => req.socket.destroy());
    const validator = validatorFor();
    const token = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    expect(await outcome(validator.validate(token))).toBe('accepted');
  });

  it('D11: refreshes in the background after the refresh interval', async () => {
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    const validator = validatorFor({ refreshIntervalMs: 50 });
    const token = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    await validator.validate(token);
    await sleep(80);
    await validator.validate(token);
    await expect.poll(() => server.hits.get('/jwks')).toBe(2);
  });

  it('D12: refuses an oversized JWKS and a slow-drip body', async () => {
    server.on('/jwks', json({ keys: [k1.publicJwk], padding: 'x'.repeat(300 * 1024) }));
    const token = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    expect(await outcome(validatorFor().validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    server.on('/jwks', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      setTimeout(() => res.end(']}'), 2000).unref();
    });
    const started = performance.now();
    expect(await outcome(validatorFor({ timeoutMs: 200 }).validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('D13: does not follow a redirect from jwks_uri', async () => {
    server.on('/jwks', (_req, res) => res.writeHead(302, { location: `${server.url}/elsewhere` }).end());
    server.on('/elsewhere', json({ keys: [k1.publicJwk] }));
    expect(await outcome(validatorFor().validate(signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey)))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(server.hits.get('/elsewhere')).toBeUndefined();
  });

  it('D14: concurrent refreshes share one fetch, so no older answer can overwrite a newer one', async () => {
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    const keySet = createRemoteKeySet({ jwksUri: `${server.url}/jwks` });
    await Promise.all([keySet.refresh(), keySet.refresh(), keySet.refresh()]);
    expect(server.hits.get('/jwks')).toBe(1);
  });
});
