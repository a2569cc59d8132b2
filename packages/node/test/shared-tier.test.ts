// The engine's second tier, with several clients standing in for replicas that share one store,
// against the local IdP (real token requests). The store here keeps the contract's semantics in
// memory (NX locks with an owner, absolute expiry, compare-and-delete); @nav-auth/valkey's own
// tests run the same contract on a real redis-server, across processes.
import { randomUUID } from 'node:crypto';
import { parseMaskinportenConfig } from '@nav-auth/core';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMaskinportenClient, type SharedLock, type SharedToken, type SharedTokenStore, type TokenEvent } from '../src/index.js';

class MemoryStore implements SharedTokenStore {
  readonly entries = new Map<string, { token: SharedToken; until: number }>();
  readonly locks = new Map<string, { owner: string; until: number }>();
  async get(key: string) {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.until > Date.now() ? entry.token : undefined;
  }
  async set(key: string, token: SharedToken, storeUntil: number) {
    this.entries.set(key, { token, until: storeUntil });
  }
  async tryLock(key: string, ttlMs: number): Promise<SharedLock> {
    const held = this.locks.get(key);
    if (held !== undefined && held.until > Date.now()) return { state: 'held' };
    const owner = randomUUID();
    this.locks.set(key, { owner, until: Date.now() + ttlMs });
    return {
      state: 'acquired',
      release: async () => {
        if (this.locks.get(key)?.owner === owner) this.locks.delete(key);
      },
    };
  }
  async deleteIfToken(key: string, accessToken: string) {
    if (this.entries.get(key)?.token.accessToken === accessToken) this.entries.delete(key);
  }
}

let idp: LocalIdp;
let env: Record<string, string>;
beforeAll(async () => {
  idp = await startLocalIdp();
  env = { ...(await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a', 'nav:b', 'nav:c', 'nav:d', 'nav:e'] })).env };
});
afterAll(() => idp.close());

const tokenRequests = () => idp.requests.filter((r) => r.endpoint === 'maskinporten.token').length;
const replica = (sharedStore: SharedTokenStore, events?: TokenEvent[]) =>
  createMaskinportenClient({
    config: parseMaskinportenConfig(env),
    sharedStore,
    ...(events === undefined ? {} : { onEvent: (e) => events.push(e) }),
  });

describe('the shared tier under the engine', () => {
  it("gives a replica another replica's token without a request", async () => {
    const store = new MemoryStore();
    const before = tokenRequests();
    const first = await replica(store).getToken('nav:a');
    const events: TokenEvent[] = [];
    const second = await replica(store, events).getToken('nav:a');
    expect(second.token).toBe(first.token);
    expect(second.expiresAt.getTime()).toBe(first.expiresAt.getTime());
    expect(tokenRequests() - before).toBe(1);
    expect(events.map((e) => e.type)).toContain('shared_hit');
  });

  it('8 replicas x 250 concurrent cold callers send one token request', async () => {
    const store = new MemoryStore();
    const replicas = Array.from({ length: 8 }, () => replica(store));
    const before = tokenRequests();
    const tokens = await Promise.all(replicas.flatMap((client) => Array.from({ length: 250 }, () => client.getToken('nav:b'))));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(tokenRequests() - before).toBe(1);
  });

  it('drops a refused token once: fifty replicas seeing one 401 do not each evict the fresh token', async () => {
    const store = new MemoryStore();
    const replicas = Array.from({ length: 50 }, () => replica(store));
    const first = await replicas[0]?.getToken('nav:c');
    await Promise.all(replicas.map((client) => client.getToken('nav:c')));
    const before = tokenRequests();
    const refreshed = await Promise.all(replicas.map((client) => client.getToken('nav:c', { forceRefresh: true })));
    expect(tokenRequests() - before).toBe(1);
    expect(new Set(refreshed.map((t) => t.token)).size).toBe(1);
    expect(refreshed[0]?.token).not.toBe(first?.token);
  });

  it('fetches anyway after a bounded wait when the lock holder never publishes', async () => {
    const store = new MemoryStore();
    const held = await store.tryLock('never-published', 60_000);
    expect(held.state).toBe('acquired');
    // Any key: hold every lock this store will be asked for.
    store.tryLock = async () => ({ state: 'held' });
    const client = createMaskinportenClient({ config: parseMaskinportenConfig(env), sharedStore: store, sharedLockWaitMs: 200 });
    const started = performance.now();
    const before = tokenRequests();
    await client.getToken('nav:d');
    expect(tokenRequests() - before).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('keeps tokens flowing when the store fails, rejects or hangs past its own timeout', async () => {
    const failing: SharedTokenStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      tryLock: () => Promise.reject(new Error('down')),
      deleteIfToken: () => Promise.reject(new Error('down')),
    };
    const client = replica(failing);
    const token = await client.getToken('nav:e');
    expect((await client.getToken('nav:e', { forceRefresh: true })).token).not.toBe(token.token);
    const never = new Promise<never>(() => {});
    const hanging: SharedTokenStore = { get: () => never, set: () => never, tryLock: () => never, deleteIfToken: () => never };
    const started = performance.now();
    await replica(hanging).getToken('nav:e');
    // Read, lock and write each given up after the engine's bound (250 ms), never waited on for good.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
