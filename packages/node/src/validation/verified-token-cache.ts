interface Entry<T> {
  readonly answer: Promise<T>;
  readonly exp: number;
  readonly nbf: number | undefined;
}

/**
 * Remembers validated tokens until their `exp`, so a token seen before costs one map lookup.
 * Every hit checks `exp` and `nbf` again against the clock; an expired entry is dropped.
 * Bounded: when full, the oldest entry goes first (tokens arrive roughly in expiry order,
 * and a hit must not pay for LRU bookkeeping on the hot path). Only valid tokens enter.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly maxEntries: number,
    private readonly skewSeconds: number,
  ) {}

  /** The remembered answer for `token`, if it is still within its time claims at `nowSeconds`. */
  lookup(token: string, nowSeconds: number): Promise<T> | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (nowSeconds < entry.exp + this.skewSeconds && (entry.nbf === undefined || entry.nbf <= nowSeconds + this.skewSeconds))
      return entry.answer;
    this.entries.delete(token);
    return undefined;
  }

  remember(token: string, claims: T, exp: number, nbf: number | undefined): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { answer: Promise.resolve(claims), exp, nbf });
  }
}
