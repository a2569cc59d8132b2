import { ConfigError, InvalidInputError } from '@nav-auth/core';
import type { AccessToken, AzureTokenOptions, MaskinportenTokenOptions, TokenXExchangeOptions } from '@nav-auth/node';
import { injectable } from './injectable.js';
import type { NavAuthRuntime } from './nav-auth.runtime.js';
import { requestPrincipal } from './request-context.js';
import { NAV_AUTH_EXTRAS, NAV_AUTH_RUNTIME, type NavAuthModuleExtras } from './tokens.js';

/** Maskinporten tokens for calling other organisations' APIs. */
export class MaskinportenTokenService {
  constructor(private readonly runtime: NavAuthRuntime) {}

  /**
   * A token for `scopes` (cached; see `@nav-auth/node`'s Maskinporten client).
   *
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_CONFIG` when the module has no Maskinporten client.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_INVALID_INPUT` when the scopes or options break a rule.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_TOKEN_ENDPOINT`, `ERR_TOKEN_RESPONSE`, `ERR_TRANSPORT`, `ERR_TIMEOUT` or `ERR_KEY` as the underlying `@nav-auth/node` client does.
   */
  async getToken(scopes: string | readonly string[], options?: MaskinportenTokenOptions): Promise<AccessToken> {
    const client = this.runtime.maskinportenClient;
    if (client === undefined) {
      throw new ConfigError([
        { variable: 'MASKINPORTEN_CLIENT_ID', reason: 'is missing (or set maskinporten.client): no Maskinporten client' },
      ]);
    }
    return client.getToken(scopes, options);
  }
}
injectable(MaskinportenTokenService, NAV_AUTH_RUNTIME);

/** Azure AD tokens: client credentials, and on-behalf-of the user of the current request. */
export class AzureTokenService {
  constructor(
    private readonly runtime: NavAuthRuntime,
    private readonly extras: NavAuthModuleExtras,
  ) {}

  private client() {
    const client = this.runtime.azureClient;
    if (client === undefined) {
      throw new ConfigError([{ variable: 'AZURE_APP_CLIENT_ID', reason: 'is missing (or set azure.config): no Azure AD client' }]);
    }
    return client;
  }

  /**
   * An app token for `target` (`cluster:namespace:app` or an `api://…/.default` scope).
   *
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_CONFIG` when the module has no Azure AD client.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_SCOPE_NAME` when `target` is malformed.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_TOKEN_ENDPOINT`, `ERR_TOKEN_RESPONSE`, `ERR_TRANSPORT`, `ERR_TIMEOUT` or `ERR_KEY` as the underlying `@nav-auth/node` client does.
   */
  async clientCredentials(target: string, options?: AzureTokenOptions): Promise<AccessToken> {
    return this.client().clientCredentials(target, options);
  }

  /**
   * A token for `target` on behalf of the user who called this request: the guarded request's
   * own Azure AD user token is used, so handlers need not pass it along. Needs the module's
   * `requestContext: true` (an `ERR_CONFIG` without it).
   *
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_CONFIG` when `requestContext` is off or the module has no Azure AD client.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_INVALID_INPUT` when called outside a guarded request with an Azure AD user token.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_SCOPE_NAME` when `target` is malformed.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_TOKEN_ENDPOINT`, `ERR_TOKEN_RESPONSE`, `ERR_TRANSPORT`, `ERR_TIMEOUT` or `ERR_KEY` as the underlying `@nav-auth/node` client does.
   */
  async onBehalfOf(target: string, options?: AzureTokenOptions): Promise<AccessToken> {
    if (!this.extras.requestContext) {
      throw new ConfigError([
        {
          variable: 'requestContext',
          reason: 'must be true in NavAuthModule.forRoot for onBehalfOf(target); or pass the token to onBehalfOfToken',
        },
      ]);
    }
    const principal = requestPrincipal.getStore();
    if (principal?.issuer !== 'azure' || principal.claims.kind !== 'user') {
      throw new InvalidInputError('onBehalfOf(target)', 'runs only while handling a guarded request with an Azure AD user token');
    }
    return this.client().onBehalfOf(principal.token, target, options);
  }

  /**
   * A token for `target` on behalf of the user whose token you pass (see `@BearerToken()`).
   *
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_CONFIG` when the module has no Azure AD client.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_INVALID_INPUT` when `subjectToken` is empty.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_SCOPE_NAME` when `target` is malformed.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_TOKEN_ENDPOINT`, `ERR_TOKEN_RESPONSE`, `ERR_TRANSPORT`, `ERR_TIMEOUT` or `ERR_KEY` as the underlying `@nav-auth/node` client does.
   */
  async onBehalfOfToken(subjectToken: string, target: string, options?: AzureTokenOptions): Promise<AccessToken> {
    return this.client().onBehalfOf(subjectToken, target, options);
  }
}
injectable(AzureTokenService, NAV_AUTH_RUNTIME, NAV_AUTH_EXTRAS);

/** TokenX exchanges: a token to another app (`cluster:namespace:app`) on behalf of the citizen of the current request. */
export class TokenXTokenService {
  constructor(
    private readonly runtime: NavAuthRuntime,
    private readonly extras: NavAuthModuleExtras,
  ) {}

  /**
   * A token for `target` on behalf of the citizen who called this request: the guarded
   * request's own ID-porten or TokenX token is exchanged, so handlers need not pass it along.
   * Needs the module's `requestContext: true` (an `ERR_CONFIG` without it).
   *
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_CONFIG` when `requestContext` is off or the module has no TokenX client.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_INVALID_INPUT` when called outside a guarded request with an ID-porten or TokenX token.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_SCOPE_NAME` when `target` is not `cluster:namespace:app`.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_TOKEN_ENDPOINT`, `ERR_TOKEN_RESPONSE`, `ERR_TRANSPORT`, `ERR_TIMEOUT` or `ERR_KEY` as the underlying `@nav-auth/node` client does.
   */
  async exchange(target: string, options?: TokenXExchangeOptions): Promise<AccessToken> {
    if (!this.extras.requestContext) {
      throw new ConfigError([
        {
          variable: 'requestContext',
          reason: 'must be true in NavAuthModule.forRoot for exchange(target); or pass the token to exchangeToken',
        },
      ]);
    }
    const principal = requestPrincipal.getStore();
    if (principal?.issuer !== 'idporten' && principal?.issuer !== 'tokenx') {
      throw new InvalidInputError('exchange(target)', 'runs only while handling a guarded request with an ID-porten or TokenX token');
    }
    return this.runtime.requireTokenXClient().exchange(principal.token, target, options);
  }

  /**
   * A token for `target` on behalf of the citizen whose token you pass (see `@BearerToken()`).
   *
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_CONFIG` when the module has no TokenX client.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_INVALID_INPUT` when the subject token is empty, expired or a TokenX token for another app.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_SCOPE_NAME` when `target` is not `cluster:namespace:app`.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} rejects with `ERR_TOKEN_ENDPOINT`, `ERR_TOKEN_RESPONSE`, `ERR_TRANSPORT`, `ERR_TIMEOUT` or `ERR_KEY` as the underlying `@nav-auth/node` client does.
   */
  async exchangeToken(subjectToken: string, target: string, options?: TokenXExchangeOptions): Promise<AccessToken> {
    return this.runtime.requireTokenXClient().exchange(subjectToken, target, options);
  }
}
injectable(TokenXTokenService, NAV_AUTH_RUNTIME, NAV_AUTH_EXTRAS);
