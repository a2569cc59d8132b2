import { checkAbsoluteUri, checkNonEmpty, checkScopeList } from '../input/check-input.js';
import { buildFormRequest, type ClientAuthentication, JWT_BEARER_GRANT_TYPE, type TokenRequest } from './token-request.js';

/** Options for {@link buildMaskinportenTokenRequest}. */
export interface MaskinportenTokenRequestOptions {
  /** `MASKINPORTEN_TOKEN_ENDPOINT`. */
  readonly tokenEndpoint: string;
  /** A grant from `buildMaskinportenGrant`. */
  readonly grant: string;
}

/** Builds Maskinporten's token request: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<grant>`. */
export function buildMaskinportenTokenRequest(options: MaskinportenTokenRequestOptions): TokenRequest {
  return buildFormRequest(options.tokenEndpoint, [
    ['grant_type', JWT_BEARER_GRANT_TYPE],
    ['assertion', checkNonEmpty('grant', options.grant)],
  ]);
}

/** Options for {@link buildClientCredentialsRequest}. */
export interface ClientCredentialsRequestOptions {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly auth: ClientAuthentication;
  /** Scopes to request, e.g. `['api://dev-gcp.team.app/.default']` for Azure AD. */
  readonly scopes: readonly string[];
  /** RFC 8707 resource indicator. */
  readonly resource?: string;
}

/**
 * Builds an RFC 6749 §4.4 client credentials request.
 *
 * @example
 * const request = buildClientCredentialsRequest({
 *   tokenEndpoint, clientId, scopes: [azureScope({ cluster, namespace, app })],
 *   auth: { method: 'private_key_jwt', clientAssertion },
 * });
 */
export function buildClientCredentialsRequest(options: ClientCredentialsRequestOptions): TokenRequest {
  return buildFormRequest(
    options.tokenEndpoint,
    [
      ['grant_type', 'client_credentials'],
      ['scope', checkScopeList('scopes', options.scopes).join(' ')],
      ...(options.resource === undefined ? [] : [['resource', checkAbsoluteUri('resource', options.resource)] as const]),
    ],
    { clientId: options.clientId, auth: options.auth },
  );
}

/** Options for {@link buildOnBehalfOfRequest}. */
export interface OnBehalfOfRequestOptions {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly auth: ClientAuthentication;
  /** The user's incoming access token, whose `aud` is this app. */
  readonly subjectToken: string;
  /** Scopes for the downstream API, e.g. `['api://prod-gcp.team.app/.default']`. */
  readonly scopes: readonly string[];
}

/** Builds an Azure AD on-behalf-of request (`requested_token_use=on_behalf_of`, seed 002). */
export function buildOnBehalfOfRequest(options: OnBehalfOfRequestOptions): TokenRequest {
  return buildFormRequest(
    options.tokenEndpoint,
    [
      ['grant_type', JWT_BEARER_GRANT_TYPE],
      ['assertion', checkNonEmpty('subjectToken', options.subjectToken)],
      ['scope', checkScopeList('scopes', options.scopes).join(' ')],
      ['requested_token_use', 'on_behalf_of'],
    ],
    { clientId: options.clientId, auth: options.auth },
  );
}

/** `grant_type` of RFC 8693 token exchange. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** Options for {@link buildTokenExchangeRequest}. */
export interface TokenExchangeRequestOptions {
  readonly tokenEndpoint: string;
  readonly subjectToken: string;
  /** Defaults to `urn:ietf:params:oauth:token-type:jwt`. */
  readonly subjectTokenType?: string;
  readonly audience?: string;
  readonly resource?: string;
  readonly scopes?: readonly string[];
  readonly requestedTokenType?: string;
  /** Client authentication, when the authorization server requires it (TokenX does, with `private_key_jwt`). */
  readonly client?: { readonly clientId: string; readonly auth: ClientAuthentication };
}

/** Builds an RFC 8693 §2.1 token exchange request. */
export function buildTokenExchangeRequest(options: TokenExchangeRequestOptions): TokenRequest {
  const params: Array<readonly [string, string]> = [
    ['grant_type', TOKEN_EXCHANGE_GRANT_TYPE],
    ['subject_token', checkNonEmpty('subjectToken', options.subjectToken)],
    ['subject_token_type', checkNonEmpty('subjectTokenType', options.subjectTokenType ?? 'urn:ietf:params:oauth:token-type:jwt')],
  ];
  if (options.audience !== undefined) params.push(['audience', checkNonEmpty('audience', options.audience)]);
  if (options.resource !== undefined) params.push(['resource', checkAbsoluteUri('resource', options.resource)]);
  if (options.scopes !== undefined) params.push(['scope', checkScopeList('scopes', options.scopes).join(' ')]);
  if (options.requestedTokenType !== undefined) {
    params.push(['requested_token_type', checkNonEmpty('requestedTokenType', options.requestedTokenType)]);
  }
  return buildFormRequest(options.tokenEndpoint, params, options.client);
}
