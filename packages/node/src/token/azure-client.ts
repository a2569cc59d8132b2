import {
  type AzureConfig,
  buildClientAssertion,
  buildClientCredentialsRequest,
  buildOnBehalfOfRequest,
  type ClientAuthentication,
  clientCredentialsCacheKey,
  importSigningKey,
  oboCacheKey,
  type SigningKey,
  type TokenRequest,
  toAzureScope,
} from '@nav-auth/core';
import { loadAzureConfig } from '../config/load-config.js';
import { assertKeyPairMatches } from '../keys/key-pair-check.js';
import type { AccessToken } from './access-token.js';
import { resolveClientOptions, type TokenClientOptions } from './token-client-options.js';
import { sendTokenRequest, TokenEngine, type TokenFetcher } from './token-engine.js';

const MAX_PREPARED_TARGETS = 1000;

/** Options for {@link createAzureClient}. */
export interface AzureClientOptions extends TokenClientOptions {
  /** Default: {@link loadAzureConfig} (environment, then NAIS secret files). */
  readonly config?: AzureConfig;
}

/** Per-call options of the Azure client. */
export interface AzureTokenOptions {
  readonly forceRefresh?: boolean;
  readonly signal?: AbortSignal;
}

/** An Azure AD (Entra ID) token client. */
export interface AzureClient {
  /** An app token for `target`: `cluster:namespace:app` or an `api://…/.default` scope. */
  clientCredentials(target: string, options?: AzureTokenOptions): Promise<AccessToken>;
  /** Exchanges the user's incoming token for one to `target` (on-behalf-of). */
  onBehalfOf(subjectToken: string, target: string, options?: AzureTokenOptions): Promise<AccessToken>;
  invalidateClientCredentials(target: string): void;
  invalidateOnBehalfOf(subjectToken: string, target: string): Promise<void>;
}

/**
 * Creates an Azure AD client for client credentials and on-behalf-of. It authenticates with
 * a client assertion signed by `AZURE_APP_JWK` when present (fresh for every attempt, `aud` =
 * the token endpoint), else with `AZURE_APP_CLIENT_SECRET`.
 *
 * @example
 * const azure = createAzureClient();
 * const { token } = await azure.onBehalfOf(incomingToken, 'prod-gcp:team:downstream-api');
 */
export function createAzureClient(options: AzureClientOptions = {}): AzureClient {
  const config = options.config ?? loadAzureConfig();
  if (config.clientJwk !== undefined) assertKeyPairMatches(config.clientJwk, 'AZURE_APP_JWK');
  const { dispatcher, randomId, clock } = resolveClientOptions(options);
  const engine = new TokenEngine('azure', options);
  const cacheClient = { provider: 'azure', clientId: config.clientId, issuer: config.issuer };
  let key: Promise<SigningKey> | undefined;
  const clientCredentialTargets = new Map<string, { readonly cacheKey: string; readonly fetch: TokenFetcher }>();

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

  return {
    clientCredentials(target, callOptions = {}) {
      let prepared = clientCredentialTargets.get(target);
      if (prepared === undefined) {
        // Worked out once per target: validating and keying a target costs more than a cache hit.
        const scope = toAzureScope(target);
        prepared = {
          cacheKey: clientCredentialsCacheKey(scope, cacheClient),
          fetch: async (signal) =>
            send(signal)(
              buildClientCredentialsRequest({
                tokenEndpoint: config.tokenEndpoint,
                clientId: config.clientId,
                scopes: [scope],
                auth: await clientAuth(),
              }),
            ),
        };
        if (clientCredentialTargets.size >= MAX_PREPARED_TARGETS) clientCredentialTargets.clear();
        clientCredentialTargets.set(target, prepared);
      }
      return engine.get(prepared.cacheKey, prepared.fetch, callOptions);
    },
    async onBehalfOf(subjectToken, target, callOptions = {}) {
      const scope = toAzureScope(target);
      return engine.get(
        await oboCacheKey(subjectToken, scope, cacheClient),
        async (signal) =>
          send(signal)(
            buildOnBehalfOfRequest({
              tokenEndpoint: config.tokenEndpoint,
              clientId: config.clientId,
              scopes: [scope],
              subjectToken,
              auth: await clientAuth(),
            }),
          ),
        callOptions,
      );
    },
    invalidateClientCredentials(target) {
      engine.invalidate(clientCredentialsCacheKey(toAzureScope(target), cacheClient));
    },
    async invalidateOnBehalfOf(subjectToken, target) {
      engine.invalidate(await oboCacheKey(subjectToken, toAzureScope(target), cacheClient));
    },
  };
}
