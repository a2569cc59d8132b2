import { hash } from 'node:crypto';
import { InvalidInputError } from '@nav-auth/core';

/**
 * The cache key of an exchange for `subjectToken`, hashed synchronously: `keyFor` comes from
 * core's `oboCacheKeyForScope` or `tokenExchangeCacheKeyFor`, so for on-behalf-of this is the
 * key `oboCacheKey` gives, without its await. The user's token arrives as a new string on
 * every request, so one SHA-256 over it is the least a lookup can cost.
 */
export function subjectTokenCacheKey(subjectToken: string, keyFor: (subjectTokenSha256: string) => string): string {
  if (typeof subjectToken !== 'string' || subjectToken.length === 0)
    throw new InvalidInputError('subjectToken', 'must be a non-empty string');
  return keyFor(hash('sha256', subjectToken, 'base64url'));
}
