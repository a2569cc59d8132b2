// What another app, or anyone who can read the Valkey, sees of the entries: keyed hashes and
// ciphertext bound to its key. Ends with a dump of every key and value this file wrote.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { clientCredentialsCacheKey, oboCacheKeyForScope } from '@nav-auth/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createValkeyTokenStore, type ValkeyStoreEvent, type ValkeyTokenStore } from '../src/index.js';
import { nodeRedis6, type TestClient } from './support/clients.js';
import { describeWithRedis } from './support/describe-with-redis.js';
import { type RedisServer, startRedisServer, stopRedisServers } from './support/redis-server.js';

const client = { provider: 'maskinporten', clientId: 'c0ffee00-client-id-7e57', issuer: 'https://test.maskinporten.no/' };
const scope = 'nav:secret-scope/read';
const subjectToken = `eyJraWQiOiJ1c2VyIn0.${randomBytes(48).toString('base64url')}.${randomBytes(64).toString('base64url')}`;
const ccKey = clientCredentialsCacheKey(scope, client);
const oboKey = oboCacheKeyForScope(
  'api://dev-gcp.team.api/.default',
  client,
)(createHash('sha256').update(subjectToken).digest('base64url'));
const jwt = () =>
  [
    Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url'),
    Buffer.from(JSON.stringify({ scope, client_id: client.clientId, jti: randomBytes(8).toString('hex') })).toString('base64url'),
    randomBytes(256).toString('base64url'),
  ].join('.');
const rsaJwk = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

describeWithRedis('createValkeyTokenStore: what Valkey holds', () => {
  let server: RedisServer;
  let redis: TestClient;
  const events: ValkeyStoreEvent[] = [];
  const tokens: string[] = [];
  const stores: ValkeyTokenStore[] = [];
  const namespaces: string[] = [];
  let seq = 0;
  const open = (options: { secret?: Uint8Array | string; privateJwk?: object | string; namespace?: string; clock?: () => number } = {}) => {
    const namespace = options.namespace ?? `sec-${++seq}`;
    namespaces.push(namespace);
    const store = createValkeyTokenStore({
      client: redis.commands,
      ...(options.privateJwk === undefined ? { secret: options.secret ?? randomBytes(32) } : { privateJwk: options.privateJwk }),
      namespace,
      onEvent: (e) => events.push(e),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    stores.push(store);
    return { store, namespace };
  };
  const issue = (lifetimeMs = 300_000) => {
    const accessToken = jwt();
    tokens.push(accessToken);
    return { accessToken, expiresAt: Date.now() + lifetimeMs, scopes: [scope] };
  };
  const keysOf = async (namespace: string) => ((await redis.raw(['KEYS', `${namespace}:*`])) as string[]).sort();
  const value = async (key: string) => (await redis.raw(['GET', key])) as string;
  /** The keys `action` created under `namespace`. */
  const written = async (namespace: string, action: () => Promise<unknown>) => {
    const before = new Set(await keysOf(namespace));
    await action();
    return (await keysOf(namespace)).filter((k) => !before.has(k));
  };

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await nodeRedis6.connect(server.url);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis.close();
    await stopRedisServers(server);
  });

  it('names entries by a keyed hash of the cache key, and locks by the same hash', async () => {
    const { store, namespace } = open();
    await store.set(ccKey, issue(), Date.now() + 60_000);
    const lock = await store.tryLock(ccKey, 5000);
    const all = await keysOf(namespace);
    const entryKey = all.find((k) => !k.includes(':lock:'));
    const lockKey = all.find((k) => k.includes(':lock:'));
    const hash = entryKey?.slice(`${namespace}:v1:`.length);
    expect(entryKey).toMatch(new RegExp(`^${namespace}:v1:[A-Za-z0-9_-]{43}$`));
    expect(lockKey).toBe(`${namespace}:v1:lock:${hash}`);
    // Not a plain hash either: nobody without the key can confirm a guessed cache key.
    expect(hash).not.toBe(createHash('sha256').update(ccKey).digest('base64url'));
    if (lock.state === 'acquired') await lock.release();
  });

  it('stores values as <token tag>.<base64url ciphertext>', async () => {
    const { store, namespace } = open();
    await store.set(oboKey, issue(), Date.now() + 60_000);
    const [key] = await keysOf(namespace);
    expect(await value(key ?? '')).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+$/);
  });

  it('binds a value to its key (AAD): a value copied to another key is a miss', async () => {
    const { store, namespace } = open();
    const [keyA = ''] = await written(namespace, () => store.set('cc|a', issue(), Date.now() + 60_000));
    const [keyB = ''] = await written(namespace, () => store.set('cc|b', issue(), Date.now() + 60_000));
    await redis.raw(['SET', keyB, await value(keyA)]);
    events.length = 0;
    expect(await store.get('cc|b')).toBeUndefined();
    expect(events).toEqual([{ type: 'shared_cache_decrypt_failed', reason: 'authentication' }]);
    expect(await store.get('cc|a')).toBeDefined();
  });

  it('keeps another app on the same Valkey from finding or reading the entries', async () => {
    const mine = open({ namespace: 'nav-auth-shared' });
    const theirs = open({ namespace: 'nav-auth-shared' });
    const stored = issue();
    const [mineKey = ''] = await written('nav-auth-shared', () => mine.store.set(ccKey, stored, Date.now() + 60_000));
    events.length = 0;
    // The same cache key names another entry for them: nothing to find.
    expect(await theirs.store.get(ccKey)).toBeUndefined();
    expect(events).toEqual([]);
    // Nor can they delete it, knowing the token.
    await theirs.store.deleteIfToken(ccKey, stored.accessToken);
    expect(await mine.store.get(ccKey)).toEqual(stored);
    // Copied under their key, the value does not decrypt with their key.
    const [theirKey = ''] = await written('nav-auth-shared', () => theirs.store.set(ccKey, issue(), Date.now() + 60_000));
    expect(theirKey).not.toBe(mineKey);
    await redis.raw(['SET', theirKey, await value(mineKey)]);
    events.length = 0;
    expect(await theirs.store.get(ccKey)).toBeUndefined();
    expect(events).toEqual([{ type: 'shared_cache_decrypt_failed', reason: 'authentication' }]);
  });

  it('derives the keys from the private JWK: the same key in any member order reads, a rotated one misses', async () => {
    const jwk = rsaJwk() as Record<string, string>;
    const reordered = Object.fromEntries(Object.entries(jwk).reverse());
    const namespace = 'nav-auth-jwk';
    const before = open({ privateJwk: jwk, namespace });
    const stored = issue();
    await before.store.set(oboKey, stored, Date.now() + 60_000);
    expect(await open({ privateJwk: JSON.stringify(reordered), namespace }).store.get(oboKey)).toEqual(stored);
    events.length = 0;
    const rotated = open({ privateJwk: rsaJwk(), namespace });
    expect(await rotated.store.get(oboKey)).toBeUndefined();
    // A miss, not an error: the rotated key names other entries.
    expect(events).toEqual([]);
    expect(rotated.store.stats).toMatchObject({ misses: 1, decryptFailures: 0, errors: 0 });
    // EC keys too.
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const ecStore = open({ privateJwk: ec, namespace });
    await ecStore.store.set(oboKey, stored, Date.now() + 60_000);
    expect(await open({ privateJwk: ec, namespace }).store.get(oboKey)).toEqual(stored);
  });

  it('treats an entry whose token has expired as a miss', async () => {
    let now = Date.now();
    const { store } = open({ clock: () => now });
    const stored = { ...issue(), expiresAt: now + 10_000 };
    await store.set(ccKey, stored, stored.expiresAt);
    expect(await store.get(ccKey)).toEqual(stored);
    now = stored.expiresAt;
    expect(await store.get(ccKey)).toBeUndefined();
  });

  it('reads tampered, foreign and oversized values as misses with a reason', async () => {
    const { store, namespace } = open();
    const stored = issue();
    await store.set(ccKey, stored, Date.now() + 60_000);
    const [key = ''] = await keysOf(namespace);
    const good = await value(key);
    const dot = good.indexOf('.');
    const flipped = `${good.slice(0, -2)}${good.at(-2) === 'A' ? 'B' : 'A'}${good.at(-1)}`;
    const otherTag = `${'A'.repeat(43)}${good.slice(dot)}`;
    const cases: [string, string][] = [
      [flipped, 'authentication'],
      ['not a value', 'malformed'],
      [`${good.slice(0, dot)}.`, 'malformed'],
      [otherTag, 'token_mismatch'],
      ['x'.repeat(17 * 1024), 'oversize'],
    ];
    for (const [raw, reason] of cases) {
      await redis.raw(['SET', key, raw]);
      events.length = 0;
      expect(await store.get(ccKey)).toBeUndefined();
      expect(events).toEqual([{ type: 'shared_cache_decrypt_failed', reason }]);
    }
    await redis.raw(['SET', key, good]);
    expect(await store.get(ccKey)).toEqual(stored);
  });

  it('does not store a token larger than maxValueBytes', async () => {
    const { store, namespace } = open();
    const huge = { ...issue(), accessToken: `${jwt()}${'A'.repeat(16 * 1024)}` };
    tokens.push(huge.accessToken);
    events.length = 0;
    await store.set(ccKey, huge, Date.now() + 60_000);
    expect(await keysOf(namespace)).toEqual([]);
    expect(events).toEqual([{ type: 'shared_cache_error', operation: 'set', reason: 'value_too_large' }]);
  });

  it('leaves nothing readable: no key or value holds a token, a JWT segment, a scope, a client id or a cache key', async () => {
    // A busy moment on top of what the tests above left: entries and locks for many users.
    const { store } = open({ namespace: 'nav-auth' });
    for (let user = 0; user < 20; user++) {
      const key = oboCacheKeyForScope(scope, client)(createHash('sha256').update(`${subjectToken}${user}`).digest('base64url'));
      await store.set(key, issue(), Date.now() + 60_000);
      await store.tryLock(key, 60_000);
    }
    const secrets = [
      ...tokens,
      ...tokens.flatMap((t) => t.split('.')),
      subjectToken,
      ...subjectToken.split('.'),
      createHash('sha256').update(subjectToken).digest('base64url'),
      scope,
      client.clientId,
      client.issuer,
      ccKey,
      oboKey,
    ].filter((s) => s.length >= 8);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = (await redis.raw(['SCAN', cursor, 'COUNT', '1000'])) as [string, string[]];
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThanOrEqual(50);
    const dump = await Promise.all(keys.map(async (key) => `${key}\n${await value(key)}`));
    for (const entry of dump)
      for (const secret of secrets) expect(entry.includes(secret), 'a stored key or value holds a secret').toBe(false);
    // Nor do the events.
    const reported = JSON.stringify(events);
    for (const secret of secrets) expect(reported.includes(secret)).toBe(false);
  });
});
