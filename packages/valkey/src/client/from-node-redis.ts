import type { ValkeyCommands } from './valkey-commands.js';

/**
 * The part of a node-redis client (`redis` 4, 5 and 6, or `@redis/client`) the adapter uses,
 * typed structurally so that this package needs no dependency on it.
 */
export interface NodeRedisClientLike {
  /** `GET key`: the value, or `null` when absent. */
  get(key: string): Promise<unknown>;
  // The option names that every major from 4 to 6 reads (5 and 6 also take `expiration`/`condition`).
  /** `SET key value` with `PXAT` (absolute expiry) or `NX PX` (only when absent, with a lifetime). */
  set(key: string, value: string, options: { PXAT: number } | { NX: true; PX: number }): Promise<unknown>;
  /** `EVAL`: runs a Lua script over the given keys and arguments. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Whether the client is connected and ready for commands. */
  readonly isReady?: boolean;
  /** Closes the connection gracefully (node-redis 5 and 6). */
  close?(): Promise<unknown>;
  /** Closes the connection gracefully (node-redis 4). */
  quit?(): Promise<unknown>;
  /** Closes the connection at once (node-redis 5 and 6). */
  destroy?(): unknown;
  /** Closes the connection at once (node-redis 4). */
  disconnect?(): Promise<unknown>;
}

/** Options of {@link fromNodeRedis} and {@link fromIoredis}. */
export interface AdapterOptions {
  /** Close the client when the store is closed (default `false`: the client is yours). */
  readonly closeClient?: boolean;
}

/**
 * Adapts a node-redis client to {@link ValkeyCommands}. Create the client with
 * `disableOfflineQueue: true`, so that commands fail at once while it is disconnected instead of
 * queueing until they time out, and listen to its `'error'` event (an unhandled one ends the process).
 *
 * @example
 * const client = createClient({ url, username, password, disableOfflineQueue: true });
 * client.on('error', () => {}); // reconnects by itself; the store reports failures as events
 * void client.connect().catch(() => {});
 * const commands = fromNodeRedis(client);
 */
export function fromNodeRedis(client: NodeRedisClientLike, options: AdapterOptions = {}): ValkeyCommands {
  const commands: ValkeyCommands = {
    get: async (key) => replyText(await client.get(key)),
    set: async (key, value, set) => {
      const reply = await client.set(key, value, 'pxat' in set ? { PXAT: set.pxat } : { NX: true, PX: set.px });
      return reply !== null && reply !== undefined;
    },
    eval: (script, keys, args) => client.eval(script, { keys: [...keys], arguments: [...args] }),
  };
  if (options.closeClient === true) commands.close = () => closeNodeRedis(client);
  return commands;
}

/**
 * Closes a node-redis client whatever its state: 5 and 6 `close()` (replies in flight still
 * arrive); 4 `quit()` when connected, else `disconnect()`, since a QUIT never settles while it
 * reconnects.
 */
export async function closeNodeRedis(client: NodeRedisClientLike): Promise<void> {
  try {
    if (client.close !== undefined) await client.close();
    else if (client.isReady === true) await client.quit?.();
    else await client.disconnect?.();
  } catch {
    try {
      await (client.destroy ?? client.disconnect)?.call(client);
    } catch {
      // Already closed.
    }
  }
}

/** A bulk string reply as text: clients may hand back a Buffer (RESP3 type mappings) or a string. */
export function replyText(reply: unknown): string | null {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === 'string') return reply;
  if (reply instanceof Uint8Array) return Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength).toString('utf8');
  return null;
}
