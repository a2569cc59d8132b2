import { isNavAuthError } from '@nav-auth/core';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { fromNodeRedis } from '../client/from-node-redis.js';
import { createValkeyTokenStore, type ValkeyTokenStoreOptions } from './valkey-token-store.js';

// A real node-redis client that is never connected: creating a store sends nothing.
const client = fromNodeRedis(createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true }));
const secret = 'a test secret of at least 32 bytes!';

const problems = (options: Partial<ValkeyTokenStoreOptions>) => {
  try {
    createValkeyTokenStore({ client, secret, ...options } as ValkeyTokenStoreOptions);
  } catch (error) {
    if (isNavAuthError(error, 'ERR_CONFIG')) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
};

describe('createValkeyTokenStore', () => {
  it('needs a secret or a private JWK', () => {
    expect(problems({ secret: undefined })).toEqual(['secret']);
    expect(problems({ secret: undefined, privateJwk: undefined })).toEqual(['secret']);
  });

  it('checks its options, all at once', () => {
    expect(
      problems({
        client: {} as ValkeyTokenStoreOptions['client'],
        namespace: 'has spaces',
        commandTimeoutMs: 0,
        maxValueBytes: 10,
        breaker: { failures: 0, openMs: -1 },
        secret: 'short',
      }),
    ).toEqual(['client', 'namespace', 'commandTimeoutMs', 'maxValueBytes', 'breaker.failures', 'breaker.openMs', 'secret']);
    expect(problems({ namespace: 'team.app:tokens_v2-x' })).toEqual([]);
  });

  it('starts with zero counters and a closed circuit', () => {
    const store = createValkeyTokenStore({ client, secret });
    expect(store.stats).toEqual({
      hits: 0,
      misses: 0,
      writes: 0,
      skippedWrites: 0,
      locksAcquired: 0,
      locksHeld: 0,
      locksUnavailable: 0,
      deletes: 0,
      errors: 0,
      timeouts: 0,
      bypasses: 0,
      decryptFailures: 0,
      circuit: 'closed',
    });
  });
});
