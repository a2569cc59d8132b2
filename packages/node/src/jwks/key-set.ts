import { endpointUrlProblem, isNavAuthError, KeySetUnavailableError, TokenValidationError } from '@nav-auth/core';
import type { Dispatcher } from 'undici';
import { publishEvent } from '../events/channels.js';
import { traced } from '../events/traces.js';
import { sendRequest } from '../http/transport.js';
import { createFetchBackoff } from './fetch-backoff.js';
import { type IngestedKeySet, ingestJwks, type VerificationKey } from './verification-key.js';

/** Where verification keys come from. */
export interface KeySet {
  /**
   * The key for a token's `kid` (or its only key when the token has none and that is allowed).
   *
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_INVALID` (reason `unknown_key`) when no key, or more than one, matches.
   * @throws {@link NavAuthError} rejects with `ERR_JWKS_UNAVAILABLE` when a remote key set cannot be fetched and has no usable keys.
   */
  getKey(kid: string | undefined): Promise<VerificationKey>;
  /** The key for `kid` when it is at hand without any I/O, else `undefined` (then use {@link KeySet.getKey}). */
  peekKey(kid: string | undefined): VerificationKey | undefined;
}

/** A fixed key set, e.g. from a JWKS file or a test. */
export function createLocalKeySet(jwks: unknown): KeySet {
  const keys = ingestJwks(jwks);
  return { getKey: async (kid) => pickKey(keys, kid), peekKey: (kid) => (kid === undefined ? undefined : keys.byKid.get(kid)) };
}

function pickKey(keys: IngestedKeySet, kid: string | undefined): VerificationKey | never {
  if (kid === undefined) {
    // Without a kid, only a set with exactly one key is unambiguous (catalogue A06).
    const all = [...keys.byKid.values(), ...keys.withoutKid];
    if (all.length === 1) return all[0] as VerificationKey;
    throw new TokenValidationError('unknown_key', 'the token has no kid and the key set has several keys');
  }
  if (keys.ambiguousKids.has(kid)) throw new TokenValidationError('unknown_key', 'the kid appears more than once in the key set');
  const key = keys.byKid.get(kid);
  if (key === undefined) throw new TokenValidationError('unknown_key', 'no key with that kid');
  return key;
}

/** Options for {@link createRemoteKeySet}. */
export interface RemoteKeySetOptions {
  /** The issuer's `jwks_uri` (https). */
  readonly jwksUri: string;
  /** The undici dispatcher for JWKS fetches (default: nav-auth's shared one). */
  readonly dispatcher?: Dispatcher | undefined;
  /** Least time between fetches caused by unknown kids (default 30 s, like jose). */
  readonly cooldownMs?: number;
  /** Refresh the keys in the background this often, with up to 10 % jitter (default 5 min). */
  readonly refreshIntervalMs?: number;
  /** Keep using the last good keys this long after their fetch when the JWKS is down (default 1 h). */
  readonly maxStaleMs?: number;
  /** Timeout of one JWKS fetch, in ms. */
  readonly timeoutMs?: number;
  /** Largest JWKS body accepted (default 256 KiB). */
  readonly maxBytes?: number;
  /** Monotonic time in ms; only differences matter (default `performance.now`). */
  readonly clock?: () => number;
  /** Uniform in [0, 1), for the refresh and backoff jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Told about refresh failures and skipped keys; never receives key material. */
  readonly onEvent?: (event: KeySetEvent) => void;
}

/** What a remote key set reports. */
export type KeySetEvent =
  | {
      readonly type: 'jwks_fetched';
      readonly jwksHost: string;
      readonly keys: number;
      readonly skipped: number;
      readonly durationMs: number;
    }
  | {
      readonly type: 'jwks_fetch_failed';
      /** The host the JWKS is fetched from (never the path or query). */
      readonly jwksHost: string;
      readonly errorCode: string;
      readonly durationMs: number;
      /** Failed fetches in a row, this one included. */
      readonly failures: number;
      /** How long no automatic fetch will start (the backoff window), in ms. */
      readonly retryInMs: number;
    };

interface Snapshot {
  readonly keys: IngestedKeySet;
  readonly fetchedAt: number;
}

/**
 * A JWKS fetched from the issuer's `jwks_uri` and kept current: refetched on an unknown
 * `kid` at most once per cooldown with one fetch in flight (catalogue D07, D08), refreshed
 * periodically with jitter (D11), and, during an outage, the last good keys kept for a
 * bounded time (D09) while a cold start fails closed (D10). A malformed or empty response
 * never replaces good keys (D03), and an older response never overwrites a newer one (D14).
 *
 * After a failed fetch no automatic fetch (cold start, background refresh, unknown `kid`)
 * starts for 1-30 s, growing with each failure in a row (exponential backoff with decorrelated
 * jitter, D09/D10); until then a key set without usable keys fails fast with
 * `ERR_JWKS_UNAVAILABLE`. A success ends the backoff. `refresh()` always fetches.
 *
 * @throws {@link NavAuthError} `ERR_JWKS_UNAVAILABLE` when `jwksUri` is not an https URL (or an allowed plain-http host).
 */
export function createRemoteKeySet(options: RemoteKeySetOptions): KeySet & {
  /** Fetches the JWKS now, whatever the cooldown. */
  refresh(): Promise<void>;
} {
  const problem = endpointUrlProblem(options.jwksUri);
  if (problem !== undefined) throw new KeySetUnavailableError(`jwks_uri ${problem}`);
  const cooldownMs = options.cooldownMs ?? 30_000;
  const refreshIntervalMs = options.refreshIntervalMs ?? 300_000;
  const maxStaleMs = options.maxStaleMs ?? 3_600_000;
  const clock = options.clock ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const backoff = createFetchBackoff(random);
  let snapshot: Snapshot | undefined;
  let inFlight: Promise<void> | undefined;
  let lastFetchStarted = Number.NEGATIVE_INFINITY;
  let lastFailure: unknown;
  let nextRefresh = 0;
  let newestApplied = 0;
  let sequence = 0;

  const emit = (event: KeySetEvent) => publishEvent('jwks', options.onEvent, event);
  const jwksHost = new URL(options.jwksUri).host;

  const traceAttributes = () => ({ jwksHost });
  /** One fetch at a time; `background` when no caller waits for it (a refresh ahead of time). */
  const fetchOnce = (background = false): Promise<void> => {
    if (inFlight !== undefined) return inFlight;
    const mine = ++sequence;
    const started = clock();
    lastFetchStarted = started;
    inFlight = traced(
      'jwks.refresh',
      traceAttributes,
      async () => {
        try {
          const response = await sendRequest(
            { url: options.jwksUri, method: 'GET', headers: { accept: 'application/json' } },
            {
              dispatcher: options.dispatcher,
              timeoutMs: options.timeoutMs ?? 5000,
              maxBodyBytes: options.maxBytes ?? 256 * 1024,
              purpose: 'JWKS fetch',
            },
          );
          if (response.status !== 200) throw new KeySetUnavailableError(`JWKS fetch answered ${response.status}`);
          let keys: IngestedKeySet;
          try {
            keys = ingestJwks(JSON.parse(response.body));
          } catch {
            throw new KeySetUnavailableError('the JWKS is not a JSON key set');
          }
          if (keys.size === 0) throw new KeySetUnavailableError('the JWKS holds no usable key');
          if (mine > newestApplied) {
            newestApplied = mine;
            snapshot = { keys, fetchedAt: clock() };
            nextRefresh = snapshot.fetchedAt + refreshIntervalMs * (0.9 + 0.1 * random());
          }
          backoff.succeeded();
          lastFailure = undefined;
          emit({ type: 'jwks_fetched', jwksHost, keys: keys.size, skipped: keys.skipped.length, durationMs: clock() - started });
        } catch (error) {
          const failedAt = clock();
          const retryInMs = backoff.failed(failedAt);
          lastFailure = error;
          emit({
            type: 'jwks_fetch_failed',
            jwksHost,
            errorCode: isNavAuthError(error) ? error.code : 'ERR_UNKNOWN',
            durationMs: failedAt - started,
            failures: backoff.failures,
            retryInMs,
          });
          throw error;
        } finally {
          inFlight = undefined;
        }
      },
      background,
    );
    return inFlight;
  };

  const usable = (now: number) => snapshot !== undefined && now - snapshot.fetchedAt <= maxStaleMs;
  /** Whether a fetch nobody asked for explicitly may start now; a fetch in flight is always joined. */
  const backoffAllows = (now: number) => now >= backoff.retryAt;
  const refreshInBackground = (now: number) => {
    // A failure keeps the last good keys until maxStaleMs and backs off like any other.
    if (now >= nextRefresh && inFlight === undefined && backoffAllows(now)) fetchOnce(true).catch(() => undefined);
  };

  return {
    refresh: () => fetchOnce(),
    peekKey(kid) {
      const now = clock();
      if (kid === undefined || !usable(now)) return undefined;
      refreshInBackground(now);
      return (snapshot as Snapshot).keys.byKid.get(kid);
    },
    async getKey(kid) {
      const now = clock();
      if (!usable(now)) {
        if (inFlight === undefined && !backoffAllows(now)) {
          // Fail fast rather than ask an identity provider that is down once per token (D10).
          const failed = `${backoff.failures} failed ${backoff.failures === 1 ? 'fetch' : 'fetches'} in a row`;
          throw new KeySetUnavailableError(
            `the JWKS is unavailable (${failed}); the next fetch may start in ${Math.ceil(backoff.retryAt - now)} ms`,
            { cause: lastFailure },
          );
        }
        try {
          await fetchOnce();
        } catch (error) {
          if (!usable(clock())) {
            throw isNavAuthError(error, 'ERR_JWKS_UNAVAILABLE')
              ? error
              : new KeySetUnavailableError('the JWKS could not be fetched', { cause: error });
          }
        }
      } else {
        refreshInBackground(now);
      }
      const current = (snapshot as Snapshot).keys;
      const later = clock();
      if (
        kid !== undefined &&
        !current.byKid.has(kid) &&
        !current.ambiguousKids.has(kid) &&
        later - lastFetchStarted >= cooldownMs &&
        (inFlight !== undefined || backoffAllows(later))
      ) {
        // An unknown kid may be a key rotated in just now (catalogue D07): look once more.
        await fetchOnce().catch(() => undefined);
        return pickKey((snapshot as Snapshot).keys, kid);
      }
      return pickKey(current, kid);
    },
  };
}
