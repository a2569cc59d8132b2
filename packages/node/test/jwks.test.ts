// Rows D01-D14 of the security catalogue: discovery and the JWKS client, on a scripted server.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRemoteKeySet,
  createTokenValidator,
  discoverIssuer,
  type KeySet,
  type KeySetEvent,
  type RemoteKeySetOptions,
} from '../src/index.js';
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

/** A monotonic clock the test moves by hand, for the key set's `clock` option. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** A validator over a key set the test built (with an injected clock and random source). */
const validatorOver = (keySet: KeySet) =>
  createTokenValidator({ profile: 'generic', issuer: 'https://issuer.example', audience: 'api', keySet, cacheMaxEntries: 0 });

/** A key set over the test server's /jwks with a hand-moved clock, recording its events, and a validator over it. */
function observedKeySet(options: Omit<RemoteKeySetOptions, 'jwksUri' | 'clock' | 'onEvent'>) {
  const clock = manualClock();
  const events: KeySetEvent[] = [];
  const keySet = createRemoteKeySet({ jwksUri: `${server.url}/jwks`, clock: clock.now, onEvent: (e) => events.push(e), ...options });
  return { clock, events, validator: validatorOver(keySet) };
}

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

  it('D10: a cold start while the JWKS is down fails closed, then recovers once the backoff has passed', async () => {
    server.on('/jwks', (req) => req.socket.destroy());
    const clock = manualClock();
    const validator = validatorOver(createRemoteKeySet({ jwksUri: `${server.url}/jwks`, clock: clock.now }));
    const token = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    clock.advance(30_000);
    expect(await outcome(validator.validate(token))).toBe('accepted');
    expect(server.hits.get('/jwks')).toBe(2);
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

describe('JWKS backoff (catalogue D10, D09)', () => {
  const down = (body = 'upstream stack trace: secret-body-marker') => json(body, 500);
  const failures = (events: KeySetEvent[]) => events.filter((e) => e.type === 'jwks_fetch_failed');

  it('D10: 30 sequential validations during a cold-start outage send one JWKS fetch; the rest fail fast (real clock and jitter)', async () => {
    server.on('/jwks', down());
    const validator = validatorFor();
    const token = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    const errors: unknown[] = [];
    for (let i = 0; i < 30; i++) await validator.validate(token).catch((error: unknown) => errors.push(error));
    expect(errors).toHaveLength(30);
    for (const error of errors) expect(error).toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
    expect(server.hits.get('/jwks')).toBe(1);
    // Neither the response body nor the JWKS URL reaches a message, the cause chain included.
    const messages = errors.flatMap((error) => {
      const chain: string[] = [];
      for (let e = error as Error | undefined; e !== undefined; e = e.cause as Error | undefined) chain.push(String(e.message));
      return chain;
    });
    expect(messages.join('\n')).not.toMatch(/secret-body-marker|127\.0\.0\.1/);
    expect(String((errors[1] as Error).message)).toMatch(/\(1 failed fetch in a row\); the next fetch may start in \d+ ms/);
  });

  it('D10: fetches again only once the window has passed, and the window grows with each failure', async () => {
    server.on('/jwks', down());
    const { clock, events, validator } = observedKeySet({ random: () => 0.5 });
    const token = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    // random 0.5: the first window is 1000 + 0.5 * (3000 - 1000) = 2000 ms, the second 1000 + 0.5 * (6000 - 1000) = 3500 ms.
    expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    clock.advance(1999);
    expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(server.hits.get('/jwks')).toBe(1);
    clock.advance(1);
    expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(server.hits.get('/jwks')).toBe(2);
    clock.advance(3499);
    expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(server.hits.get('/jwks')).toBe(2);
    clock.advance(1);
    expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(server.hits.get('/jwks')).toBe(3);
    expect(failures(events).map((e) => e.type === 'jwks_fetch_failed' && [e.failures, e.errorCode])).toEqual([
      [1, 'ERR_JWKS_UNAVAILABLE'],
      [2, 'ERR_JWKS_UNAVAILABLE'],
      [3, 'ERR_JWKS_UNAVAILABLE'],
    ]);
    expect(failures(events).map((e) => e.type === 'jwks_fetch_failed' && e.retryInMs)).toEqual([2000, 3500, 1000 + 0.5 * (10_500 - 1000)]);
  });

  it('D10: after recovery the keys load and the backoff starts over', async () => {
    server.on('/jwks', down());
    const { clock, events, validator } = observedKeySet({ random: () => 0.5, maxStaleMs: 60_000, refreshIntervalMs: 3_600_000 });
    const token = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    for (const wait of [0, 2000, 3500]) {
      clock.advance(wait);
      expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    }
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    clock.advance(6250);
    expect(await outcome(validator.validate(token))).toBe('accepted');
    expect(await outcome(validator.validate(token))).toBe('accepted');
    expect(server.hits.get('/jwks')).toBe(4);
    // Down again and the keys too old to use: a cold start once more, whose first window is the shortest again.
    server.on('/jwks', down());
    clock.advance(60_001);
    expect(await outcome(validator.validate(token))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(server.hits.get('/jwks')).toBe(5);
    expect(events.at(-1)).toMatchObject({ type: 'jwks_fetch_failed', failures: 1, retryInMs: 2000 });
  });

  it('D10: concurrent validations during a cold start share one fetch, before and after the window', async () => {
    server.on('/jwks', (req, res) => setTimeout(() => down()(req, res), 30));
    const clock = manualClock();
    const validator = validatorOver(createRemoteKeySet({ jwksUri: `${server.url}/jwks`, clock: clock.now }));
    const token = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    const burst = () => Promise.all(Array.from({ length: 50 }, () => outcome(validator.validate(token))));
    expect(new Set(await burst())).toEqual(new Set(['ERR_JWKS_UNAVAILABLE']));
    expect(server.hits.get('/jwks')).toBe(1);
    expect(new Set(await burst())).toEqual(new Set(['ERR_JWKS_UNAVAILABLE']));
    expect(server.hits.get('/jwks')).toBe(1);
    clock.advance(30_000);
    expect(new Set(await burst())).toEqual(new Set(['ERR_JWKS_UNAVAILABLE']));
    expect(server.hits.get('/jwks')).toBe(2);
  });

  it('D10: each window is 1-30 s and at most 3x the one before, and no fetch starts inside it, whatever the jitter (property)', async () => {
    const clock = manualClock();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 6 }),
        async (draws) => {
          server.hits.clear();
          server.on('/jwks', down());
          let next = 0;
          const events: KeySetEvent[] = [];
          const keySet = createRemoteKeySet({
            jwksUri: `${server.url}/jwks`,
            clock: clock.now,
            random: () => draws[next++] ?? 0,
            onEvent: (e) => events.push(e),
          });
          let previous = 1000;
          for (let attempt = 1; attempt <= draws.length; attempt++) {
            await expect(keySet.getKey('k1')).rejects.toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
            expect(server.hits.get('/jwks')).toBe(attempt);
            const event = events.at(-1);
            if (event?.type !== 'jwks_fetch_failed') throw new Error('expected a jwks_fetch_failed event');
            expect(event.failures).toBe(attempt);
            expect(event.retryInMs).toBeGreaterThanOrEqual(1000);
            expect(event.retryInMs).toBeLessThanOrEqual(Math.min(30_000, 3 * previous));
            previous = event.retryInMs;
            // A millisecond before the window ends: refused without a fetch. Once it has ended: the next fetch.
            const inside = Math.floor(event.retryInMs) - 1;
            clock.advance(inside);
            await expect(keySet.getKey('k1')).rejects.toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
            expect(server.hits.get('/jwks')).toBe(attempt);
            clock.advance(Math.ceil(event.retryInMs) - inside);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('D08/D10: with keys loaded, unknown kids during an outage stay unknown_key, one refetch per cooldown as before', async () => {
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    const clock = manualClock();
    const validator = validatorOver(createRemoteKeySet({ jwksUri: `${server.url}/jwks`, clock: clock.now, cooldownMs: 30_000 }));
    const good = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    const rotated = signJwt('RS256', { kid: 'k2' }, claims(), k2.privateKey);
    expect(await outcome(validator.validate(good))).toBe('accepted');
    server.on('/jwks', down());
    const round = async () => {
      for (let i = 0; i < 10; i++) expect(await outcome(validator.validate(rotated))).toBe('ERR_TOKEN_INVALID:unknown_key');
      expect(await outcome(validator.validate(good))).toBe('accepted');
    };
    await round();
    expect(server.hits.get('/jwks')).toBe(1);
    clock.advance(30_000);
    await round();
    expect(server.hits.get('/jwks')).toBe(2);
    clock.advance(30_000);
    await round();
    expect(server.hits.get('/jwks')).toBe(3);
    server.on('/jwks', json({ keys: [k2.publicJwk, k1.publicJwk] }));
    clock.advance(30_000);
    expect(await outcome(validator.validate(rotated))).toBe('accepted');
  });

  it('D09: background refreshes during an outage back off instead of refetching on every validation', async () => {
    server.on('/jwks', json({ keys: [k1.publicJwk] }));
    const { clock, events, validator } = observedKeySet({ random: () => 0, refreshIntervalMs: 1000 });
    const token = signJwt('RS256', { kid: 'k1' }, claims(), k1.privateKey);
    expect(await outcome(validator.validate(token))).toBe('accepted');
    server.on('/jwks', down());
    clock.advance(1000);
    for (let i = 0; i < 20; i++) {
      expect(await outcome(validator.validate(token))).toBe('accepted');
      await sleep(2);
    }
    await expect.poll(() => failures(events).length).toBe(1);
    expect(server.hits.get('/jwks')).toBe(2);
    // random 0: the window is exactly 1000 ms.
    clock.advance(1000);
    expect(await outcome(validator.validate(token))).toBe('accepted');
    await expect.poll(() => server.hits.get('/jwks')).toBe(3);
  });
});
