/** How long a `SET` keeps its value: until an absolute time (`PXAT`), or, for a lock, only if absent and for a while (`NX PX`). */
export type ValkeySetOptions = { readonly pxat: number } | { readonly nx: true; readonly px: number };

/**
 * The few commands the shared token store sends, so that any Valkey or Redis client fits behind
 * a small adapter ({@link fromNodeRedis}, {@link fromIoredis}). Rejections and slowness are
 * fine: the store times every call out and never lets a failure reach a caller.
 */
export interface ValkeyCommands {
  /** `GET key`: the value, or `null` when there is none. */
  get(key: string): Promise<string | null>;
  /** `SET key value PXAT t` or `SET key value NX PX ms`: true when the value was written. */
  set(key: string, value: string, options: ValkeySetOptions): Promise<boolean>;
  /** `EVAL script numkeys ...keys ...args`: the script's reply. */
  eval(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** Closes the connection; the store's `close()` calls it when present (adapters set it on request). */
  close?(): Promise<void>;
}
