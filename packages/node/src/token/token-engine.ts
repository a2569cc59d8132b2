import { isNavAuthError, parseTokenResponse, TimeoutError, type TokenRequest, type TokenResponse } from '@nav-auth/core';
import { LruCache } from '../cache/lru-cache.js';
import type { SharedLock, SharedToken, SharedTokenStore } from '../cache/shared-token-store.js';
import { isObserved, publishEvent } from '../events/channels.js';
import { type TraceMessage, traced } from '../events/traces.js';
import { type HttpResponse, headerValue, type SendOptions, sendRequest } from '../http/transport.js';
import { backoffDelay, isRetryable, parseRetryAfter, type RetryOptions, type RetryPolicy, retryPolicy } from '../retry/retry-policy.js';
import { type AccessToken, accessToken } from './access-token.js';
import type { TokenEvent, TokenEventListener } from './token-events.js';

/** Options every token client shares. */
export interface TokenCacheOptions {
  /** Wall clock in ms since the epoch, for token expiry (default `Date.now`). */
  readonly clock?: () => number;
  /** Random numbers in [0, 1) for jitter (default `Math.random`). */
  readonly random?: () => number;
  /**
   * Most cached tokens (default 10 000); the least recently used goes first. On-behalf-of keeps
   * one per active user and target: at 1000, 10 000 users with a Zipf mix of requests hit the
   * cache 67 % of the time (95 % at 10 000; `pnpm bench`). An entry is about 3.6 KB, and only
   * tokens in use take room; set it to about your active users times their downstream APIs.
   */
  readonly maxEntries?: number;
  /** Retry policy for failed token requests (attempts, backoff, budget). */
  readonly retry?: RetryOptions;
  /** Timeout per attempt, in ms (default 5000). */
  readonly attemptTimeoutMs?: number;
  /** Deadline for a whole `getToken` including retries, in ms (default 15 000). */
  readonly deadlineMs?: number;
  /** Told about every token fetch, cache hit and failure; never receives a token. */
  readonly onEvent?: TokenEventListener;
  /**
   * A second tier shared by every replica (`@nav-auth/valkey`): read on a miss here, written
   * after each fetch, and one replica fetches a token at a time (refreshes included). Opt-in;
   * tokens never depend on it: a store that fails or is slow is passed by.
   */
  readonly sharedStore?: SharedTokenStore;
  /** How long a replica waits for another replica's fetch before it fetches itself, in ms (default 2000). */
  readonly sharedLockWaitMs?: number;
}

/** One attempt at the token endpoint: what was sent, so its secrets can be cut from the answer, and the answer. */
export interface TokenExchange {
  readonly request: TokenRequest;
  readonly response: HttpResponse;
}

/**
 * Sends one attempt at the token endpoint; called again, with a fresh grant, for every retry.
 * `renew` is true when a cached token is being replaced (`forceRefresh`, or a refresh ahead of
 * expiry): a fetcher going through Texas then asks it to skip its own cache.
 */
export type TokenFetcher = (signal: AbortSignal, renew: boolean) => Promise<TokenExchange>;

/** Sends a token request, keeping it beside the answer. */
export async function sendTokenRequest(request: TokenRequest, options: SendOptions): Promise<TokenExchange> {
  return { request, response: await sendRequest(request, options) };
}

/** What a `get` is, for its trace: a token for a client, or one exchanged for a subject token, and its target (scopes or audience). */
export interface TokenOperation {
  readonly operation: 'token.acquire' | 'token.exchange';
  readonly target: string;
}

interface Entry {
  readonly token: AccessToken;
  /** Where the token came from: this replica's fetch, or another's through the shared tier. */
  readonly tier: 'network' | 'shared';
  /** The token as an already settled promise, so a cache hit allocates nothing. */
  readonly answer: Promise<AccessToken>;
  /** Until then the entry is fresh; after it, only served while a refresh is failing. */
  readonly freshUntil: number;
  /** From then on a background refresh starts. */
  readonly refreshAt: number;
  /** Never served after this: the real expiry less a safety margin. */
  readonly usableUntil: number;
  failures: number;
  nextRefreshAttempt: number;
}

/** Tokens are never handed out in the last 10 s of their life: they could expire in flight. */
const EXPIRY_SAFETY_MS = 10_000;
/** The shared fetch lock outlives a normal fetch; a replica that dies holding it blocks no one past the wait. */
const SHARED_LOCK_TTL_MS = 5000;
const NO_LOCK: SharedLock = { state: 'unavailable' };
/**
 * The most a shared-store call may take before the engine goes on without it: the store keeps
 * its own, shorter timeouts (`@nav-auth/valkey`: 50 ms a command); this bounds a store that does not.
 */
const SHARED_STORE_TIMEOUT_MS = 250;
/** A store call that settles: rejected or too slow, it is `fallback`. */
function settled<T>(promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), SHARED_STORE_TIMEOUT_MS);
  });
  return Promise.race([promise.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}
/** Why a token is fetched: `renew` replaces a cached one (Texas then skips its cache); `refused` is the token a server refused; `replacing` the expiry of the token a refresh replaces. */
interface FetchReason {
  readonly renew: boolean;
  readonly refused?: string | undefined;
  readonly replacing?: number;
}
const MISS: FetchReason = { renew: false };

/** Texas' leeway: an entry lives `expires_in - 120 s`, but at least half the token's lifetime. */
const LEEWAY_MS = 120_000;

/** How long a token of this lifetime is served from cache before it counts as stale. */
export function cacheLifetimeMs(expiresInSeconds: number): number {
  const lifetime = expiresInSeconds * 1000;
  return Math.max(lifetime - LEEWAY_MS, lifetime / 2);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/**
 * The engine under every token client: a bounded LRU cache keyed by core's cache keys, one
 * request in flight per key, refresh ahead of expiry in the background with jitter, stale
 * (but unexpired) tokens served while the endpoint fails, and retries with full-jitter
 * backoff, `Retry-After`, a timeout per attempt and an overall deadline. Errors are never cached.
 */
export class TokenEngine {
  private readonly cache: LruCache<string, Entry>;
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly retry: RetryPolicy;
  private readonly attemptTimeoutMs: number;
  private readonly deadlineMs: number;
  /** No request before this monotonic time: the server asked us to back off (429/503 with Retry-After). */
  private throttledUntil = 0;
  /** Retries left to spend; refilled by successes (see `RetryOptions.retryBudget`). */
  private retriesLeft: number;

  constructor(
    private readonly provider: string,
    options: TokenCacheOptions = {},
  ) {
    this.cache = new LruCache(options.maxEntries ?? 10_000);
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.retry = retryPolicy(options.retry);
    this.retriesLeft = this.retry.retryBudget;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 5000;
    this.deadlineMs = options.deadlineMs ?? 15_000;
    this.listener = options.onEvent;
    this.shared = options.sharedStore;
    this.sharedLockWaitMs = options.sharedLockWaitMs ?? 2000;
  }

  private readonly listener: TokenEventListener | undefined;
  private readonly shared: SharedTokenStore | undefined;
  private readonly sharedLockWaitMs: number;

  private emit(event: TokenEvent): void {
    publishEvent('token', this.listener, event);
  }

  private emitCacheHit(type: 'cache_hit' | 'stale_served'): void {
    // A hit is the hot path: build no event object nobody listens for.
    if (isObserved('token', this.listener)) this.emit({ type, provider: this.provider });
  }

  /**
   * Returns a cached token for `key`, or fetches one with `fetcher`. A fetch is traced as
   * `operation` (`nav-auth:token.acquire` or `nav-auth:token.exchange`); a cache hit is not.
   */
  get(
    key: string,
    fetcher: TokenFetcher,
    options: { readonly forceRefresh?: boolean; readonly signal?: AbortSignal },
    operation: TokenOperation,
  ): Promise<AccessToken> {
    if (options.forceRefresh) {
      // The token a server just refused, so that the shared tier drops it and only it.
      const refused = this.cache.get(key)?.token.token;
      this.cache.delete(key);
      return this.fetchForCaller(key, fetcher, options.signal, { renew: true, refused }, operation);
    }
    const entry = this.cache.get(key);
    const now = this.clock();
    if (entry !== undefined && now < entry.usableUntil) {
      if (now >= entry.refreshAt && now >= entry.nextRefreshAttempt) this.refreshInBackground(key, fetcher, entry, operation);
      this.emitCacheHit(now < entry.freshUntil || entry.failures === 0 ? 'cache_hit' : 'stale_served');
      return entry.answer;
    }
    return this.fetchForCaller(key, fetcher, options.signal, MISS, operation);
  }

  /** The attributes of a fetch's trace. */
  private traceAttributes(operation: TokenOperation, why: FetchReason) {
    return () => ({ provider: this.provider, target: operation.target, renew: why.renew });
  }

  private fetchForCaller(
    key: string,
    fetcher: TokenFetcher,
    signal: AbortSignal | undefined,
    why: FetchReason,
    operation: TokenOperation,
  ): Promise<AccessToken> {
    this.emit({ type: 'cache_miss', provider: this.provider });
    return traced(operation.operation, this.traceAttributes(operation, why), async (trace) => {
      try {
        return (await raceAbort(this.fetchOnce(key, fetcher, why, trace), signal)).token;
      } catch (error) {
        this.emit({ type: 'error', provider: this.provider, errorCode: isNavAuthError(error) ? error.code : 'ERR_ABORTED' });
        throw error;
      }
    });
  }

  /** Drops the cached token for `key` (after the API answered 401, say). */
  invalidate(key: string): void {
    this.cache.delete(key);
  }

  private refreshInBackground(key: string, fetcher: TokenFetcher, entry: Entry, operation: TokenOperation): void {
    if (this.inFlight.has(key)) return;
    this.emit({ type: 'refresh_started', provider: this.provider });
    const why: FetchReason = { renew: true, replacing: entry.token.expiresAt.getTime() };
    const refresh = traced(
      operation.operation,
      this.traceAttributes(operation, why),
      (trace) => this.fetchOnce(key, fetcher, why, trace),
      true,
    );
    refresh.catch((error: unknown) => {
      entry.failures += 1;
      // Back off between background refreshes: 1 s, 2 s, 4 s ... up to 60 s, with jitter.
      const pause = Math.min(60_000, 1000 * 2 ** (entry.failures - 1));
      entry.nextRefreshAttempt = this.clock() + pause * (0.5 + this.random() / 2);
      this.emit({ type: 'refresh_failed', provider: this.provider, errorCode: isNavAuthError(error) ? error.code : 'ERR_UNKNOWN' });
    });
  }

  /**
   * One fetch per key at a time: concurrent callers share it (single-flight). `trace` learns
   * where the token came from, and whether this caller joined another's fetch.
   */
  private async fetchOnce(key: string, fetcher: TokenFetcher, why: FetchReason, trace: TraceMessage | undefined): Promise<Entry> {
    const pending = this.inFlight.get(key);
    if (trace !== undefined) trace.attributes.joined = pending !== undefined;
    const entry = await (pending ?? this.startFetch(key, fetcher, why));
    if (trace !== undefined) trace.attributes.tier = entry.tier;
    return entry;
  }

  private startFetch(key: string, fetcher: TokenFetcher, why: FetchReason): Promise<Entry> {
    const fetch = (this.shared === undefined ? this.fetchEntry(fetcher, why.renew) : this.obtainShared(this.shared, key, fetcher, why))
      .then((entry) => {
        this.cache.set(key, entry);
        return entry;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, fetch);
    return fetch;
  }

  private async fetchEntry(fetcher: TokenFetcher, renew: boolean): Promise<Entry> {
    const response = await this.fetchWithRetries(fetcher, renew);
    const obtainedAt = this.clock();
    return this.entryFor('network', response.accessToken, obtainedAt + response.expiresIn * 1000, response.scopes, obtainedAt);
  }

  /**
   * A token through the shared tier: another replica's, when it has one that will do (not the
   * refused one; on a refresh, one that lives longer than ours); else this replica takes the
   * fetch lock and fetches, or, when another replica holds it, waits a bounded time for that
   * replica's token and then fetches anyway (a duplicate fetch is harmless; waiting forever is
   * not). A refused token is dropped from the shared tier only if it is still the one stored.
   */
  private async obtainShared(shared: SharedTokenStore, key: string, fetcher: TokenFetcher, why: FetchReason): Promise<Entry> {
    const usable = (found: SharedToken | undefined): found is SharedToken =>
      found !== undefined &&
      found.accessToken !== why.refused &&
      found.expiresAt > (why.replacing ?? 0) &&
      found.expiresAt - EXPIRY_SAFETY_MS > this.clock();
    if (why.refused !== undefined) await settled(shared.deleteIfToken(key, why.refused), undefined);
    const stored = await settled(shared.get(key), undefined);
    if (usable(stored)) return this.sharedEntry(stored);
    const lock = await settled(shared.tryLock(key, SHARED_LOCK_TTL_MS), NO_LOCK);
    if (lock.state === 'held') {
      const waitUntil = performance.now() + this.sharedLockWaitMs;
      while (performance.now() < waitUntil) {
        await sleep(25 + 50 * this.random());
        const published = await settled(shared.get(key), undefined);
        if (usable(published)) return this.sharedEntry(published);
      }
    }
    try {
      const entry = await this.fetchEntry(fetcher, why.renew);
      const { token } = entry;
      // Stored until this tier stops handing it out, so the first tier never outlives the second.
      await settled(
        shared.set(key, { accessToken: token.token, expiresAt: token.expiresAt.getTime(), scopes: token.scopes }, entry.usableUntil),
        undefined,
      );
      return entry;
    } finally {
      if (lock.state === 'acquired') await settled(lock.release(), undefined);
    }
  }

  private sharedEntry(found: SharedToken): Entry {
    this.emit({ type: 'shared_hit', provider: this.provider });
    const now = this.clock();
    const entry = this.entryFor('shared', found.accessToken, found.expiresAt, found.scopes, now);
    // The shared tier keeps a token until at least 10 s before it expires; so must this one.
    return { ...entry, usableUntil: Math.min(entry.usableUntil, found.expiresAt - EXPIRY_SAFETY_MS) };
  }

  private entryFor(
    tier: Entry['tier'],
    accessTokenText: string,
    expiresAt: number,
    scopes: readonly string[] | undefined,
    obtainedAt: number,
  ): Entry {
    const life = cacheLifetimeMs((expiresAt - obtainedAt) / 1000);
    const token = accessToken(accessTokenText, new Date(expiresAt), scopes);
    return {
      token,
      tier,
      answer: Promise.resolve(token),
      freshUntil: obtainedAt + life,
      // Start refreshing somewhere in the last 10-20 % of the fresh period, so a fleet spreads out.
      refreshAt: obtainedAt + life * (0.8 + 0.1 * this.random()),
      usableUntil: Math.max(obtainedAt, expiresAt - Math.min(EXPIRY_SAFETY_MS, (expiresAt - obtainedAt) / 10)),
      failures: 0,
      nextRefreshAttempt: 0,
    };
  }

  private async fetchWithRetries(fetcher: TokenFetcher, renew: boolean): Promise<TokenResponse> {
    const started = performance.now();
    const remaining = () => this.deadlineMs - (performance.now() - started);
    for (let attempt = 1; ; attempt++) {
      const throttle = this.throttledUntil - performance.now();
      if (throttle > 0) {
        if (throttle >= remaining()) throw new TimeoutError('token request (throttled by Retry-After)', this.deadlineMs);
        await sleep(throttle);
      }
      const budget = remaining();
      if (budget <= 0) throw new TimeoutError('token request', this.deadlineMs);
      const attemptStarted = performance.now();
      let response: HttpResponse | undefined;
      try {
        const exchange = await fetcher(AbortSignal.timeout(Math.min(this.attemptTimeoutMs, budget)), renew);
        response = exchange.response;
        const parsed = parseTokenResponse(response.status, response.body, exchange.request);
        this.emitAttempt(attempt, attemptStarted, response.status, undefined);
        this.retriesLeft = Math.min(this.retry.retryBudget, this.retriesLeft + 1);
        return parsed;
      } catch (error) {
        this.emitAttempt(attempt, attemptStarted, response?.status, isNavAuthError(error) ? error.code : 'ERR_UNKNOWN');
        if (!isRetryable(error) || attempt >= this.retry.maxAttempts || this.retriesLeft <= 0) throw error;
        this.retriesLeft -= 1;
        const retryAfter = response === undefined ? undefined : parseRetryAfter(headerValue(response, 'retry-after'), this.clock());
        const delay =
          retryAfter === undefined ? backoffDelay(attempt, this.retry, this.random) : Math.min(retryAfter, this.retry.maxRetryAfterMs);
        // Shared by every caller of this client (RFC 9110 §10.2.3); measured on the monotonic clock.
        if (retryAfter !== undefined) this.throttledUntil = performance.now() + delay;
        if (delay >= remaining()) throw error;
        if (retryAfter === undefined) await sleep(delay);
      }
    }
  }

  private emitAttempt(attempt: number, started: number, status: number | undefined, errorCode: string | undefined): void {
    this.emit({ type: 'upstream_request', provider: this.provider, attempt, durationMs: performance.now() - started, status, errorCode });
  }
}
