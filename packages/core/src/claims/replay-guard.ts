import { ClaimValidationError, InvalidInputError } from '../error/nav-auth-error.js';
import { toEpochSeconds } from '../input/check-input.js';

/** Remembers `jti`s until their token expires and refuses a second use (RFC 7519 §4.1.7). */
export interface ReplayGuard {
  /** Records `jti` for a token expiring at `expiresAt`; throws reason `replayed` if it was seen and has not expired. */
  check(jti: string, expiresAt: number, now: Date): void;
  /** How many `jti`s are remembered. */
  readonly size: number;
}

/** Options for {@link createReplayGuard}. */
export interface ReplayGuardOptions {
  /** Most `jti`s remembered at once (default 100 000). */
  readonly maxEntries?: number;
}

/**
 * Creates an in-memory replay guard bounded by token expiry. When it is full of unexpired
 * entries it refuses new tokens rather than forget one that could then be replayed.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `maxEntries` is not a positive whole number.
 */
export function createReplayGuard(options: ReplayGuardOptions = {}): ReplayGuard {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new InvalidInputError('maxEntries', 'must be a positive whole number');
  const seen = new Map<string, number>();

  const evictExpired = (now: number) => {
    for (const [jti, expiresAt] of seen) if (expiresAt <= now) seen.delete(jti);
  };

  return {
    check(jti, expiresAt, now) {
      if (typeof jti !== 'string' || jti.length === 0) throw new ClaimValidationError('jti', 'missing');
      const nowSeconds = toEpochSeconds(now);
      const known = seen.get(jti);
      if (known !== undefined && known > nowSeconds) throw new ClaimValidationError('jti', 'replayed');
      if (seen.size >= maxEntries) evictExpired(nowSeconds);
      if (seen.size >= maxEntries) throw new ClaimValidationError('jti', 'not_allowed', 'replay cache is full');
      seen.set(jti, expiresAt);
    },
    get size() {
      return seen.size;
    },
  };
}
