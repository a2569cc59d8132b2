import { ConfigError } from '@nav-auth/core';

/** What node-redis' `createClient` and ioredis' `new Redis(url, options)` need to connect. */
export interface ValkeyConnection {
  /** A `redis://` or `rediss://` URL (TLS in NAIS). */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/**
 * Reads the connection NAIS injects for Valkey instance `instance` (`spec.valkey[].instance`):
 * `REDIS_URI_<INSTANCE>` (a `rediss://` URL the clients parse), else `VALKEY_URI_<INSTANCE>` with
 * its `valkeys://` or `valkey://` scheme rewritten to `rediss://` or `redis://` (neither
 * node-redis nor ioredis parses those), plus `VALKEY_USERNAME_<INSTANCE>` and
 * `VALKEY_PASSWORD_<INSTANCE>` (else their `REDIS_` twins). `<INSTANCE>` is the name as NAIS
 * spells it in variables: upper case, every character but letters and digits an underscore.
 * Throws a {@link ConfigError} naming the variables (never their values) when there is no URI.
 *
 * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} `ERR_CONFIG` when the instance name is malformed or its `REDIS_*_<INSTANCE>` variables are missing or malformed.
 *
 * @example
 * const client = createClient({ ...valkeyConnectionFromEnv('tokens'), disableOfflineQueue: true });
 */
export function valkeyConnectionFromEnv(
  instance: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ValkeyConnection {
  if (typeof instance !== 'string' || !/[A-Za-z0-9]/.test(instance))
    throw new ConfigError([{ variable: 'instance', reason: 'must be the Valkey instance name from the NAIS manifest' }]);
  // naiserator: strings.ToUpper(regexp("[^a-z0-9]").ReplaceAllString(instance, "_")).
  const suffix = instance
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')
    .toUpperCase();
  const read = (name: string) => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const redisUri = `REDIS_URI_${suffix}`;
  const valkeyUri = `VALKEY_URI_${suffix}`;
  const variable = read(redisUri) !== undefined ? redisUri : read(valkeyUri) !== undefined ? valkeyUri : undefined;
  if (variable === undefined)
    throw new ConfigError([
      { variable: `${redisUri} or ${valkeyUri}`, reason: `is missing: is '${instance}' under spec.valkey in the NAIS manifest?` },
    ]);
  const url = toRedisScheme(read(variable) ?? '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError([{ variable, reason: 'is not a URL' }]);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new ConfigError([{ variable, reason: 'must be a redis://, rediss://, valkey:// or valkeys:// URL' }]);
  const username = read(`VALKEY_USERNAME_${suffix}`) ?? read(`REDIS_USERNAME_${suffix}`);
  const password = read(`VALKEY_PASSWORD_${suffix}`) ?? read(`REDIS_PASSWORD_${suffix}`);
  return { url, ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
}

function toRedisScheme(uri: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'valkeys') return `rediss:${uri.slice(scheme.length + 1)}`;
  if (scheme === 'valkey') return `redis:${uri.slice(scheme.length + 1)}`;
  return uri;
}
