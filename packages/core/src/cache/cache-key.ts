import { InvalidInputError } from '../error/nav-auth-error.js';
import { buildSystemUserAuthorizationDetails } from '../grant/system-user-authorization-details.js';
import { checkScopeList } from '../input/check-input.js';
import { encodeBase64Url } from '../jws/base64url.js';

/** Which client a cache key belongs to, so that one shared cache never mixes clients. */
export interface CacheKeyClient {
  /** `maskinporten`, `azure` or another name for the authorization server. */
  readonly provider: string;
  readonly clientId: string;
  readonly issuer: string;
}

/**
 * Encodes fields so that distinct field lists never give the same text: each field is
 * `<length>:<value>`, or `~` when absent, so no value can spill into its neighbour.
 */
export function encodeKeyFields(fields: readonly (string | undefined)[]): string {
  return fields.map((field) => (field === undefined ? '~' : `${field.length}:${field}`)).join('');
}

function clientFields(client: CacheKeyClient): string[] {
  for (const name of ['provider', 'clientId', 'issuer'] as const) {
    if (typeof client[name] !== 'string' || client[name].length === 0)
      throw new InvalidInputError(`client.${name}`, 'must be a non-empty string');
  }
  return [client.provider, client.clientId, client.issuer];
}

/**
 * Cache key for a client credentials token: the client and the scope (seed 002), plus the
 * RFC 8707 `resource` when one is asked for. Several scopes are passed space-separated, in
 * one order of the caller's choosing.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the scope list or a client field is empty or malformed.
 */
export function clientCredentialsCacheKey(scope: string, client: CacheKeyClient, resource?: string): string {
  checkScopeList('scope', scope.split(' '));
  return `cc|${encodeKeyFields([...clientFields(client), scope, resource])}`;
}

// A base64url SHA-256 digest: 32 bytes, 43 characters without padding.
const SHA256_BASE64URL_LENGTH = 43;
const sha256Base64Url = /^[A-Za-z0-9_-]{43}$/;

/**
 * On-behalf-of cache keys for one scope and client (seed 002): validates both once and
 * returns the key function, which takes the base64url SHA-256 of a subject token, so that a
 * caller who hashes synchronously (node's `crypto.hash`) pays for nothing else per lookup.
 * Anything but such a digest is refused: the raw token can never end up in a key.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the scope list or a client field is empty or malformed.
 *
 * @example
 * const keyFor = oboCacheKeyForScope('api://prod-gcp.team.api/.default', client);
 * const key = keyFor(hash('sha256', subjectToken, 'base64url'));
 */
export function oboCacheKeyForScope(scope: string, client: CacheKeyClient): (subjectTokenSha256: string) => string {
  checkScopeList('scope', [scope]);
  return subjectTokenKeyFor('obo', [...clientFields(client), scope]);
}

/**
 * Token exchange (TokenX) cache keys for one target and client, as {@link oboCacheKeyForScope}
 * builds them for on-behalf-of: the function takes the base64url SHA-256 of the subject token.
 * seed 002's rule hashes subject token and audience together; here the audience is a field of
 * its own beside the token's digest, which tells the same exchanges apart and keeps the one
 * digest per request that the cache lookup needs.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the audience or a client field is empty or malformed.
 */
export function tokenExchangeCacheKeyFor(audience: string, client: CacheKeyClient): (subjectTokenSha256: string) => string {
  if (typeof audience !== 'string' || audience.length === 0) throw new InvalidInputError('audience', 'must be a non-empty string');
  return subjectTokenKeyFor('tx', [...clientFields(client), audience]);
}

/** Keys `<kind>|<fields><digest>` for a subject token's digest; anything but a SHA-256 digest is refused. */
function subjectTokenKeyFor(kind: string, fields: readonly string[]): (subjectTokenSha256: string) => string {
  // The digest is the last field; with its length fixed, its encodeKeyFields prefix is too.
  const prefix = `${kind}|${encodeKeyFields(fields)}${SHA256_BASE64URL_LENGTH}:`;
  return (subjectTokenSha256) => {
    if (typeof subjectTokenSha256 !== 'string' || !sha256Base64Url.test(subjectTokenSha256))
      throw new InvalidInputError('subjectTokenSha256', 'must be the base64url SHA-256 digest of the subject token');
    return prefix + subjectTokenSha256;
  };
}

/**
 * Cache key for an on-behalf-of token: the client, the scope and the SHA-256 of the subject
 * token (seed 002), as {@link oboCacheKeyForScope} builds it, hashed with WebCrypto. The raw
 * token never appears in the key.
 *
 * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when the scope list, a client field or the subject token is empty or malformed.
 */
export async function oboCacheKey(subjectToken: string, scope: string, client: CacheKeyClient): Promise<string> {
  if (typeof subjectToken !== 'string' || subjectToken.length === 0)
    throw new InvalidInputError('subjectToken', 'must be a non-empty string');
  const keyFor = oboCacheKeyForScope(scope, client);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(subjectToken));
  return keyFor(encodeBase64Url(new Uint8Array(digest)));
}

/** What a Maskinporten token request asks for; the same options `buildMaskinportenGrant` takes. */
export interface MaskinportenCacheKeyOptions {
  /** The Maskinporten client id. */
  readonly clientId: string;
  /** Maskinporten's issuer. */
  readonly issuer: string;
  /** The scopes asked for, in any order. */
  readonly scopes: readonly string[];
  /** The RFC 8707 `resource` (audience) asked for, if any. */
  readonly resource?: string;
  /** The organization number a delegated token is asked on behalf of, if any. */
  readonly consumerOrg?: string;
  /** The customer organization of an Altinn system-user token, if any. */
  readonly systemUserOrg?: string;
}

/**
 * Cache key for a Maskinporten token, covering everything that changes which token you
 * get: client, issuer, the sorted scopes, `resource`, `consumer_org` and the canonical JSON
 * of `authorization_details`. Scope order does not matter; nothing else is folded together.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the scopes, a client field or the system-user organization is empty or malformed.
 */
export function maskinportenCacheKey(options: MaskinportenCacheKeyOptions): string {
  const scopes = [...checkScopeList('scopes', options.scopes)].sort();
  const details =
    options.systemUserOrg === undefined
      ? undefined
      : canonicalJson(buildSystemUserAuthorizationDetails('systemUserOrg', options.systemUserOrg));
  return `mp|${encodeKeyFields([
    ...clientFields({ provider: 'maskinporten', clientId: options.clientId, issuer: options.issuer }),
    encodeKeyFields(scopes),
    options.resource,
    options.consumerOrg,
    details,
  ])}`;
}

/**
 * JSON with object members sorted by name at every level, so equal values give equal text.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the value holds NaN, Infinity or something JSON cannot represent.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidInputError('value', 'canonical JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
  }
  throw new InvalidInputError('value', `canonical JSON cannot hold a ${typeof value}`);
}
