import {
  buildMaskinportenGrant,
  buildMaskinportenTokenRequest,
  buildSystemUserAuthorizationDetails,
  buildTexasTokenRequest,
  InvalidInputError,
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
import {
  envSource,
  TEXAS_ATTEMPT_TIMEOUT_MS,
  type TokenTransportMode,
  type TransportOptions,
  texasEndpoint,
  withTexasRetry,
} from './texas-transport.js';
import { resolveClientOptions, type TokenClientOptions } from './token-client-options.js';
import { sendTokenRequest, TokenEngine, type TokenFetcher, type TokenOperation } from './token-engine.js';

interface PreparedRequest {
  readonly cacheKey: string;
  readonly fetch: TokenFetcher;
  readonly operation: TokenOperation;
}

const NO_OPTIONS: MaskinportenTokenOptions = Object.freeze({});

/** Options for {@link createMaskinportenClient}. */
export interface MaskinportenClientOptions extends TokenClientOptions, TransportOptions {
  /** Default: {@link loadMaskinportenConfig} (environment, then NAIS secret files); not needed through Texas. */
  readonly config?: MaskinportenConfig;
  /** `exp - iat` of each grant, in seconds (default 30, at most 120). */
  readonly grantLifetimeSeconds?: number;
}

/** What to ask Maskinporten for besides the scopes. */
export interface MaskinportenTokenOptions {
  /** RFC 8707 audience restriction: the token's `aud` becomes this. */
  readonly resource?: string;
  /** Act for this organisation through an Altinn delegation (direct mode only: Texas' API has no `consumer_org`). */
  readonly consumerOrg?: string;
  /** Get an Altinn system-user token for this customer organisation. */
  readonly systemUserOrg?: string;
  /** Skip the cache (the API answered 401 with the cached token). */
  readonly forceRefresh?: boolean;
  /** Aborts the wait for the token. */
  readonly signal?: AbortSignal;
}

/** A Maskinporten token client. */
export interface MaskinportenClient {
  /**
   * A token for `scopes`: from cache when possible, else a fresh JWT grant.
   *
   * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when the scopes or the options break a rule (`field` names it).
   * @throws {@link NavAuthError} rejects with `ERR_KEY` when the client's private key is refused on first use.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_ENDPOINT` when the token endpoint (or Texas) answers with an OAuth error.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_RESPONSE` when the answer is not a usable token response.
   * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network.
   * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the attempts run past their deadline.
   */
  getToken(scopes: string | readonly string[], options?: MaskinportenTokenOptions): Promise<AccessToken>;
  /** Forgets the cached token for these scopes and options. */
  invalidate(scopes: string | readonly string[], options?: Omit<MaskinportenTokenOptions, 'forceRefresh' | 'signal'>): void;
  /** Where token requests go: `'texas'` (the NAIS token sidecar) or `'direct'` (Maskinporten). */
  readonly mode: TokenTransportMode;
}

/**
 * Creates a Maskinporten client that signs a fresh RS256 JWT grant for every request
 * (retries included) and caches tokens per client, scopes, resource, consumer org and
 * system user. With `NAIS_TOKEN_ENDPOINT` set (or `mode: 'texas'`) it asks Texas instead, with
 * the same calls and results: `resource` and `systemUserOrg` (as `authorization_details`) pass
 * through, `forceRefresh` and refreshes ahead of expiry send `skip_cache`, and the cache stays
 * in front, so a hit never leaves the process.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when the Maskinporten configuration is missing or malformed, or `MASKINPORTEN_CLIENT_JWK` is not one key pair.
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `mode` is neither `'texas'` nor `'direct'`.
 *
 * @example
 * const maskinporten = createMaskinportenClient();
 * const { token } = await maskinporten.getToken('nav:test/api');
 * await fetch(url, { headers: { authorization: `Bearer ${token}` } });
 */
export function createMaskinportenClient(options: MaskinportenClientOptions = {}): MaskinportenClient {
  const texas = texasEndpoint('token', options);
  // Through Texas the sidecar holds the credentials: the app needs none of its own.
  const config = texas === undefined ? (options.config ?? loadMaskinportenConfig(envSource(options))) : options.config;
  if (texas === undefined) assertKeyPairMatches((config as MaskinportenConfig).clientJwk, 'MASKINPORTEN_CLIENT_JWK');
  const { dispatcher, randomId, clock } = resolveClientOptions(options);
  const engine = new TokenEngine('maskinporten', withTexasRetry(options, texas !== undefined));
  const client = { clientId: config?.clientId ?? 'texas', issuer: config?.issuer ?? (texas as string) };
  let key: Promise<SigningKey> | undefined;
  const signingKey = () => {
    key ??= importSigningKey((config as MaskinportenConfig).clientJwk).catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    return key;
  };

  const prepared = new BoundedMemo<PreparedRequest>();

  const prepare = (scopes: unknown, resource: unknown, consumerOrg: unknown, systemUserOrg: unknown): PreparedRequest => {
    if (texas !== undefined && consumerOrg !== undefined) {
      throw new InvalidInputError('consumerOrg', "Texas' API has no consumer_org: delegated tokens need mode 'direct'");
    }
    const ask = {
      ...client,
      // A copy: the caller may change its array after the call, and the fetch reads it later.
      scopes: (typeof scopes === 'string' ? scopes.split(' ') : Array.isArray(scopes) ? scopes.slice() : scopes) as readonly string[],
      ...(resource === undefined ? {} : { resource: resource as string }),
      ...(consumerOrg === undefined ? {} : { consumerOrg: consumerOrg as string }),
      ...(systemUserOrg === undefined ? {} : { systemUserOrg: systemUserOrg as string }),
    };
    // Validates the scopes and the system-user org: a request that fails here is never memoized.
    const cacheKey = maskinportenCacheKey(ask);
    const operation: TokenOperation = { operation: 'token.acquire', target: ask.scopes.join(' ') };
    if (texas !== undefined) {
      const authorizationDetails =
        ask.systemUserOrg === undefined ? undefined : buildSystemUserAuthorizationDetails('systemUserOrg', ask.systemUserOrg);
      return {
        cacheKey,
        operation,
        fetch: (signal, renew) =>
          sendTokenRequest(
            buildTexasTokenRequest({
              endpoint: texas,
              identityProvider: 'maskinporten',
              target: ask.scopes.join(' '),
              ...(ask.resource === undefined ? {} : { resource: ask.resource }),
              ...(authorizationDetails === undefined ? {} : { authorizationDetails }),
              skipCache: renew,
            }),
            {
              dispatcher,
              signal,
              timeoutMs: options.attemptTimeoutMs ?? TEXAS_ATTEMPT_TIMEOUT_MS,
              purpose: 'Maskinporten token request through Texas',
            },
          ),
      };
    }
    const direct = config as MaskinportenConfig;
    return {
      cacheKey,
      operation,
      fetch: async (signal) => {
        const grant = await buildMaskinportenGrant({
          ...ask,
          key: await signingKey(),
          now: new Date(clock()),
          jti: randomId(),
          ...(options.grantLifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.grantLifetimeSeconds }),
        });
        const tokenRequest = buildMaskinportenTokenRequest({ tokenEndpoint: direct.tokenEndpoint, grant });
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
        const { cacheKey, fetch, operation } = preparedFor(scopes, tokenOptions);
        return engine.get(cacheKey, fetch, tokenOptions, operation);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    invalidate(scopes, tokenOptions = NO_OPTIONS) {
      engine.invalidate(preparedFor(scopes, tokenOptions).cacheKey);
    },
    mode: texas === undefined ? 'direct' : 'texas',
  };
}
