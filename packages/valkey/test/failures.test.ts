// A slow, full, dead and restarted redis-server: every call settles in about the command
// timeout, nothing rejects, the circuit opens and closes again, and startup never waits for Valkey.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createValkeyTokenStore, type ValkeyStoreEvent, type ValkeyTokenStore, type ValkeyTokenStoreOptions } from '../src/index.js';
import { type ClientKind, ioredis6, nodeRedis6, type TestClient } from './support/clients.js';
import { describeWithRedis } from './support/describe-with-redis.js';
import { type RedisServer, startRedisServer, stopRedisServers } from './support/redis-server.js';

const token = () => ({
  accessToken: `eyJ0eXAiOiJKV1QifQ.${randomBytes(24).toString('base64url')}.c2ln`,
  expiresAt: Date.now() + 60_000,
  scopes: undefined,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const value = await run();
  return [value, performance.now() - start];
};

for (const kind of [nodeRedis6, ioredis6] as ClientKind[]) {
  describeWithRedis(`createValkeyTokenStore when the server fails (${kind.name})`, () => {
    let server: RedisServer;
    const clients: TestClient[] = [];
    const stores: ValkeyTokenStore[] = [];
    let events: ValkeyStoreEvent[];
    const open = async (options: Partial<ValkeyTokenStoreOptions> = {}, wait = true) => {
      const client = await kind.connect(server.url, { wait });
      clients.push(client);
      const store = createValkeyTokenStore({
        client: client.commands,
        secret: 'a test secret of at least 32 bytes!',
        onEvent: (e) => events.push(e),
        ...options,
      });
      stores.push(store);
      return { store, client };
    };
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterEach(async () => {
      server.resume();
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await Promise.all(clients.splice(0).map((c) => c.close()));
    });
    afterAll(() => stopRedisServers(server));

    it('answers within about the command timeout when the server stops responding', async () => {
      events = [];
      const { store } = await open({ commandTimeoutMs: 50, breaker: { failures: 100 } });
      const stored = token();
      await store.set('cc|slow', stored, stored.expiresAt);
      server.pause();
      const [got, getMs] = await timed(() => store.get('cc|slow'));
      const [lock, lockMs] = await timed(() => store.tryLock('cc|slow', 5000));
      const [, setMs] = await timed(() => store.set('cc|slow', token(), Date.now() + 30_000));
      const [, deleteMs] = await timed(() => store.deleteIfToken('cc|slow', stored.accessToken));
      expect(got).toBeUndefined();
      expect(lock).toEqual({ state: 'unavailable' });
      for (const ms of [getMs, lockMs, setMs, deleteMs]) {
        expect(ms).toBeGreaterThanOrEqual(45);
        expect(ms).toBeLessThan(250);
      }
      expect(events).toEqual(
        ['get', 'lock', 'set', 'delete'].map((operation) => ({ type: 'shared_cache_error', operation, reason: 'timeout' })),
      );
      expect(store.stats).toMatchObject({ timeouts: 4, errors: 4, circuit: 'closed' });
      server.resume();
      // The late replies are dropped; the connection still pairs each reply with its command.
      await sleep(50);
      const fresh = token();
      await store.set('cc|after', fresh, fresh.expiresAt);
      expect(await store.get('cc|after')).toEqual(fresh);
    });

    it('keeps serving misses when the server is full, and reports the OOM', async () => {
      events = [];
      const { store, client } = await open();
      await client.raw(['CONFIG', 'SET', 'maxmemory', '1']);
      try {
        await store.set('cc|full', token(), Date.now() + 30_000);
        expect(events).toEqual([{ type: 'shared_cache_error', operation: 'set', reason: 'command_failed', code: 'OOM' }]);
        expect((await store.tryLock('cc|full', 5000)).state).toBe('unavailable');
        expect(await store.get('cc|full')).toBeUndefined();
      } finally {
        await client.raw(['CONFIG', 'SET', 'maxmemory', '0']);
      }
    });

    it('opens the circuit when the server dies, never rejects, and closes it after the server is back', async () => {
      events = [];
      const { store } = await open({ commandTimeoutMs: 50, breaker: { failures: 3, openMs: 200 } });
      const stored = token();
      await store.set('cc|dies', stored, stored.expiresAt);
      await server.kill();
      const calls = [
        ...Array.from({ length: 3 }, () => store.get('cc|dies')),
        store.set('cc|dies', token(), Date.now() + 30_000),
        store.tryLock('cc|dies', 5000),
        store.deleteIfToken('cc|dies', stored.accessToken),
      ];
      const settled = await Promise.allSettled(calls);
      expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
      expect(store.stats.circuit).toBe('open');
      const types = events.map((e) => e.type);
      expect(types.filter((t) => t === 'shared_cache_error').length).toBeGreaterThanOrEqual(3);
      expect(types).toContain('shared_cache_circuit_open');
      // While open, calls skip the server at once, and report it at most once a second.
      events = [];
      const [bypassed, ms] = await timed(() => Promise.all(Array.from({ length: 100 }, () => store.get('cc|dies'))));
      expect(bypassed.every((t) => t === undefined)).toBe(true);
      expect(ms).toBeLessThan(100);
      expect(events).toEqual([{ type: 'shared_cache_bypass', operation: 'get', reason: 'circuit_open' }]);

      await server.restart();
      const deadline = Date.now() + 5000;
      while (store.stats.circuit !== 'closed' && Date.now() < deadline) {
        await store.get('cc|dies');
        await sleep(50);
      }
      expect(store.stats.circuit).toBe('closed');
      expect(events.map((e) => e.type)).toContain('shared_cache_circuit_closed');
      const fresh = token();
      await store.set('cc|back', fresh, fresh.expiresAt);
      expect(await store.get('cc|back')).toEqual(fresh);
    });

    it('starts while the server is unreachable and uses it once it is up', async () => {
      events = [];
      await server.kill();
      const { store } = await open({ commandTimeoutMs: 50, breaker: { failures: 2, openMs: 100 } }, false);
      const [got, ms] = await timed(() => store.get('cc|startup'));
      expect(got).toBeUndefined();
      expect(ms).toBeLessThan(100);
      expect((await store.tryLock('cc|startup', 1000)).state).toBe('unavailable');
      await server.restart();
      const fresh = token();
      const deadline = Date.now() + 5000;
      while ((await store.get('cc|startup')) === undefined && Date.now() < deadline) {
        await store.set('cc|startup', fresh, fresh.expiresAt);
        await sleep(50);
      }
      expect(await store.get('cc|startup')).toEqual(fresh);
    });

    it('closes the client within bounded time while the server is dead', async () => {
      const client = await kind.connect(server.url);
      const store = createValkeyTokenStore({ client: client.closingCommands, secret: 'a test secret of at least 32 bytes!' });
      await server.kill();
      const [, ms] = await timed(() => store.close());
      expect(ms).toBeLessThan(2500);
      await server.restart();
    });

    it('ignores a listener that throws', async () => {
      const { store } = await open({
        commandTimeoutMs: 50,
        onEvent: () => {
          throw new Error('listener bug');
        },
      });
      server.pause();
      expect(await store.get('cc|listener')).toBeUndefined();
      server.resume();
    });

    it('turns every call into a miss or no-op after close', async () => {
      events = [];
      const { store } = await open();
      const stored = token();
      await store.set('cc|closed', stored, stored.expiresAt);
      await store.close();
      expect(await store.get('cc|closed')).toBeUndefined();
      expect((await store.tryLock('cc|closed', 1000)).state).toBe('unavailable');
      expect(events).toEqual([{ type: 'shared_cache_bypass', operation: 'get', reason: 'closed' }]);
    });
  });
}
