import { InvalidInputError } from '../error/nav-auth-error.js';
import { checkAbsoluteUri, checkNonEmpty, checkScopeList } from '../input/check-input.js';
import { parseNaisAudience } from '../scope/nais-names.js';
import {
  buildFormRequest,
  type ClientAuthentication,
  JWT_BEARER_CLIENT_ASSERTION_TYPE,
  JWT_BEARER_GRANT_TYPE,
  type TokenRequest,
} from './token-request.js';

/** Options for {@link buildMaskinportenTokenRequest}. */
export interface MaskinportenTokenRequestOptions {
  /** `MASKINPORTEN_TOKEN_ENDPOINT`. */
  readonly tokenEndpoint: string;
  /** A grant from `buildMaskinportenGrant`. */
  readonly grant: string;
}

/**
 * Builds Maskinporten's token request: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<grant>`.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the token endpoint or the grant is malformed.
 */
export function buildMaskinportenTokenRequest(options: MaskinportenTokenRequestOptions): TokenRequest {
  return buildFormRequest(options.tokenEndpoint, [
    ['grant_type', JWT_BEARER_GRANT_TYPE],
    ['assertion', checkNonEmpty('grant', options.grant)],
  ]);
}

/** Options for {@link buildClientCredentialsRequest}. */
export interface ClientCredentialsRequestOptions {
  /** The authorization server's token endpoint. */
  readonly tokenEndpoint: string;
  /** The client's id (`client_id`). */
  readonly clientId: string;
  /** How the client authenticates: a client assertion or a client secret. */
  readonly auth: ClientAuthentication;
  /** Scopes to request, e.g. `['api://dev-gcp.team.app/.default']` for Azure AD. */
  readonly scopes: readonly string[];
  /** RFC 8707 resource indicator. */
  readonly resource?: string;
}

/**
 * Builds an RFC 6749 §4.4 client credentials request.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the token endpoint, client id, scopes or client authentication breaks a rule (`field` names it).
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
  /** The authorization server's token endpoint. */
  readonly tokenEndpoint: string;
  /** The client's id (`client_id`). */
  readonly clientId: string;
  /** How the client authenticates: a client assertion or a client secret. */
  readonly auth: ClientAuthentication;
  /** The user's incoming access token, whose `aud` is this app. */
  readonly subjectToken: string;
  /** Scopes for the downstream API, e.g. `['api://prod-gcp.team.app/.default']`. */
  readonly scopes: readonly string[];
}

/**
 * Builds an Azure AD on-behalf-of request (`requested_token_use=on_behalf_of`, seed 002).
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the token endpoint, client id, scopes, subject token or client authentication breaks a rule (`field` names it).
 */
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

/** `subject_token_type` of a JWT (RFC 8693 §3): what TokenX takes. */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/** Options for {@link buildTokenExchangeRequest}. */
export interface TokenExchangeRequestOptions {
  /** The authorization server's token endpoint. */
  readonly tokenEndpoint: string;
  /** The token to exchange (`subject_token`). */
  readonly subjectToken: string;
  /** Defaults to `urn:ietf:params:oauth:token-type:jwt`. */
  readonly subjectTokenType?: string;
  /** The `audience` the new token is for. */
  readonly audience?: string;
  /** The RFC 8707 `resource` the new token is for. */
  readonly resource?: string;
  /** The scopes asked for (`scope`). */
  readonly scopes?: readonly string[];
  /** The `requested_token_type`, if the server needs one. */
  readonly requestedTokenType?: string;
  /**
   * A `private_key_jwt` client assertion that alone identifies the client, sent without
   * `client_id` (RFC 7523 §3 makes it optional): how TokenX authenticates clients.
   */
  readonly clientAssertion?: string;
  /** Client authentication with `client_id`, for servers that want it; not with `clientAssertion`. */
  readonly client?: { readonly clientId: string; readonly auth: ClientAuthentication };
}

/**
 * Builds an RFC 8693 §2.1 token exchange request. With `clientAssertion` the form is exactly
 * what TokenX takes: `grant_type`, `client_assertion_type`, `client_assertion`,
 * `subject_token_type`, `subject_token`, `audience`, and no `client_id`.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the token endpoint, subject token, audience, scopes or client authentication breaks a rule (`field` names it).
 */
export function buildTokenExchangeRequest(options: TokenExchangeRequestOptions): TokenRequest {
  if (options.clientAssertion !== undefined && options.client !== undefined) {
    throw new InvalidInputError('clientAssertion', 'give clientAssertion or client, not both');
  }
  const params: Array<readonly [string, string]> = [['grant_type', TOKEN_EXCHANGE_GRANT_TYPE]];
  if (options.clientAssertion !== undefined) {
    params.push(
      ['client_assertion_type', JWT_BEARER_CLIENT_ASSERTION_TYPE],
      ['client_assertion', checkNonEmpty('clientAssertion', options.clientAssertion)],
    );
  }
  params.push(
    ['subject_token_type', checkNonEmpty('subjectTokenType', options.subjectTokenType ?? JWT_TOKEN_TYPE)],
    ['subject_token', checkNonEmpty('subjectToken', options.subjectToken)],
  );
  if (options.audience !== undefined) params.push(['audience', checkNonEmpty('audience', options.audience)]);
  if (options.resource !== undefined) params.push(['resource', checkAbsoluteUri('resource', options.resource)]);
  if (options.scopes !== undefined) params.push(['scope', checkScopeList('scopes', options.scopes).join(' ')]);
  if (options.requestedTokenType !== undefined) {
    params.push(['requested_token_type', checkNonEmpty('requestedTokenType', options.requestedTokenType)]);
  }
  return buildFormRequest(options.tokenEndpoint, params, options.client);
}

/** Options for {@link buildTokenXExchangeRequest}. */
export interface TokenXExchangeRequestOptions {
  /** `TOKEN_X_TOKEN_ENDPOINT`. */
  readonly tokenEndpoint: string;
  /** From `buildTokenXClientAssertion`, fresh for every attempt. */
  readonly clientAssertion: string;
  /** The citizen's incoming token: ID-porten's, or a TokenX token for this app. */
  readonly subjectToken: string;
  /** The target app, `cluster:namespace:app`. */
  readonly audience: string;
}

/**
 * Builds a TokenX token exchange (RFC 8693 with a client assertion, nais/doc), checking the target's name.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the token endpoint, subject token or client assertion is malformed.
 * @throws {@link NavAuthError} `ERR_SCOPE_NAME` when the audience is not a `cluster:namespace:app` name.
 */
export function buildTokenXExchangeRequest(options: TokenXExchangeRequestOptions): TokenRequest {
  parseNaisAudience(options.audience);
  return buildTokenExchangeRequest({
    tokenEndpoint: options.tokenEndpoint,
    clientAssertion: options.clientAssertion,
    subjectToken: options.subjectToken,
    audience: options.audience,
  });
}
