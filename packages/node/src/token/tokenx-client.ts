import {
  buildTexasExchangeRequest,
  buildTokenXClientAssertion,
  buildTokenXExchangeRequest,
  type CacheKeyClient,
  ConfigError,
  type ConfigProblem,
  checkTokenXSubjectToken,
  importSigningKey,
  parseNaisAudience,
  type SigningKey,
  type TokenXConfig,
  tokenExchangeCacheKeyFor,
} from '@nav-auth/core';
import { BoundedMemo } from '../cache/bounded-memo.js';
import { subjectTokenCacheKey } from '../cache/subject-token-cache-key.js';
import { loadTokenXConfig } from '../config/load-config.js';
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
import { sendTokenRequest, TokenEngine, type TokenFetcher } from './token-engine.js';

/** Options for {@link createTokenXClient}. */
export interface TokenXClientOptions extends TokenClientOptions, TransportOptions {
  /**
   * Default: {@link loadTokenXConfig} (the `TOKEN_X_*` environment). Direct, it needs
   * `TOKEN_X_PRIVATE_JWK` and `TOKEN_X_TOKEN_ENDPOINT`; through Texas, none of it (with
   * `TOKEN_X_CLIENT_ID` and `TOKEN_X_ISSUER` the re-exchange rule is still checked locally).
   */
  readonly config?: TokenXConfig;
  /** `exp - iat` of client assertions, 1 to 120 s (default 30). */
  readonly assertionLifetimeSeconds?: number;
}

/** Per-call options of {@link TokenXClient.exchange}. */
export interface TokenXExchangeOptions {
  /** Exchange again even when a cached token is fresh. */
  readonly forceRefresh?: boolean;
  /** Aborts the wait for the token. */
  readonly signal?: AbortSignal;
}

/** A TokenX client: exchanges a citizen's token for one to another app. */
export interface TokenXClient {
  /**
   * A token for `target` (`cluster:namespace:app`) on behalf of the citizen whose token
   * `subjectToken` is (ID-porten's, or a TokenX token for this app). Cached per subject token
   * and target until shortly before expiry.
   *
   * @throws {@link NavAuthError} rejects with `ERR_SCOPE_NAME` when `target` is not `cluster:namespace:app`.
   * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when the subject token is empty, expired or a TokenX token for another app.
   * @throws {@link NavAuthError} rejects with `ERR_KEY` when the client's private key is refused on first use.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_ENDPOINT` when the token endpoint (or Texas) answers with an OAuth error.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_RESPONSE` when the answer is not a usable token response.
   * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network.
   * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the attempts run past their deadline.
   */
  exchange(subjectToken: string, target: string, options?: TokenXExchangeOptions): Promise<AccessToken>;
  /** Drops the cached exchange, so the next call asks TokenX again. */
  invalidate(subjectToken: string, target: string): void;
  /** Where exchanges go: `'texas'` (`NAIS_TOKEN_EXCHANGE_ENDPOINT`) or `'direct'` (TokenX). */
  readonly mode: TokenTransportMode;
}

/**
 * Through Texas, the `TOKEN_X_*` configuration when the environment names the app
 * (`TOKEN_X_CLIENT_ID`), for the local re-exchange check; it must then be complete and sound
 * like any configuration. Without it, none: the sidecar holds everything an exchange needs.
 */
function validationConfig(options: TokenXClientOptions): TokenXConfig | undefined {
  const env = options.env ?? process.env;
  if ((env.TOKEN_X_CLIENT_ID ?? '').trim() === '') return undefined;
  return loadTokenXConfig(envSource(options));
}

/** The variables an exchange needs that the configuration lacks. */
function exchangeProblems(config: TokenXConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const needed = 'is missing: exchanging tokens with TokenX needs it';
  if (config.privateJwk === undefined) problems.push({ variable: 'TOKEN_X_PRIVATE_JWK', reason: needed });
  if (config.tokenEndpoint === undefined) problems.push({ variable: 'TOKEN_X_TOKEN_ENDPOINT', reason: needed });
  return problems;
}

/**
 * Creates a TokenX client (RFC 8693 token exchange, as nais/doc and tokendings specify it).
 * Each attempt signs a fresh client assertion (`aud` = the token endpoint, 30 s); the cache,
 * single flight, refresh ahead, retries and deadlines are the other clients' engine. A subject
 * token tokendings would refuse (expired, or a TokenX token for another app) is refused here
 * with `ERR_INVALID_INPUT` before any request. Configuration and key problems show at creation.
 * With `NAIS_TOKEN_EXCHANGE_ENDPOINT` set (or `mode: 'texas'`) exchanges go through Texas, with
 * the same calls and results; NAIS no longer documents the private JWK for the app container,
 * so Texas is the way wherever it runs.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when the TokenX configuration is missing or malformed, or `TOKEN_X_PRIVATE_JWK` is not one key pair.
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `mode` is neither `'texas'` nor `'direct'`.
 *
 * @example
 * const tokenx = createTokenXClient(); // TOKEN_X_* from the environment
 * const { token } = await tokenx.exchange(incomingToken, 'dev-gcp:team:app-b');
 */
export function createTokenXClient(options: TokenXClientOptions = {}): TokenXClient {
  const texas = texasEndpoint('exchange', options);
  const config =
    texas === undefined ? (options.config ?? loadTokenXConfig(envSource(options))) : (options.config ?? validationConfig(options));
  if (texas === undefined) {
    const problems = exchangeProblems(config as TokenXConfig);
    if (problems.length > 0) throw new ConfigError(problems);
    assertKeyPairMatches((config as TokenXConfig).privateJwk as NonNullable<TokenXConfig['privateJwk']>, 'TOKEN_X_PRIVATE_JWK');
  }
  const { dispatcher, randomId, clock } = resolveClientOptions(options);
  const engine = new TokenEngine('tokenx', withTexasRetry(options, texas !== undefined));
  const cacheClient: CacheKeyClient = {
    provider: 'tokenx',
    clientId: config?.clientId ?? 'texas',
    issuer: config?.issuer ?? (texas as string),
  };
  // Checking a target's name and keying it cost more than a cache hit, so both are done once per target.
  const keysByTarget = new BoundedMemo<(subjectTokenSha256: string) => string>();
  let key: Promise<SigningKey> | undefined;

  const signingKey = () => {
    key ??= importSigningKey((config as TokenXConfig).privateJwk as NonNullable<TokenXConfig['privateJwk']>).catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    return key;
  };
  const keyFor = (target: string) => {
    const path = [target];
    let found = keysByTarget.get(path);
    if (found === undefined) {
      parseNaisAudience(target);
      found = keysByTarget.set(path, tokenExchangeCacheKeyFor(target, cacheClient));
    }
    return found;
  };
  const cacheKey = (subjectToken: string, target: string) => subjectTokenCacheKey(subjectToken, keyFor(target));
  // Checked on a miss only: a cached answer was for a token that passed.
  const checkSubject = (subjectToken: string) => {
    if (config !== undefined)
      checkTokenXSubjectToken(subjectToken, { tokenXIssuer: config.issuer, clientId: config.clientId, now: new Date(clock()) });
  };
  const fetcher = (subjectToken: string, target: string): TokenFetcher => {
    if (texas !== undefined) {
      return (signal, renew) => {
        checkSubject(subjectToken);
        return sendTokenRequest(
          buildTexasExchangeRequest({ endpoint: texas, identityProvider: 'tokenx', target, userToken: subjectToken, skipCache: renew }),
          {
            dispatcher,
            signal,
            timeoutMs: options.attemptTimeoutMs ?? TEXAS_ATTEMPT_TIMEOUT_MS,
            purpose: 'TokenX token exchange through Texas',
          },
        );
      };
    }
    const { clientId, tokenEndpoint } = config as TokenXConfig;
    return async (signal) => {
      checkSubject(subjectToken);
      const clientAssertion = await buildTokenXClientAssertion({
        clientId,
        tokenEndpoint: tokenEndpoint as string,
        key: await signingKey(),
        now: new Date(clock()),
        jti: randomId(),
        ...(options.assertionLifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.assertionLifetimeSeconds }),
      });
      return sendTokenRequest(
        buildTokenXExchangeRequest({ tokenEndpoint: tokenEndpoint as string, clientAssertion, subjectToken, audience: target }),
        {
          dispatcher,
          signal,
          timeoutMs: options.attemptTimeoutMs ?? 5000,
          purpose: 'TokenX token exchange',
        },
      );
    };
  };

  return {
    mode: texas === undefined ? 'direct' : 'texas',
    exchange(subjectToken, target, callOptions = {}) {
      try {
        return engine.get(cacheKey(subjectToken, target), fetcher(subjectToken, target), callOptions, {
          operation: 'token.exchange',
          target,
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },
    invalidate(subjectToken, target) {
      engine.invalidate(cacheKey(subjectToken, target));
    },
  };
}
