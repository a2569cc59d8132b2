/** Shortest wait after a failed JWKS fetch before the next automatic one. */
export const JWKS_BACKOFF_MIN_MS = 1000;
/** Longest wait after a failed JWKS fetch before the next automatic one. */
export const JWKS_BACKOFF_MAX_MS = 30_000;

/** The fetch gate of one key set: how many fetches failed in a row and until when to wait. */
export interface FetchBackoff {
  /** Failed fetches since the last success. */
  readonly failures: number;
  /** Clock time before which no automatic fetch may start (`-Infinity` when not backing off). */
  readonly retryAt: number;
  /** Records a failed fetch at `now`; returns the wait chosen, in ms. */
  failed(now: number): number;
  /** Records a successful fetch: the next failure starts again at the shortest wait. */
  succeeded(): void;
}

/**
 * Exponential backoff with "decorrelated jitter" (AWS Architecture Blog, "Exponential Backoff
 * and Jitter"): each wait is drawn uniformly from [min, 3 · previous wait), capped at max, the
 * first from [min, 3 · min). A fleet whose JWKS went down together thus spreads its retries
 * instead of fetching in step (catalogue D10). `random` is clamped to [0, 1], NaN counting as 0,
 * so a broken source of randomness cannot turn the backoff off.
 */
export function createFetchBackoff(random: () => number, minMs = JWKS_BACKOFF_MIN_MS, maxMs = JWKS_BACKOFF_MAX_MS): FetchBackoff {
  let failures = 0;
  let previousMs = minMs;
  let retryAt = Number.NEGATIVE_INFINITY;
  return {
    get failures() {
      return failures;
    },
    get retryAt() {
      return retryAt;
    },
    failed(now) {
      const draw = random();
      const unit = draw >= 0 ? Math.min(draw, 1) : 0;
      const delayMs = minMs + unit * (Math.min(maxMs, 3 * previousMs) - minMs);
      failures++;
      previousMs = delayMs;
      retryAt = now + delayMs;
      return delayMs;
    },
    succeeded() {
      failures = 0;
      previousMs = minMs;
      retryAt = Number.NEGATIVE_INFINITY;
    },
  };
}
