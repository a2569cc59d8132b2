import { type TimeClaims, timeClaimRefusal } from '@nav-auth/core';

interface Entry<T> {
  readonly token: string;
  readonly answer: Promise<T>;
  readonly times: TimeClaims;
}

/**
 * The characters a token is filed under: the end of its signature. Hashing a whole token
 * (1-3 KB) costs V8 microseconds on every request, because each request brings a fresh
 * string; the tail costs nanoseconds, and the whole token is compared on every hit.
 */
const keyLength = 32;
const keyOf = (token: string) => (token.length > keyLength ? token.slice(-keyLength) : token);

/**
 * Remembers validated tokens, so a token seen before costs one map lookup. Every hit compares
 * the whole token and applies core's time rules again (`exp`, `nbf`, `iat` and the maximum
 * age, with the validator's skew), the very rules of a fresh check; a refused entry is dropped. Bounded: when full, the oldest entry goes first (tokens arrive
 * roughly in expiry order, and a hit must not pay for LRU bookkeeping on the hot path).
 * Only valid tokens enter, so a forged token that shares a valid one's tail is a miss that
 * goes to full validation and never displaces the entry.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly maxEntries: number,
    private readonly skewSeconds: number,
    private readonly maxAgeSeconds: number | undefined,
  ) {}

  /** The remembered answer for `token`, if its time claims still hold at `nowSeconds`. */
  lookup(token: string, nowSeconds: number): Promise<T> | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (timeClaimRefusal(entry.times, nowSeconds, this.skewSeconds, this.maxAgeSeconds) === undefined) return entry.answer;
    this.entries.delete(key);
    return undefined;
  }

  remember(token: string, claims: T, times: TimeClaims): void {
    const key = keyOf(token);
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { token, answer: Promise.resolve(claims), times });
  }
}
