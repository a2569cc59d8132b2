import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { defaultDispatcher } from '../http/default-dispatcher.js';
import type { TokenCacheOptions } from './token-engine.js';

/** Options every token client takes. */
export interface TokenClientOptions extends TokenCacheOptions {
  /** undici dispatcher; default: a proxy agent when `HTTPS_PROXY` is set, else undici's global one. */
  readonly dispatcher?: Dispatcher;
  /** Makes a fresh `jti` for every grant and assertion, retries included (default `crypto.randomUUID`). */
  readonly randomId?: () => string;
}

/** The options with their defaults resolved. */
export function resolveClientOptions(options: TokenClientOptions) {
  return {
    dispatcher: options.dispatcher ?? defaultDispatcher(),
    randomId: options.randomId ?? randomUUID,
    clock: options.clock ?? Date.now,
  };
}
