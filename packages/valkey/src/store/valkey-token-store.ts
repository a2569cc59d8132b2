import { randomBytes } from 'node:crypto';
import { ConfigError, type ConfigProblem, isNavAuthError } from '@nav-auth/core';
import type { SharedLock, SharedToken, SharedTokenStore } from '@nav-auth/node';
import type { ValkeyCommands } from '../client/valkey-commands.js';
import { createEntryCodec, type DecryptFailure } from '../crypto/entry-codec.js';
import { deriveStoreKeys, type StoreKeys } from '../crypto/store-keys.js';
import { type CircuitState, createCircuitBreaker } from './circuit-breaker.js';
import { DELETE_IF_TOKEN, RELEASE_LOCK } from './lua-scripts.js';

/** The store's command kinds, as events name them. */
export type ValkeyOperation = 'get' | 'set' | 'lock' | 'unlock' | 'delete';

/**
 * What the store reports: never a key, a value, a token or key material. `code` is a client or
 * server error code (`ECONNREFUSED`, `NOPERM`, `OOM`, `ClientClosedError`) when one is known.
 */
export type ValkeyStoreEvent =
  | {
      readonly type: 'shared_cache_error';
      readonly operation: ValkeyOperation;
      readonly reason: 'timeout' | 'command_failed' | 'value_too_large';
      readonly code?: string;
    }
  /** Calls skipped while the circuit is open; at most one such event per second. */
  | { readonly type: 'shared_cache_bypass'; readonly operation: ValkeyOperation; readonly reason: 'circuit_open' | 'closed' }
  | { readonly type: 'shared_cache_decrypt_failed'; readonly reason: DecryptFailure }
  | { readonly type: 'shared_cache_circuit_open'; readonly reason: 'consecutive_failures' | 'probe_failed' }
  | { readonly type: 'shared_cache_circuit_closed'; readonly reason: 'probe_succeeded' };

/** Options of {@link createValkeyTokenStore}. */
export interface ValkeyTokenStoreOptions {
  /** The connection, through {@link fromNodeRedis}, {@link fromIoredis} or your own adapter. */
  readonly client: ValkeyCommands;
  /** At least 32 bytes, the same on every replica; wins over `privateJwk`. */
  readonly secret?: string | Uint8Array | undefined;
  /**
   * The app's own private JWK (`AZURE_APP_JWK`, `MASKINPORTEN_CLIENT_JWK`), as an object or its
   * JSON: the keys are derived from its private members when there is no `secret`.
   */
  readonly privateJwk?: object | string | undefined;
  /** Prefix of every storage key (default `nav-auth`); letters, digits and `.`, `_`, `-`, `:`. */
  readonly namespace?: string;
  /** Deadline of each command (default 50 ms); a command past it is a miss, an `unavailable` lock or a no-op. */
  readonly commandTimeoutMs?: number;
  /** Largest stored value (default 16 KiB): larger tokens are not stored, larger values are not read. */
  readonly maxValueBytes?: number;
  /** Opens after `failures` consecutive failures (default 5) for `openMs` (default 10 s), then probes once. */
  readonly breaker?: { readonly failures?: number; readonly openMs?: number };
  /** Receives {@link ValkeyStoreEvent}s, e.g. for metrics; exceptions are ignored. */
  readonly onEvent?: (event: ValkeyStoreEvent) => void;
  /** Milliseconds since the epoch (default `Date.now`); the expiry checks and the breaker use it. */
  readonly clock?: () => number;
}

/** Counters since creation, and the circuit's state. */
export interface ValkeyTokenStoreStats {
  readonly hits: number;
  /** Absent, expired or unreadable entries, and gets skipped while the circuit was open. */
  readonly misses: number;
  readonly writes: number;
  /** Tokens not stored: too close to expiry, or too large. */
  readonly skippedWrites: number;
  readonly locksAcquired: number;
  readonly locksHeld: number;
  readonly locksUnavailable: number;
  /** Compare-and-delete calls that deleted an entry. */
  readonly deletes: number;
  /** Failed commands, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  /** Calls skipped because the circuit was open or the store closed. */
  readonly bypasses: number;
  readonly decryptFailures: number;
  readonly circuit: CircuitState;
}

/** A {@link SharedTokenStore} on Valkey or Redis; see {@link createValkeyTokenStore}. */
export interface ValkeyTokenStore extends SharedTokenStore {
  /** Waits for commands in flight, then turns every call into a miss or no-op; closes the client if its adapter was told to. */
  close(): Promise<void>;
  /** A snapshot of the counters. */
  readonly stats: ValkeyTokenStoreStats;
}

const MIN_STORE_MS = 1000;
const BYPASS_EVENT_INTERVAL_MS = 1000;
const CLOSE_TIMEOUT_MS = 2000;
const namespacePattern = /^[A-Za-z0-9._:-]{1,64}$/;
const TIMEOUT = Symbol('timeout');

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/**
 * The shared token tier on Valkey or Redis: storage keys are a keyed hash of core's cache keys,
 * values are AES-256-GCM bound to their key, entries expire at an absolute time (`PXAT`), a short
 * `SET NX PX` lock lets one replica fetch while the others wait, and compare-and-delete drops a
 * refused token only once. Every command has a deadline and a circuit breaker stands in front of
 * them: a slow or dead server makes misses, never errors, and nothing here ever rejects.
 *
 * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} `ERR_CONFIG` when no usable encryption key is given (`privateJwk` or `keys`).
 *
 * @example
 * import { createClient } from 'redis';
 * import { createValkeyTokenStore, fromNodeRedis, valkeyConnectionFromEnv } from '@nav-auth/valkey';
 *
 * const client = createClient({ ...valkeyConnectionFromEnv('tokens'), disableOfflineQueue: true });
 * client.on('error', () => {});
 * void client.connect().catch(() => {});
 * const sharedStore = createValkeyTokenStore({ client: fromNodeRedis(client), privateJwk: process.env.AZURE_APP_JWK });
 */
export function createValkeyTokenStore(options: ValkeyTokenStoreOptions): ValkeyTokenStore {
  const settings = checkOptions(options);
  const codec = createEntryCodec(settings.keys, settings.namespace);
  const client = options.client;
  const clock = options.clock ?? Date.now;
  const emit = (event: ValkeyStoreEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // Reporting never changes an outcome.
    }
  };
  const breaker = createCircuitBreaker({
    failures: settings.failures,
    openMs: settings.openMs,
    clock,
    onTransition: (t) =>
      emit(
        t.state === 'open'
          ? { type: 'shared_cache_circuit_open', reason: t.reason }
          : { type: 'shared_cache_circuit_closed', reason: t.reason },
      ),
  });
  const counters = {
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
  };
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  let lastBypassEvent = Number.NEGATIVE_INFINITY;

  /** Sends one command through the breaker with a deadline; settles with its value or `{ ok: false }`. */
  async function run<T>(operation: ValkeyOperation, command: () => Promise<T>): Promise<Outcome<T>> {
    const admission = closed ? false : breaker.admit();
    if (admission === false) {
      counters.bypasses++;
      const now = clock();
      if (now - lastBypassEvent >= BYPASS_EVENT_INTERVAL_MS) {
        lastBypassEvent = now;
        emit({ type: 'shared_cache_bypass', operation, reason: closed ? 'closed' : 'circuit_open' });
      }
      return { ok: false };
    }
    const attempt = withDeadline(command, settings.commandTimeoutMs);
    inFlight.add(attempt);
    try {
      const value = await attempt;
      breaker.settle(admission, true);
      return { ok: true, value };
    } catch (error) {
      breaker.settle(admission, false);
      counters.errors++;
      if (error === TIMEOUT) counters.timeouts++;
      const code = error === TIMEOUT ? undefined : errorCode(error);
      emit({
        type: 'shared_cache_error',
        operation,
        reason: error === TIMEOUT ? 'timeout' : 'command_failed',
        ...(code === undefined ? {} : { code }),
      });
      return { ok: false };
    } finally {
      inFlight.delete(attempt);
    }
  }

  async function get(key: string): Promise<SharedToken | undefined> {
    const entryKey = codec.entryKey(key);
    const reply = await run('get', () => client.get(entryKey));
    if (!reply.ok || reply.value === null) {
      counters.misses++;
      return undefined;
    }
    const opened = codec.open(entryKey, reply.value, settings.maxValueBytes);
    if (!opened.ok) {
      counters.decryptFailures++;
      counters.misses++;
      emit({ type: 'shared_cache_decrypt_failed', reason: opened.reason });
      return undefined;
    }
    if (opened.token.expiresAt <= clock()) {
      counters.misses++;
      return undefined;
    }
    counters.hits++;
    return opened.token;
  }

  async function set(key: string, token: SharedToken, storeUntil: number): Promise<void> {
    // The entry never outlives its token, and one that would live under a second is not worth a
    // round trip (it also guards against a clock running ahead of the server's).
    const until = Math.floor(Math.min(storeUntil, token.expiresAt));
    if (!(until - clock() >= MIN_STORE_MS) || typeof token.accessToken !== 'string' || token.accessToken.length === 0) {
      counters.skippedWrites++;
      return;
    }
    const entryKey = codec.entryKey(key);
    const value = codec.seal(entryKey, token);
    if (value.length > settings.maxValueBytes) {
      counters.skippedWrites++;
      emit({ type: 'shared_cache_error', operation: 'set', reason: 'value_too_large' });
      return;
    }
    const reply = await run('set', () => client.set(entryKey, value, { pxat: until }));
    if (reply.ok) counters.writes++;
  }

  async function tryLock(key: string, ttlMs: number): Promise<SharedLock> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      counters.locksUnavailable++;
      return { state: 'unavailable' };
    }
    const lockKey = codec.lockKey(key);
    const nonce = randomBytes(16).toString('base64url');
    const reply = await run('lock', () => client.set(lockKey, nonce, { nx: true, px: Math.ceil(ttlMs) }));
    if (!reply.ok) {
      counters.locksUnavailable++;
      return { state: 'unavailable' };
    }
    if (!reply.value) {
      counters.locksHeld++;
      return { state: 'held' };
    }
    counters.locksAcquired++;
    let released: Promise<void> | undefined;
    return {
      state: 'acquired',
      release: () => {
        // Once only: a second release could delete a lock another replica took after this one expired.
        released ??= run('unlock', () => client.eval(RELEASE_LOCK, [lockKey], [nonce])).then(() => undefined);
        return released;
      },
    };
  }

  async function deleteIfToken(key: string, accessToken: string): Promise<void> {
    if (typeof accessToken !== 'string' || accessToken.length === 0) return;
    const reply = await run('delete', () => client.eval(DELETE_IF_TOKEN, [codec.entryKey(key)], [codec.tokenTag(accessToken)]));
    if (reply.ok && Number(reply.value) > 0) counters.deletes++;
  }

  return {
    get: (key) => neverRejects(() => get(key), undefined),
    set: (key, token, storeUntil) => neverRejects(() => set(key, token, storeUntil), undefined),
    tryLock: (key, ttlMs) => neverRejects(() => tryLock(key, ttlMs), { state: 'unavailable' } as const),
    deleteIfToken: (key, accessToken) => neverRejects(() => deleteIfToken(key, accessToken), undefined),
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
      // Bounded, so that a shutdown never hangs on a server that stopped answering.
      const closeClient = client.close?.bind(client);
      if (closeClient !== undefined) await neverRejects(() => withDeadline(closeClient, CLOSE_TIMEOUT_MS), undefined);
    },
    get stats(): ValkeyTokenStoreStats {
      return { ...counters, circuit: breaker.state };
    },
  };
}

/** Runs `command` with a deadline: rejects with {@link TIMEOUT} past it, and never leaves a rejection unhandled. */
function withDeadline<T>(command: () => Promise<T>, timeoutMs: number): Promise<T> {
  let pending: Promise<T>;
  try {
    pending = Promise.resolve(command());
  } catch (error) {
    return Promise.reject(error);
  }
  // The command may still fail after its deadline; nobody waits for it then.
  pending.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(TIMEOUT), timeoutMs);
    timer.unref();
  });
  return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
}

async function neverRejects<T>(operation: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await operation();
  } catch {
    return fallback;
  }
}

/** A code safe to report: an errno-style or error-class name, or a Redis error prefix; never message text. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,39}$/.test(code)) return code;
  // Redis replies with errors like "NOPERM ...", "OOM ...", "WRONGPASS ...": the first word is the code.
  const prefix = typeof message === 'string' ? /^([A-Z]{2,20})(?= )/.exec(message)?.[1] : undefined;
  if (prefix !== undefined) return prefix;
  if (typeof name === 'string' && /^[A-Za-z]{1,40}Error$/.test(name) && name !== 'Error') return name;
  return undefined;
}

function checkOptions(options: ValkeyTokenStoreOptions) {
  const problems: ConfigProblem[] = [];
  const client = options.client as Partial<ValkeyCommands> | undefined;
  if (typeof client?.get !== 'function' || typeof client.set !== 'function' || typeof client.eval !== 'function')
    problems.push({ variable: 'client', reason: 'must have get, set and eval (use fromNodeRedis or fromIoredis)' });
  const namespace = options.namespace ?? 'nav-auth';
  if (typeof namespace !== 'string' || !namespacePattern.test(namespace))
    problems.push({ variable: 'namespace', reason: 'must be 1-64 letters, digits, ".", "_", "-" or ":"' });
  const positive = (variable: string, value: number | undefined, fallback: number, min: number) => {
    const chosen = value ?? fallback;
    if (typeof chosen !== 'number' || !Number.isFinite(chosen) || chosen < min)
      problems.push({ variable, reason: `must be a number >= ${min}` });
    return chosen;
  };
  const settings = {
    namespace,
    commandTimeoutMs: positive('commandTimeoutMs', options.commandTimeoutMs, 50, 1),
    maxValueBytes: positive('maxValueBytes', options.maxValueBytes, 16 * 1024, 256),
    failures: Math.ceil(positive('breaker.failures', options.breaker?.failures, 5, 1)),
    openMs: positive('breaker.openMs', options.breaker?.openMs, 10_000, 0),
  };
  let keys: StoreKeys | undefined;
  try {
    keys = deriveStoreKeys({ secret: options.secret, privateJwk: options.privateJwk });
  } catch (error) {
    if (!isNavAuthError(error, 'ERR_CONFIG')) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || keys === undefined) throw new ConfigError(problems);
  return { ...settings, keys };
}
