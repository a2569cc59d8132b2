import {
  type AzureConfig,
  buildClientAssertion,
  buildClientCredentialsRequest,
  buildOnBehalfOfRequest,
  buildTexasExchangeRequest,
  buildTexasTokenRequest,
  type ClientAuthentication,
  clientCredentialsCacheKey,
  importSigningKey,
  oboCacheKeyForScope,
  type SigningKey,
  type TokenRequest,
  toAzureScope,
} from '@nav-auth/core';
import { BoundedMemo } from '../cache/bounded-memo.js';
import { subjectTokenCacheKey } from '../cache/subject-token-cache-key.js';
import { loadAzureConfig } from '../config/load-config.js';
import { assertKeyPairMatches } from '../keys/key-pair-check.js';
import type { AccessToken } from './access-token.js';
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

/** A target worked out once: its scope, the key and fetch of its app token, and its on-behalf-of keys. */
interface PreparedTarget {
  readonly scope: string;
  readonly cacheKey: string;
  readonly fetch: TokenFetcher;
  readonly oboCacheKey: (subjectTokenSha256: string) => string;
  readonly acquire: TokenOperation;
  readonly exchange: TokenOperation;
}

/** Options for {@link createAzureClient}. */
export interface AzureClientOptions extends TokenClientOptions, TransportOptions {
  /** Default: {@link loadAzureConfig} (environment, then NAIS secret files); not needed when both operations go through Texas. */
  readonly config?: AzureConfig;
}

/** Per-call options of the Azure client. */
export interface AzureTokenOptions {
  /** Fetch a new token even when a cached one is fresh. */
  readonly forceRefresh?: boolean;
  /** Aborts the wait for the token. */
  readonly signal?: AbortSignal;
}

/** An Azure AD (Entra ID) token client. */
export interface AzureClient {
  /**
   * An app token for `target`: `cluster:namespace:app` or an `api://…/.default` scope.
   *
   * @throws {@link NavAuthError} rejects with `ERR_SCOPE_NAME` when `target` is neither `cluster:namespace:app` nor an `api://…/.default` scope.
   * @throws {@link NavAuthError} rejects with `ERR_KEY` when the client's private key is refused on first use.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_ENDPOINT` when the token endpoint (or Texas) answers with an OAuth error.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_RESPONSE` when the answer is not a usable token response.
   * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network.
   * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the attempts run past their deadline.
   */
  clientCredentials(target: string, options?: AzureTokenOptions): Promise<AccessToken>;
  /**
   * Exchanges the user's incoming token for one to `target` (on-behalf-of).
   *
   * @throws {@link NavAuthError} rejects with `ERR_SCOPE_NAME` when `target` is malformed.
   * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when `subjectToken` is empty.
   * @throws {@link NavAuthError} rejects with `ERR_KEY` when the client's private key is refused on first use.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_ENDPOINT` when the token endpoint (or Texas) answers with an OAuth error.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_RESPONSE` when the answer is not a usable token response.
   * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network.
   * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the attempts run past their deadline.
   */
  onBehalfOf(subjectToken: string, target: string, options?: AzureTokenOptions): Promise<AccessToken>;
  /**
   * Drops the cached app token for `target`, so that the next call fetches a new one.
   *
   * @throws {@link NavAuthError} `ERR_SCOPE_NAME` when `target` is neither `cluster:namespace:app` nor an `api://…/.default` scope.
   */
  invalidateClientCredentials(target: string): void;
  /**
   * Drops the cached on-behalf-of token for this user's token and `target`.
   *
   * @throws {@link NavAuthError} rejects with `ERR_SCOPE_NAME` when `target` is neither `cluster:namespace:app` nor an `api://…/.default` scope.
   * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when `subjectToken` is empty.
   */
  invalidateOnBehalfOf(subjectToken: string, target: string): Promise<void>;
  /** Where each operation's requests go: `'texas'` (`NAIS_TOKEN_ENDPOINT`, `NAIS_TOKEN_EXCHANGE_ENDPOINT`) or `'direct'`. */
  readonly modes: { readonly clientCredentials: TokenTransportMode; readonly onBehalfOf: TokenTransportMode };
}

/**
 * Creates an Azure AD client for client credentials and on-behalf-of. It authenticates with
 * a client assertion signed by `AZURE_APP_JWK` when present (fresh for every attempt, `aud` =
 * the token endpoint), else with `AZURE_APP_CLIENT_SECRET`. Client credentials go through Texas
 * when `NAIS_TOKEN_ENDPOINT` is set, on-behalf-of when `NAIS_TOKEN_EXCHANGE_ENDPOINT` is (or
 * `mode` says so), with the same calls, results and cache in front; the target is normalized
 * to `api://cluster.namespace.app/.default` once either way.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when the Azure AD configuration is missing or malformed, or `AZURE_APP_JWK` is not one key pair.
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `mode` is neither `'texas'` nor `'direct'`.
 *
 * @example
 * const azure = createAzureClient();
 * const { token } = await azure.onBehalfOf(incomingToken, 'prod-gcp:team:downstream-api');
 */
export function createAzureClient(options: AzureClientOptions = {}): AzureClient {
  const texasToken = texasEndpoint('token', options);
  const texasExchange = texasEndpoint('exchange', options);
  const direct =
    texasToken === undefined || texasExchange === undefined ? (options.config ?? loadAzureConfig(envSource(options))) : undefined;
  if (direct?.clientJwk !== undefined) assertKeyPairMatches(direct.clientJwk, 'AZURE_APP_JWK');
  const known = direct ?? options.config;
  const { dispatcher, randomId, clock } = resolveClientOptions(options);
  const engine = new TokenEngine('azure', withTexasRetry(options, texasToken !== undefined || texasExchange !== undefined));
  const cacheClient = {
    provider: 'azure',
    clientId: known?.clientId ?? 'texas',
    issuer: known?.issuer ?? ((texasToken ?? texasExchange) as string),
  };
  // Only reached for an operation that goes direct, so the configuration is there.
  const config = direct as AzureConfig;
  const texasTimeout = options.attemptTimeoutMs ?? TEXAS_ATTEMPT_TIMEOUT_MS;
  let key: Promise<SigningKey> | undefined;
  const targets = new BoundedMemo<PreparedTarget>();

  const clientAuth = async (): Promise<ClientAuthentication> => {
    if (config.clientJwk === undefined) return { method: 'client_secret_post', clientSecret: config.clientSecret as string };
    key ??= importSigningKey(config.clientJwk).catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    const clientAssertion = await buildClientAssertion({
      clientId: config.clientId,
      audience: config.tokenEndpoint,
      key: await key,
      now: new Date(clock()),
      jti: randomId(),
    });
    return { method: 'private_key_jwt', clientAssertion };
  };
  const send = (signal: AbortSignal) => (request: TokenRequest) =>
    sendTokenRequest(request, { dispatcher, signal, timeoutMs: options.attemptTimeoutMs ?? 5000, purpose: 'Azure AD token request' });

  // Validating and keying a target costs more than a cache hit, so it is done once per target.
  const prepareTarget = (target: string): PreparedTarget => {
    const scope = toAzureScope(target);
    return {
      scope,
      cacheKey: clientCredentialsCacheKey(scope, cacheClient),
      oboCacheKey: oboCacheKeyForScope(scope, cacheClient),
      acquire: { operation: 'token.acquire', target: scope },
      exchange: { operation: 'token.exchange', target: scope },
      fetch:
        texasToken === undefined
          ? async (signal) =>
              send(signal)(
                buildClientCredentialsRequest({
                  tokenEndpoint: config.tokenEndpoint,
                  clientId: config.clientId,
                  scopes: [scope],
                  auth: await clientAuth(),
                }),
              )
          : (signal, renew) =>
              sendTokenRequest(
                buildTexasTokenRequest({ endpoint: texasToken, identityProvider: 'entra_id', target: scope, skipCache: renew }),
                {
                  dispatcher,
                  signal,
                  timeoutMs: texasTimeout,
                  purpose: 'Azure AD token request through Texas',
                },
              ),
    };
  };
  const onBehalfOfFetch =
    texasExchange === undefined
      ? (scope: string, subjectToken: string): TokenFetcher =>
          async (signal) =>
            send(signal)(
              buildOnBehalfOfRequest({
                tokenEndpoint: config.tokenEndpoint,
                clientId: config.clientId,
                scopes: [scope],
                subjectToken,
                auth: await clientAuth(),
              }),
            )
      : (scope: string, subjectToken: string): TokenFetcher =>
          (signal, renew) =>
            sendTokenRequest(
              buildTexasExchangeRequest({
                endpoint: texasExchange,
                identityProvider: 'entra_id',
                target: scope,
                userToken: subjectToken,
                skipCache: renew,
              }),
              { dispatcher, signal, timeoutMs: texasTimeout, purpose: 'Azure AD on-behalf-of through Texas' },
            );
  const preparedTarget = (target: string) => {
    const path = [target];
    return targets.get(path) ?? targets.set(path, prepareTarget(target));
  };

  return {
    clientCredentials(target, callOptions = {}) {
      try {
        const { cacheKey, fetch, acquire } = preparedTarget(target);
        return engine.get(cacheKey, fetch, callOptions, acquire);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    onBehalfOf(subjectToken, target, callOptions = {}) {
      try {
        const { scope, oboCacheKey, exchange } = preparedTarget(target);
        return engine.get(
          // Synchronous: the user's token is a new string on every request, so this runs on every call.
          subjectTokenCacheKey(subjectToken, oboCacheKey),
          onBehalfOfFetch(scope, subjectToken),
          callOptions,
          exchange,
        );
      } catch (error) {
        return Promise.reject(error);
      }
    },
    invalidateClientCredentials(target) {
      engine.invalidate(preparedTarget(target).cacheKey);
    },
    async invalidateOnBehalfOf(subjectToken, target) {
      engine.invalidate(subjectTokenCacheKey(subjectToken, preparedTarget(target).oboCacheKey));
    },
    modes: {
      clientCredentials: texasToken === undefined ? 'direct' : 'texas',
      onBehalfOf: texasExchange === undefined ? 'direct' : 'texas',
    },
  };
}
