import { isNavAuthError } from '@nav-auth/core';

/** How requests are retried. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  readonly maxAttempts?: number;
  /** First backoff ceiling in ms; doubles per attempt (default 200). */
  readonly baseDelayMs?: number;
  /** Largest backoff ceiling in ms (default 2000). */
  readonly maxDelayMs?: number;
  /** Longest `Retry-After` honoured, in ms (default 30 000); a longer one is capped. */
  readonly maxRetryAfterMs?: number;
  /**
   * Retries one client may spend before it stops retrying (default 20). Each retry costs one;
   * each success earns one back. In a sustained outage this stops retries from multiplying
   * the load on a struggling server (the AWS SDK's retry quota; catalogue F11).
   */
  readonly retryBudget?: number;
}

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>;

/** Fills in the defaults and refuses nonsense. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2000, maxRetryAfterMs: 30_000, retryBudget: 20, ...options };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1)
    throw new RangeError('retry.maxAttempts must be a whole number of at least 1');
  if (!Number.isInteger(policy.retryBudget) || policy.retryBudget < 0)
    throw new RangeError('retry.retryBudget must be a whole number, 0 or more');
  for (const name of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    if (!Number.isFinite(policy[name]) || policy[name] < 0) throw new RangeError(`retry.${name} must be a finite, non-negative number`);
  }
  return policy;
}

/**
 * "Full jitter" exponential backoff (AWS architecture blog; @smithy/util-retry): a delay drawn
 * uniformly from [0, min(cap, base · 2^(attempt-1))), so a fleet does not retry in step.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  return random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3) as a delay in ms: delta-seconds or an HTTP-date.
 * Returns `undefined` for garbage, negative values and dates that do not parse; a date in
 * the past is 0.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^[0-9]{1,10}$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Whether an error is worth another attempt: network failures, timeouts, 408, 429 and 5xx
 * (but 501). OAuth 4xx (`invalid_grant`, `invalid_client`, ...) and unusable 200 bodies are
 * final: asking again would get the same answer (RFC 6749 §5.2).
 */
export function isRetryable(error: unknown): boolean {
  if (isNavAuthError(error, 'ERR_TRANSPORT') || isNavAuthError(error, 'ERR_TIMEOUT')) return true;
  if (isNavAuthError(error, 'ERR_TOKEN_ENDPOINT')) return RETRYABLE_STATUS.has(error.status);
  return false;
}
