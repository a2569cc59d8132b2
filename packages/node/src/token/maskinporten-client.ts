import {
  buildMaskinportenGrant,
  buildMaskinportenTokenRequest,
  importSigningKey,
  type MaskinportenConfig,
  maskinportenCacheKey,
  type SigningKey,
} from '@nav-auth/core';
import { BoundedMemo } from '../cache/bounded-memo.js';
import { loadMaskinportenConfig } from '../config/load-config.js';
import { assertKeyPairMatches } from '../keys/key-pair-check.js';
import type { AccessToken } from './access-token.js';
import { maskinportenCallPath } from './maskinporten-call-path.js';
import { resolveClientOptions, type TokenClientOptions } from './token-client-options.js';
import { sendTokenRequest, TokenEngine, type TokenFetcher } from './token-engine.js';

interface PreparedRequest {
  readonly cacheKey: string;
  readonly fetch: TokenFetcher;
}

const NO_OPTIONS: MaskinportenTokenOptions = Object.freeze({});

/** Options for {@link createMaskinportenClient}. */
export interface MaskinportenClientOptions extends TokenClientOptions {
  /** Default: {@link loadMaskinportenConfig} (environment, then NAIS secret files). */
  readonly config?: MaskinportenConfig;
  /** `exp - iat` of each grant, in seconds (default 30, at most 120). */
  readonly grantLifetimeSeconds?: number;
}

/** What to ask Maskinporten for besides the scopes. */
export interface MaskinportenTokenOptions {
  /** RFC 8707 audience restriction: the token's `aud` becomes this. */
  readonly resource?: string;
  /** Act for this organisation through an Altinn delegation. */
  readonly consumerOrg?: string;
  /** Get an Altinn system-user token for this customer organisation. */
  readonly systemUserOrg?: string;
  /** Skip the cache (the API answered 401 with the cached token). */
  readonly forceRefresh?: boolean;
  readonly signal?: AbortSignal;
}

/** A Maskinporten token client. */
export interface MaskinportenClient {
  /** A token for `scopes`: from cache when possible, else a fresh JWT grant. */
  getToken(scopes: string | readonly string[], options?: MaskinportenTokenOptions): Promise<AccessToken>;
  /** Forgets the cached token for these scopes and options. */
  invalidate(scopes: string | readonly string[], options?: Omit<MaskinportenTokenOptions, 'forceRefresh' | 'signal'>): void;
}

/**
 * Creates a Maskinporten client that signs a fresh RS256 JWT grant for every request
 * (retries included) and caches tokens per client, scopes, resource, consumer org and
 * system user.
 *
 * @example
 * const maskinporten = createMaskinportenClient();
 * const { token } = await maskinporten.getToken('nav:test/api');
 * await fetch(url, { headers: { authorization: `Bearer ${token}` } });
 */
export function createMaskinportenClient(options: MaskinportenClientOptions = {}): MaskinportenClient {
  const config = options.config ?? loadMaskinportenConfig();
  assertKeyPairMatches(config.clientJwk, 'MASKINPORTEN_CLIENT_JWK');
  const { dispatcher, randomId, clock } = resolveClientOptions(options);
  const engine = new TokenEngine('maskinporten', options);
  let key: Promise<SigningKey> | undefined;
  const signingKey = () => {
    key ??= importSigningKey(config.clientJwk).catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    return key;
  };

  const prepared = new BoundedMemo<PreparedRequest>();

  const prepare = (scopes: unknown, resource: unknown, consumerOrg: unknown, systemUserOrg: unknown): PreparedRequest => {
    const ask = {
      clientId: config.clientId,
      issuer: config.issuer,
      // A copy: the caller may change its array after the call, and the fetch reads it later.
      scopes: (typeof scopes === 'string' ? scopes.split(' ') : Array.isArray(scopes) ? scopes.slice() : scopes) as readonly string[],
      ...(resource === undefined ? {} : { resource: resource as string }),
      ...(consumerOrg === undefined ? {} : { consumerOrg: consumerOrg as string }),
      ...(systemUserOrg === undefined ? {} : { systemUserOrg: systemUserOrg as string }),
    };
    return {
      // Validates the scopes and the system-user org: a request that fails here is never memoized.
      cacheKey: maskinportenCacheKey(ask),
      fetch: async (signal) => {
        const grant = await buildMaskinportenGrant({
          ...ask,
          key: await signingKey(),
          now: new Date(clock()),
          jti: randomId(),
          ...(options.grantLifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.grantLifetimeSeconds }),
        });
        const tokenRequest = buildMaskinportenTokenRequest({ tokenEndpoint: config.tokenEndpoint, grant });
        return sendTokenRequest(tokenRequest, {
          dispatcher,
          signal,
          timeoutMs: options.attemptTimeoutMs ?? 5000,
          purpose: 'Maskinporten token request',
        });
      },
    };
  };

  // Validating, sorting and keying the scopes costs more than the cache hit itself, so it is
  // done once per call shape; each option is read once, so the memo key and the request agree.
  const preparedFor = (scopes: unknown, tokenOptions: MaskinportenTokenOptions): PreparedRequest => {
    const { resource, consumerOrg, systemUserOrg } = tokenOptions;
    const path = maskinportenCallPath(scopes, resource, consumerOrg, systemUserOrg);
    if (path === undefined) return prepare(scopes, resource, consumerOrg, systemUserOrg);
    return prepared.get(path) ?? prepared.set(path, prepare(scopes, resource, consumerOrg, systemUserOrg));
  };

  return {
    getToken(scopes, tokenOptions = NO_OPTIONS) {
      try {
        const { cacheKey, fetch } = preparedFor(scopes, tokenOptions);
        return engine.get(cacheKey, fetch, tokenOptions);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    invalidate(scopes, tokenOptions = NO_OPTIONS) {
      engine.invalidate(preparedFor(scopes, tokenOptions).cacheKey);
    },
  };
}
