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

/** A 32-bit FNV-1a of the key, for the doorkeeper: a number holds no reference to the token. */
function fingerprint(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash;
}

/**
 * Remembers validated tokens, so a token seen before costs one map lookup. Every hit compares
 * the whole token and applies core's time rules again (`exp`, `nbf`, `iat` and the maximum
 * age, with the validator's skew), the very rules of a fresh check; a refused entry is dropped.
 *
 * A token is admitted on its second valid sighting (TinyLFU's "doorkeeper"): a service that
 * sees mostly fresh tokens keeps only fingerprints of them (a bounded set of numbers, cleared
 * when full), not the tokens and their claims, so it pays almost nothing for a cache it would
 * never hit; a token that comes back costs one more verification before it is remembered.
 * Bounded: when full, the oldest entry goes first (tokens arrive roughly in expiry order, and a
 * hit must not pay for LRU bookkeeping). Only valid tokens enter, so a forged token that shares
 * a valid one's tail is a miss that goes to full validation and never displaces the entry.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly seenOnce = new Set<number>();

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

  /** Called with every token that validated: remembered from its second time on. */
  remember(token: string, claims: T, times: TimeClaims): void {
    const key = keyOf(token);
    const seen = fingerprint(key);
    if (!this.seenOnce.delete(seen)) {
      if (this.seenOnce.size >= this.maxEntries) this.seenOnce.clear();
      this.seenOnce.add(seen);
      return;
    }
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { token, answer: Promise.resolve(claims), times });
  }
}
