/** A token as the shared tier keeps it. */
export interface SharedToken {
  readonly accessToken: string;
  /** When the token expires, in ms since the epoch. */
  readonly expiresAt: number;
  readonly scopes: readonly string[] | undefined;
}

/** The outcome of {@link SharedTokenStore.tryLock}. */
export type SharedLock =
  /** This replica fetches; `release` frees the lock (compare-and-delete on its own nonce). */
  | {
      readonly state: 'acquired';
      /** Frees the lock (compare-and-delete on this replica's nonce). */
      release(): Promise<void>;
    }
  /** Another replica is fetching: wait a bounded time for its token, then fetch anyway. */
  | { readonly state: 'held' }
  /** The store cannot say (down, slow, circuit open): fetch without waiting. */
  | { readonly state: 'unavailable' };

/**
 * A second cache tier shared by every replica of an app, under each token client's own cache
 * (`@nav-auth/valkey` implements it on Valkey/Redis). Keys are core's cache keys, in the
 * clear: the store keys its entries by a keyed hash of them and encrypts the values, since an
 * on-behalf-of key derives from the user's token. Every method settles without rejecting: a
 * failure or timeout is a miss, an `unavailable` lock or a no-op, so tokens never depend on it.
 */
export interface SharedTokenStore {
  /** The token stored for `key`, or `undefined` (missing, expired, unreadable, store down). */
  get(key: string): Promise<SharedToken | undefined>;
  /** Stores `token` for `key` until `storeUntil` (ms since the epoch, absolute: `PXAT`). */
  set(key: string, token: SharedToken, storeUntil: number): Promise<void>;
  /** Tries to take the short fetch lock for `key` (`SET NX PX ttlMs`); never waits for it. */
  tryLock(key: string, ttlMs: number): Promise<SharedLock>;
  /** Deletes the entry for `key` only if it holds `accessToken` (a token a server just refused). */
  deleteIfToken(key: string, accessToken: string): Promise<void>;
}
