/** An RFC 6749 §5.1 token response as Texas answers it (`TokenResponse`, fields in its order). */
export interface TexasTokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
}

/** A token response the provider gave, before caching. */
export interface UpstreamToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  /** `expires_in` so large that Rust's `Instant + Duration` overflows: Texas then treats it as already expired. */
  readonly overflows: boolean;
}

interface Entry {
  readonly accessToken: string;
  /** Epoch milliseconds; `undefined` when `Instant::checked_add` overflowed. */
  readonly expiresAt: number | undefined;
  /** When the cache drops it: the TTL Texas' `TokenResponseExpiry` gives at insertion. */
  readonly evictAt: number;
}

/** Texas' `EXPIRY_LEEWAY`: an entry leaves the cache two minutes before its token expires. */
const LEEWAY_MS = 120_000;

/**
 * One of Texas' two token caches (nais/texas `src/cache.rs`, a moka cache): a hit answers the
 * remaining lifetime as `expires_in`; an entry lives `expires_in - 120 s`, or half of
 * `expires_in` when that is 120 s or less; concurrent misses on one key share one upstream call
 * (`or_try_insert_with`), and so do their errors, which are never cached.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();

  constructor(private readonly now: () => Date) {}

  /** `skip_cache: true`: drops the entry (a call already in flight still completes and is cached). */
  invalidate(key: string): void {
    this.entries.delete(key);
  }

  async getOrInsertWith(key: string, init: () => Promise<UpstreamToken>): Promise<TexasTokenResponse> {
    const cached = this.entries.get(key);
    if (cached !== undefined && this.now().getTime() < cached.evictAt) return this.answer(cached);
    if (cached !== undefined) this.entries.delete(key);
    let flight = this.inFlight.get(key);
    if (flight === undefined) {
      const started = this.fetch(key, init);
      flight = started;
      this.inFlight.set(key, started);
      const settle = () => {
        if (this.inFlight.get(key) === started) this.inFlight.delete(key);
      };
      started.then(settle, settle);
    }
    return this.answer(await flight);
  }

  private async fetch(key: string, init: () => Promise<UpstreamToken>): Promise<Entry> {
    const token = await init();
    const now = this.now().getTime();
    const expiresAt = token.overflows ? undefined : now + token.expiresIn * 1000;
    const remaining = expiresAt === undefined ? 0 : expiresAt - now;
    const ttl = remaining > LEEWAY_MS ? remaining - LEEWAY_MS : remaining / 2;
    const entry: Entry = { accessToken: token.accessToken, expiresAt, evictAt: now + ttl };
    this.entries.set(key, entry);
    return entry;
  }

  /** `From<CachedTokenResponse> for TokenResponse`: whole seconds left, never negative. */
  private answer(entry: Entry): TexasTokenResponse {
    const left = entry.expiresAt === undefined ? 0 : Math.max(0, entry.expiresAt - this.now().getTime());
    return { access_token: entry.accessToken, token_type: 'Bearer', expires_in: Math.floor(left / 1000) };
  }
}
