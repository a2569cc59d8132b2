import { type AdapterOptions, replyText } from './from-node-redis.js';
import type { ValkeyCommands } from './valkey-commands.js';

/**
 * The part of an ioredis client (`ioredis` 5 and 6) or of its fork `iovalkey` the adapter uses,
 * typed structurally so that this package needs no dependency on either.
 */
export interface IoredisClientLike {
  /** `GET key`: the value, or `null` when absent. */
  get(key: string): Promise<unknown>;
  /** `SET key value PXAT ms`: stores a value until an absolute Unix time in milliseconds. */
  set(key: string, value: string, pxatToken: 'PXAT', unixTimeMilliseconds: number): Promise<unknown>;
  /** `SET key value PX ms NX`: stores a value for a time only when the key is absent (`null` when it was not). */
  set(key: string, value: string, pxToken: 'PX', milliseconds: number, nx: 'NX'): Promise<unknown>;
  /** `EVAL script numKeys ...keys ...args`: runs a Lua script. */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** Closes the connection gracefully, after pending replies. */
  quit(): Promise<unknown>;
  /** Closes the connection at once. */
  disconnect(): void;
}

/**
 * Adapts an ioredis or iovalkey client to {@link ValkeyCommands}. Create the client with
 * `enableOfflineQueue: false` and `maxRetriesPerRequest: 0`, so that a command fails at once
 * while the connection is down instead of queueing or being retried past the store's timeout.
 *
 * @example
 * const client = new Redis(url, { username, password, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
 * client.on('error', () => {}); // reconnects by itself; the store reports failures as events
 * const commands = fromIoredis(client);
 */
export function fromIoredis(client: IoredisClientLike, options: AdapterOptions = {}): ValkeyCommands {
  const commands: ValkeyCommands = {
    get: async (key) => replyText(await client.get(key)),
    set: async (key, value, set) => {
      const reply = 'pxat' in set ? await client.set(key, value, 'PXAT', set.pxat) : await client.set(key, value, 'PX', set.px, 'NX');
      return reply !== null && reply !== undefined;
    },
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
  };
  if (options.closeClient === true) {
    commands.close = async () => {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    };
  }
  return commands;
}
