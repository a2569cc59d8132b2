// Every client the adapters support, connected to a test server the way the README recommends:
// no offline queue, no retries per request, and an 'error' listener (node-redis and ioredis end
// the process on an unhandled one). Reconnects are quick so that restart tests stay short.
import { Redis as Ioredis6 } from 'ioredis';
import { Redis as Ioredis5 } from 'ioredis-v5';
import { Redis as Iovalkey } from 'iovalkey';
import { createClient as createRedis6 } from 'redis';
import { createClient as createRedis4 } from 'redis-v4';
import { createClient as createRedis5 } from 'redis-v5';
import { closeNodeRedis } from '../../src/client/from-node-redis.js';
import { fromIoredis, fromNodeRedis, type ValkeyCommands } from '../../src/index.js';

/** A connected client behind its adapter. */
export interface TestClient {
  readonly commands: ValkeyCommands;
  /** The same client behind an adapter told to close it with the store (`closeClient: true`). */
  readonly closingCommands: ValkeyCommands;
  /** Raw commands, for the tests' own inspection (`PEXPIRETIME`, `SCAN`, ...). */
  raw(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

/** One supported client library. */
export interface ClientKind {
  readonly name: string;
  /** Connects (waits for the connection unless `wait` is false). */
  connect(url: string, options?: { readonly wait?: boolean }): Promise<TestClient>;
}

const ignore = () => {};

function nodeRedis(name: string, create: typeof createRedis6 | typeof createRedis5 | typeof createRedis4): ClientKind {
  return {
    name,
    async connect(url, options) {
      const client = (create as typeof createRedis6)({ url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 50 } });
      client.on('error', ignore);
      const connecting = client.connect();
      if (options?.wait === false) connecting.catch(ignore);
      else await connecting;
      return {
        commands: fromNodeRedis(client),
        closingCommands: fromNodeRedis(client, { closeClient: true }),
        raw: (args) => client.sendCommand(args),
        close: () => closeNodeRedis(client),
      };
    },
  };
}

function ioredis(name: string, Client: typeof Ioredis6 | typeof Ioredis5 | typeof Iovalkey): ClientKind {
  return {
    name,
    async connect(url, options) {
      const client = new (Client as typeof Ioredis6)(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      client.on('error', ignore);
      if (options?.wait !== false) await new Promise((resolve) => client.once('ready', resolve));
      return {
        commands: fromIoredis(client),
        closingCommands: fromIoredis(client, { closeClient: true }),
        raw: ([command, ...args]) => client.call(command ?? 'PING', ...args),
        close: async () => {
          try {
            await client.quit();
          } catch {
            client.disconnect();
          }
        },
      };
    },
  };
}

export const nodeRedis6 = nodeRedis('redis 6 (node-redis)', createRedis6);
export const ioredis6 = ioredis('ioredis 6', Ioredis6);

/** Every supported client library, newest first. */
export const clientKinds: readonly ClientKind[] = [
  nodeRedis6,
  nodeRedis('redis 5 (node-redis)', createRedis5),
  nodeRedis('redis 4 (node-redis)', createRedis4),
  ioredis6,
  ioredis('ioredis 5', Ioredis5),
  ioredis('iovalkey 0.4', Iovalkey),
];
