interface Entry<T> {
  readonly token: string;
  readonly answer: Promise<T>;
  readonly exp: number;
  readonly nbf: number | undefined;
}

/**
 * The characters a token is filed under: the end of its signature. Hashing a whole token
 * (1-3 KB) costs V8 microseconds on every request, because each request brings a fresh
 * string; the tail costs nanoseconds, and the whole token is compared on every hit.
 */
const keyLength = 32;
const keyOf = (token: string) => (token.length > keyLength ? token.slice(-keyLength) : token);

/**
 * Remembers validated tokens until their `exp`, so a token seen before costs one map lookup.
 * Every hit compares the whole token and checks `exp` and `nbf` again against the clock; an
 * expired entry is dropped. Bounded: when full, the oldest entry goes first (tokens arrive
 * roughly in expiry order, and a hit must not pay for LRU bookkeeping on the hot path).
 * Only valid tokens enter, so a forged token that shares a valid one's tail is a miss that
 * goes to full validation and never displaces the entry.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly maxEntries: number,
    private readonly skewSeconds: number,
  ) {}

  /** The remembered answer for `token`, if it is still within its time claims at `nowSeconds`. */
  lookup(token: string, nowSeconds: number): Promise<T> | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (nowSeconds < entry.exp + this.skewSeconds && (entry.nbf === undefined || entry.nbf <= nowSeconds + this.skewSeconds))
      return entry.answer;
    this.entries.delete(key);
    return undefined;
  }

  remember(token: string, claims: T, exp: number, nbf: number | undefined): void {
    const key = keyOf(token);
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { token, answer: Promise.resolve(claims), exp, nbf });
  }
}
