/**
 * @nav-auth/valkey: a token cache shared by every replica of an app, on Valkey or Redis, as the
 * second tier under each nav-auth token client (`sharedStore`).
 *
 * @example
 * import { createClient } from 'redis';
 * import { createValkeyTokenStore, fromNodeRedis, valkeyConnectionFromEnv } from '@nav-auth/valkey';
 *
 * const client = createClient({ ...valkeyConnectionFromEnv('tokens'), disableOfflineQueue: true });
 * client.on('error', () => {});
 * void client.connect().catch(() => {});
 * const sharedStore = createValkeyTokenStore({ client: fromNodeRedis(client), privateJwk: process.env.AZURE_APP_JWK });
 *
 * @packageDocumentation
 */
export type { IoredisClientLike } from './client/from-ioredis.js';
export { fromIoredis } from './client/from-ioredis.js';
export type { AdapterOptions, NodeRedisClientLike } from './client/from-node-redis.js';
export { fromNodeRedis } from './client/from-node-redis.js';
export type { ValkeyCommands, ValkeySetOptions } from './client/valkey-commands.js';
export type { ValkeyConnection } from './config/valkey-connection-from-env.js';
export { valkeyConnectionFromEnv } from './config/valkey-connection-from-env.js';
export type { DecryptFailure } from './crypto/entry-codec.js';
export type { CircuitState } from './store/circuit-breaker.js';
export type {
  ValkeyOperation,
  ValkeyStoreEvent,
  ValkeyTokenStore,
  ValkeyTokenStoreOptions,
  ValkeyTokenStoreStats,
} from './store/valkey-token-store.js';
export { createValkeyTokenStore } from './store/valkey-token-store.js';
