import { type ConfigError, TokenEndpointError, TokenResponseError } from '../error/nav-auth-error.js';
import { REDACTED, sanitizeServerText, withRedactedView } from '../redaction/redacted-view.js';
import { secretsOf, type TokenRequest } from '../request/token-request.js';
import { texasProviderProblem } from '../texas/texas-requests.js';

/** A successful token response (RFC 6749 §5.1). Serializing or inspecting it hides `accessToken`. */
export interface TokenResponse {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Lifetime in seconds, as the server sent it. */
  readonly expiresIn: number;
  /** Granted scopes, when the server listed them. */
  readonly scopes: readonly string[] | undefined;
  /** RFC 8693 `issued_token_type`, when present. */
  readonly issuedTokenType: string | undefined;
}

// RFC 6749 §5.2: error = 1*( %x20-21 / %x23-5B / %x5D-7E )
const oauthErrorCode = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/;
// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="; it goes into an Authorization header.
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_EXPIRES_IN = 366 * 24 * 3600;

/**
 * Parses a token endpoint's answer. A non-2xx status becomes a {@link TokenEndpointError}
 * carrying the OAuth `error` and a sanitized `error_description`, with every secret of
 * `request` (the request this answers) cut out; a 2xx body that is not a usable Bearer token
 * response becomes a {@link TokenResponseError}. Through Texas (`request.via`), the error says
 * so, and Texas' answer that the provider is not enabled for the app is a `ConfigError` naming
 * the manifest field.
 *
 * @throws {@link NavAuthError} `ERR_TOKEN_RESPONSE` when a 200 answer is not JSON or lacks a usable `access_token`, `token_type` or `expires_in`.
 */
export function parseTokenResponse(status: number, body: string, request?: TokenRequest): TokenResponse {
  if (!Number.isInteger(status) || status < 200 || status > 299) throw parseErrorResponse(status, body, request);
  const json = parseJsonObject(body);
  if (json === undefined) throw new TokenResponseError('the body is not a JSON object');
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn, scope, issued_token_type: issuedTokenType } = json;
  if (typeof accessToken !== 'string' || accessToken.length === 0)
    throw new TokenResponseError('"access_token" is missing or not a string');
  if (!b64token.test(accessToken)) throw new TokenResponseError('"access_token" has characters a bearer token may not have (RFC 6750)');
  // RFC 6749 §7.1: the token type is case-insensitive.
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') throw new TokenResponseError('"token_type" is not Bearer');
  const lifetime = parseExpiresIn(expiresIn);
  if (lifetime === undefined) throw new TokenResponseError('"expires_in" must be a positive, finite number of seconds');
  if (scope !== undefined && typeof scope !== 'string') throw new TokenResponseError('"scope" must be a string');
  if (issuedTokenType !== undefined && typeof issuedTokenType !== 'string')
    throw new TokenResponseError('"issued_token_type" must be a string');
  const response: TokenResponse = {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: lifetime,
    scopes: scope === undefined ? undefined : scope.split(' ').filter((token) => token.length > 0),
    issuedTokenType,
  };
  return withRedactedView(response, { ...response, accessToken: REDACTED });
}

function parseErrorResponse(status: number, body: string, request: TokenRequest | undefined): TokenEndpointError | ConfigError {
  const json = parseJsonObject(body);
  const secrets = request === undefined ? [] : secretsOf(request);
  const error =
    typeof json?.error === 'string' && oauthErrorCode.test(json.error) ? sanitizeServerText(json.error, { secrets }) : undefined;
  const description =
    error !== undefined && typeof json?.error_description === 'string'
      ? sanitizeServerText(json.error_description, { secrets })
      : undefined;
  const via = request?.via ?? 'direct';
  if (via === 'texas') {
    const problem = texasProviderProblem(status, error, description);
    if (problem !== undefined) return problem;
  }
  return new TokenEndpointError(status, error, description, via);
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function parseExpiresIn(value: unknown): number | undefined {
  // Azure AD v1 sent expires_in as a string of digits; accept that one legacy form only.
  const seconds = typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_EXPIRES_IN) return undefined;
  return seconds;
}
