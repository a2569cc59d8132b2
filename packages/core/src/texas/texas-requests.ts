import type { JwtPayload } from '../claims/jwt-claims.js';
import { ConfigError, TokenResponseError, TokenValidationError } from '../error/nav-auth-error.js';
import { checkNonEmpty } from '../input/check-input.js';
import { sanitizeServerText } from '../redaction/redacted-view.js';
import { buildFormRequest, type TokenRequest } from '../request/token-request.js';

/** Texas' names for the identity providers (nais/texas `identity_provider.rs`); `entra_id`, never the old alias `azuread`. */
export type TexasIdentityProvider = 'entra_id' | 'tokenx' | 'maskinporten' | 'idporten';

/** The variables NAIS gives an app whose pod runs Texas, one per endpoint (nais/doc `auth/reference`). */
export const TEXAS_VARIABLES = {
  token: 'NAIS_TOKEN_ENDPOINT',
  exchange: 'NAIS_TOKEN_EXCHANGE_ENDPOINT',
  introspection: 'NAIS_TOKEN_INTROSPECTION_ENDPOINT',
} as const;

/** The NAIS manifest field that enables each provider in Texas, for the error when one is not. */
const MANIFEST_FIELDS: Readonly<Record<TexasIdentityProvider, string>> = {
  entra_id: 'spec.azure.application.enabled',
  tokenx: 'spec.tokenx.enabled',
  maskinporten: 'spec.maskinporten.enabled',
  idporten: 'spec.idporten.enabled',
};

/** Options for {@link buildTexasTokenRequest}. */
export interface TexasTokenRequestOptions {
  /** `NAIS_TOKEN_ENDPOINT`. */
  readonly endpoint: string;
  /** Which identity provider Texas asks (`identity_provider`). */
  readonly identityProvider: 'maskinporten' | 'entra_id';
  /** Maskinporten scopes (space-separated), or the Entra scope `api://cluster.namespace.app/.default`. */
  readonly target: string;
  /** Maskinporten's RFC 8707 `resource`, for an audience-restricted token. */
  readonly resource?: string;
  /** Maskinporten's RFC 9396 `authorization_details` (an Altinn system user). */
  readonly authorizationDetails?: readonly object[];
  /** Texas drops its cached token for this request and fetches a new one. */
  readonly skipCache?: boolean;
}

/**
 * A machine token request to Texas (`POST /api/v1/token`), as a form: Texas takes JSON or
 * form bodies, and a form shares nav-auth's request handling (redaction, secrets cut from
 * answers). `authorization_details` goes as a JSON string, as Texas reads it from a form.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the endpoint, identity provider or target is malformed.
 */
export function buildTexasTokenRequest(options: TexasTokenRequestOptions): TokenRequest {
  const params: Array<readonly [string, string]> = [
    ['identity_provider', options.identityProvider],
    ['target', checkNonEmpty('target', options.target)],
  ];
  if (options.resource !== undefined) params.push(['resource', checkNonEmpty('resource', options.resource)]);
  if (options.authorizationDetails !== undefined) params.push(['authorization_details', JSON.stringify(options.authorizationDetails)]);
  if (options.skipCache === true) params.push(['skip_cache', 'true']);
  return buildFormRequest(options.endpoint, params, undefined, 'texas');
}

/** Options for {@link buildTexasExchangeRequest}. */
export interface TexasExchangeRequestOptions {
  /** `NAIS_TOKEN_EXCHANGE_ENDPOINT`. */
  readonly endpoint: string;
  /** Which identity provider Texas asks (`identity_provider`). */
  readonly identityProvider: 'entra_id' | 'tokenx';
  /** `cluster:namespace:app` for TokenX, `api://cluster.namespace.app/.default` for Entra on-behalf-of. */
  readonly target: string;
  /** The user's token; it goes in the body, never in a URL. */
  readonly userToken: string;
  /** Texas drops its cached token for this exchange and fetches a new one. */
  readonly skipCache?: boolean;
}

/**
 * An on-behalf-of (Entra) or token exchange (TokenX) request to Texas (`POST /api/v1/token/exchange`).
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the endpoint, identity provider, target or user token is malformed.
 */
export function buildTexasExchangeRequest(options: TexasExchangeRequestOptions): TokenRequest {
  const params: Array<readonly [string, string]> = [
    ['identity_provider', options.identityProvider],
    ['target', checkNonEmpty('target', options.target)],
    ['user_token', checkNonEmpty('userToken', options.userToken)],
  ];
  if (options.skipCache === true) params.push(['skip_cache', 'true']);
  return buildFormRequest(options.endpoint, params, undefined, 'texas');
}

/**
 * An introspection request to Texas (`POST /api/v1/introspect`).
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the endpoint, identity provider or token is malformed.
 */
export function buildTexasIntrospectionRequest(options: {
  /** `NAIS_TOKEN_INTROSPECTION_ENDPOINT`. */
  readonly endpoint: string;
  readonly identityProvider: TexasIdentityProvider;
  readonly token: string;
}): TokenRequest {
  return buildFormRequest(
    options.endpoint,
    [
      ['identity_provider', options.identityProvider],
      ['token', checkNonEmpty('token', options.token)],
    ],
    undefined,
    'texas',
  );
}

/**
 * Reads Texas' introspection answer, which is HTTP 200 either way: the token's claims for
 * `active: true` (Texas checked signature, issuer, times and audience, and nothing else), or a
 * {@link TokenValidationError} with reason `inactive` and Texas' sanitized reason for
 * `active: false`. Anything else is a {@link TokenResponseError}.
 *
 * @throws {@link NavAuthError} `ERR_TOKEN_INVALID` when Texas answers `active: false` (reason `inactive`).
 * @throws {@link NavAuthError} `ERR_TOKEN_RESPONSE` when the answer is not HTTP 200 or not a JSON object with a boolean `active`.
 */
export function parseTexasIntrospection(status: number, body: string): JwtPayload {
  if (status !== 200) throw new TokenResponseError(`Texas introspection answered ${status}`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new TokenResponseError('the Texas introspection answer is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new TokenResponseError('the Texas introspection answer is not an object');
  const { active, ...claims } = json as Record<string, unknown>;
  if (active === true) return claims;
  if (active !== false) throw new TokenResponseError('the Texas introspection answer has no boolean "active"');
  const error = (json as { error?: unknown }).error;
  throw new TokenValidationError('inactive', typeof error === 'string' ? sanitizeServerText(error) : 'the token is not active');
}

const notEnabled = /^identity provider '([a-z_]+)' is not enabled/;

/**
 * The {@link ConfigError} for Texas' answer that a provider is not enabled for this app (400
 * `invalid_request`), naming the manifest field that enables it; `undefined` for any other answer.
 */
export function texasProviderProblem(status: number, error: string | undefined, description: string | undefined): ConfigError | undefined {
  if (status !== 400 || error !== 'invalid_request' || description === undefined) return undefined;
  const provider = notEnabled.exec(description)?.[1];
  if (provider === undefined) return undefined;
  const field = Object.hasOwn(MANIFEST_FIELDS, provider) ? MANIFEST_FIELDS[provider as TexasIdentityProvider] : `the ${provider} provider`;
  return new ConfigError([
    { variable: field, reason: `is not enabled in the NAIS manifest: Texas has no ${provider} credentials for this app` },
  ]);
}
