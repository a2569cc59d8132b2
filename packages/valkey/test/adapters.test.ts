// The store's contract on a real redis-server through every supported client library: the same
// behaviour whether the app uses node-redis (4, 5, 6), ioredis (5, 6) or iovalkey.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createValkeyTokenStore, type ValkeyStoreEvent, type ValkeyTokenStore } from '../src/index.js';
import { clientKinds, type TestClient } from './support/clients.js';
import { describeWithRedis } from './support/describe-with-redis.js';
import { type RedisServer, startRedisServer, stopRedisServers } from './support/redis-server.js';

const secret = randomBytes(32);
const token = (name: string, lifetimeMs = 60_000) => ({
  accessToken: `eyJhbGciOiJSUzI1NiJ9.${name}-${randomBytes(8).toString('base64url')}.c2lnbmF0dXJl`,
  expiresAt: Date.now() + lifetimeMs,
  scopes: ['nav:test/scope'] as readonly string[],
});

describeWithRedis('createValkeyTokenStore on every supported client', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => stopRedisServers(server));

  for (const kind of clientKinds) {
    describe(`with ${kind.name}`, () => {
      let client: TestClient;
      let other: TestClient;
      let store: ValkeyTokenStore;
      let replica: ValkeyTokenStore;
      const events: ValkeyStoreEvent[] = [];
      const namespace = `adapters-${kind.name.replace(/\W+/g, '-')}`;
      beforeAll(async () => {
        client = await kind.connect(server.url);
        other = await kind.connect(server.url);
        store = createValkeyTokenStore({ client: client.commands, secret, namespace, onEvent: (e) => events.push(e) });
        // Another replica of the same app: its own connection, the same secret.
        replica = createValkeyTokenStore({ client: other.commands, secret, namespace });
      });
      afterAll(async () => {
        await Promise.all([store.close(), replica.close()]);
        await Promise.all([client.close(), other.close()]);
      });
      const storageKeys = async () => ((await client.raw(['KEYS', `${namespace}:v1:*`])) as string[]).filter((k) => !k.includes(':lock:'));

      it('round-trips a token between replicas', async () => {
        const stored = token('round-trip');
        await store.set('cc|round-trip', stored, stored.expiresAt - 5000);
        expect(await replica.get('cc|round-trip')).toEqual({ ...stored, scopes: ['nav:test/scope'] });
        const unscoped = { ...token('unscoped'), scopes: undefined };
        await store.set('cc|unscoped', unscoped, unscoped.expiresAt);
        expect(await replica.get('cc|unscoped')).toEqual(unscoped);
        expect(await replica.get('cc|never-stored')).toBeUndefined();
      });

      it('stores with an absolute expiry (PXAT), never past the token', async () => {
        const stored = token('pxat');
        const storeUntil = stored.expiresAt - 5000.6;
        await store.set('cc|pxat', stored, storeUntil);
        const expiries = await Promise.all((await storageKeys()).map((k) => client.raw(['PEXPIRETIME', k])));
        expect(expiries).toContain(Math.floor(storeUntil));

        const short = token('short', 30_000);
        await store.set('cc|past-token', short, short.expiresAt + 60_000);
        const expiriesAfter = await Promise.all((await storageKeys()).map((k) => client.raw(['PEXPIRETIME', k])));
        expect(expiriesAfter).toContain(short.expiresAt);
      });

      it('does not store a token with less than a second to live', async () => {
        const before = store.stats.skippedWrites;
        const dying = token('dying', 900);
        await store.set('cc|dying', dying, dying.expiresAt);
        expect(store.stats.skippedWrites).toBe(before + 1);
        expect(await replica.get('cc|dying')).toBeUndefined();
      });

      it('gives the fetch lock to one replica and lets only its holder release it', async () => {
        const first = await store.tryLock('cc|lock', 5000);
        expect(first.state).toBe('acquired');
        expect((await replica.tryLock('cc|lock', 5000)).state).toBe('held');
        expect((await store.tryLock('cc|lock', 5000)).state).toBe('held');
        if (first.state === 'acquired') await first.release();
        const second = await replica.tryLock('cc|lock', 5000);
        expect(second.state).toBe('acquired');
        // A second release of the first lock must not free the lock the replica now holds.
        if (first.state === 'acquired') await first.release();
        expect((await store.tryLock('cc|lock', 5000)).state).toBe('held');
        if (second.state === 'acquired') await second.release();
      });

      it('keeps a lock until its ttl, and a late release never frees the next holder', async () => {
        const first = await store.tryLock('cc|expiring-lock', 100);
        expect(first.state).toBe('acquired');
        await new Promise((resolve) => setTimeout(resolve, 150));
        const second = await replica.tryLock('cc|expiring-lock', 5000);
        expect(second.state).toBe('acquired');
        if (first.state === 'acquired') await first.release();
        expect((await store.tryLock('cc|expiring-lock', 5000)).state).toBe('held');
        const lockKeys = (await client.raw(['KEYS', `${namespace}:v1:lock:*`])) as string[];
        const ttls = (await Promise.all(lockKeys.map((k) => client.raw(['PTTL', k])))) as number[];
        expect(ttls.some((ttl) => ttl > 4000)).toBe(true);
        if (second.state === 'acquired') await second.release();
      });

      it('deletes an entry only while it holds the refused token', async () => {
        const refused = token('refused');
        await store.set('cc|refused', refused, refused.expiresAt);
        await replica.deleteIfToken('cc|refused', token('some-other').accessToken);
        expect(await store.get('cc|refused')).toEqual(refused);
        await replica.deleteIfToken('cc|refused', refused.accessToken);
        expect(await store.get('cc|refused')).toBeUndefined();
      });

      it('keeps the fresh token when a later replica reports the old one refused', async () => {
        const old = token('old');
        const fresh = token('fresh');
        await store.set('cc|fresh', old, old.expiresAt);
        await store.deleteIfToken('cc|fresh', old.accessToken);
        await store.set('cc|fresh', fresh, fresh.expiresAt);
        // Forty-nine more replicas saw the same 401 on the old token.
        await Promise.all(Array.from({ length: 49 }, () => replica.deleteIfToken('cc|fresh', old.accessToken)));
        expect(await replica.get('cc|fresh')).toEqual(fresh);
      });

      it('closes the client with the store only when the adapter was told to', async () => {
        const own = await kind.connect(server.url);
        const kept = createValkeyTokenStore({ client: own.commands, secret, namespace });
        await kept.close();
        expect(await own.raw(['PING'])).toBe('PONG');
        const closing = createValkeyTokenStore({ client: own.closingCommands, secret, namespace });
        const stored = token('closing');
        await closing.set('cc|closing', stored, stored.expiresAt);
        await closing.close();
        await expect(own.raw(['PING'])).rejects.toThrow();
        expect(await replica.get('cc|closing')).toEqual(stored);
      });

      it('reports nothing when all is well', () => {
        expect(events).toEqual([]);
        expect(store.stats).toMatchObject({ errors: 0, bypasses: 0, decryptFailures: 0, circuit: 'closed' });
      });
    });
  }
});
