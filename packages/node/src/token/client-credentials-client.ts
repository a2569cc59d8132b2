import {
  buildClientAssertion,
  buildClientCredentialsRequest,
  type ClientAuthentication,
  clientCredentialsCacheKey,
  DiscoveryError,
  importSigningKey,
  type SigningKey,
} from '@nav-auth/core';
import { discoverIssuer, oauthWellKnownUrl, openIdWellKnownUrl } from '../discovery/discovery.js';
import type { ClientKeyRotation } from '../keys/client-keys.js';
import type { AccessToken } from './access-token.js';
import { resolveClientOptions, type TokenClientOptions } from './token-client-options.js';
import { sendTokenRequest, TokenEngine } from './token-engine.js';

/** How a generic client authenticates: a private key or a rotating key set (`private_key_jwt`), or a secret. */
export type ClientCredential =
  | { readonly privateJwk: unknown; readonly alg?: 'PS256' | 'RS256' | 'ES256' }
  | { readonly keyRotation: ClientKeyRotation }
  | { readonly clientSecret: string; readonly method?: 'client_secret_post' | 'client_secret_basic' };

/** Options for {@link createClientCredentialsClient}. */
export interface ClientCredentialsClientOptions extends TokenClientOptions {
  /** The client's id at the authorization server. */
  readonly clientId: string;
  /** How the client authenticates: a private JWK (`private_key_jwt`) or a client secret. */
  readonly credential: ClientCredential;
  /** The authorization server's issuer; its token endpoint is found by discovery (RFC 8414, then OIDC). */
  readonly issuer: string;
  /** Skip discovery and use this token endpoint. */
  readonly tokenEndpoint?: string;
  /**
   * `aud` of client assertions: the issuer (draft-ietf-oauth-rfc7523bis; default) or the token
   * endpoint (what older servers and seed 004's example expect).
   */
  readonly assertionAudience?: 'issuer' | 'token_endpoint';
}

/** A generic OAuth 2.0 client credentials client. */
export interface ClientCredentialsClient {
  /**
   * A token for `scopes` (and optionally a `resource`), from the cache while it is fresh.
   *
   * @throws {@link NavAuthError} rejects with `ERR_DISCOVERY` when the token endpoint cannot be discovered.
   * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when the scopes break a rule.
   * @throws {@link NavAuthError} rejects with `ERR_KEY` when the client's private key is refused on first use.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_ENDPOINT` when the token endpoint answers with an OAuth error.
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_RESPONSE` when the answer is not a usable token response.
   * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network.
   * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the attempts run past their deadline.
   */
  getToken(
    scopes: string | readonly string[],
    options?: { readonly resource?: string; readonly forceRefresh?: boolean; readonly signal?: AbortSignal },
  ): Promise<AccessToken>;
}

/**
 * Creates a client credentials client for any authorization server (seed 004): discovery of
 * the token endpoint with an exact issuer check, and `private_key_jwt` (PS256, RS256, ES256)
 * or a client secret.
 *
 * @example
 * const client = createClientCredentialsClient({
 *   issuer: 'https://login.partner.example', clientId: 'partner-api-client',
 *   credential: { privateJwk: JSON.parse(process.env.CLIENT_JWK!) },
 * });
 * const { token } = await client.getToken('read');
 */
export function createClientCredentialsClient(options: ClientCredentialsClientOptions): ClientCredentialsClient {
  const { dispatcher, randomId, clock } = resolveClientOptions(options);
  const engine = new TokenEngine('client_credentials', options);
  const cacheClient = { provider: 'client_credentials', clientId: options.clientId, issuer: options.issuer };
  let endpoint: Promise<string> | undefined;
  let key: Promise<SigningKey> | undefined;

  const tokenEndpoint = () => {
    endpoint ??= (async () => {
      if (options.tokenEndpoint !== undefined) return options.tokenEndpoint;
      const discover = (url: string) => discoverIssuer(url, options.issuer, { dispatcher });
      const metadata = await discover(oauthWellKnownUrl(options.issuer)).catch(() => discover(openIdWellKnownUrl(options.issuer)));
      if (metadata.tokenEndpoint === undefined) throw new DiscoveryError('metadata has no token_endpoint');
      return metadata.tokenEndpoint;
    })().catch((error: unknown) => {
      endpoint = undefined;
      throw error;
    });
    return endpoint;
  };

  const clientAuth = async (url: string): Promise<ClientAuthentication> => {
    const { credential } = options;
    if ('clientSecret' in credential) return { method: credential.method ?? 'client_secret_post', clientSecret: credential.clientSecret };
    if ('privateJwk' in credential) {
      key ??= importSigningKey(credential.privateJwk, credential.alg === undefined ? {} : { alg: credential.alg }).catch(
        (error: unknown) => {
          key = undefined;
          throw error;
        },
      );
    }
    const signingKey = 'keyRotation' in credential ? await credential.keyRotation.signingKey() : await (key as Promise<SigningKey>);
    const clientAssertion = await buildClientAssertion({
      clientId: options.clientId,
      audience: options.assertionAudience === 'token_endpoint' ? url : options.issuer,
      key: signingKey,
      now: new Date(clock()),
      jti: randomId(),
    });
    return { method: 'private_key_jwt', clientAssertion };
  };

  return {
    async getToken(scopes, callOptions = {}) {
      const list = typeof scopes === 'string' ? scopes.split(' ') : [...scopes];
      const url = await tokenEndpoint();
      const cacheKey = clientCredentialsCacheKey([...list].sort().join(' '), cacheClient, callOptions.resource);
      return engine.get(
        cacheKey,
        async (signal) =>
          sendTokenRequest(
            buildClientCredentialsRequest({
              tokenEndpoint: url,
              clientId: options.clientId,
              scopes: list,
              auth: await clientAuth(url),
              ...(callOptions.resource === undefined ? {} : { resource: callOptions.resource }),
            }),
            { dispatcher, signal, timeoutMs: options.attemptTimeoutMs ?? 5000, purpose: 'token request' },
          ),
        {
          ...(callOptions.forceRefresh === undefined ? {} : { forceRefresh: callOptions.forceRefresh }),
          ...(callOptions.signal === undefined ? {} : { signal: callOptions.signal }),
        },
        { operation: 'token.acquire', target: list.join(' ') },
      );
    },
  };
}
