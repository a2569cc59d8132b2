import { type TimeClaims, timeClaimRefusal } from '@nav-auth/core';

interface Entry<T> {
  readonly token: string;
  readonly answer: Promise<T>;
  readonly times: TimeClaims;
}

/**
 * The number a token is filed under: an FNV-1a hash of the last 32 characters, the end of its
 * signature. Hashing a whole token (1-3 KB) as a string key costs V8 microseconds per request,
 * because each request brings a fresh string, and even a 32-character slice costs more than a
 * microsecond on a miss; 32 characters hashed into a number cost about 100 ns and allocate
 * nothing. Distinct tokens that share a number are told apart by the whole-token comparison on
 * every hit, so a collision is only a miss.
 */
const tailLength = 32;
function fingerprint(token: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, token.length - tailLength); i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  return hash;
}

/**
 * Remembers validated tokens, so a token seen before costs one map lookup. Every hit compares
 * the whole token and applies core's time rules again (`exp`, `nbf`, `iat` and the maximum
 * age, with the validator's skew), the very rules of a fresh check; a refused entry is dropped.
 *
 * A token is admitted on its second valid sighting (TinyLFU's "doorkeeper"): a service that
 * sees mostly fresh tokens keeps only a mark per token in a fixed 64 KiB table (cleared after
 * `maxEntries` marks), not the tokens and their claims, so it pays almost nothing for a cache
 * it would never hit; a token that comes back costs one more verification before it is kept.
 * Bounded: when full, the oldest entry goes first (tokens arrive roughly in expiry order, and a
 * hit must not pay for LRU bookkeeping). Only valid tokens enter, so a forged token that shares
 * a valid one's number (its tail, say) is a miss that goes to full validation and never
 * displaces the entry.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<number, Entry<T>>();
  /** The doorkeeper: one byte per slot of the 16 low bits of a number, cleared after `maxEntries` marks. */
  private readonly seenOnce = new Uint8Array(1 << 16);
  private marks = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly skewSeconds: number,
    private readonly maxAgeSeconds: number | undefined,
  ) {}

  /** The number `token` is filed under; computed once per validation, for `lookup` and `remember`. */
  slotOf(token: string): number {
    return fingerprint(token);
  }

  /** The remembered answer for `token` (filed under `slot`), if its time claims still hold at `nowSeconds`. */
  lookup(slot: number, token: string, nowSeconds: number): Promise<T> | undefined {
    const entry = this.entries.get(slot);
    if (entry === undefined || entry.token !== token) return undefined;
    if (timeClaimRefusal(entry.times, nowSeconds, this.skewSeconds, this.maxAgeSeconds) === undefined) return entry.answer;
    this.entries.delete(slot);
    return undefined;
  }

  /**
   * Called with every token that validated: remembered from its second time on. A slot the
   * doorkeeper shares with another token admits a token early, which costs only memory.
   */
  remember(slot: number, token: string, claims: T, times: TimeClaims): void {
    const mark = slot & 0xffff;
    if (this.seenOnce[mark] === 0) {
      if (this.marks >= this.maxEntries) {
        this.seenOnce.fill(0);
        this.marks = 0;
      }
      this.seenOnce[mark] = 1;
      this.marks++;
      return;
    }
    this.seenOnce[mark] = 0;
    if (!this.entries.has(slot) && this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as number);
    this.entries.set(slot, { token, answer: Promise.resolve(claims), times });
  }
}
