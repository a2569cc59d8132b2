import { endpointUrlProblem } from '../config/endpoint-url.js';
import { InvalidInputError } from '../error/nav-auth-error.js';
import { checkNonEmpty } from '../input/check-input.js';
import { REDACTED, withRedactedView } from '../redaction/redacted-view.js';

/**
 * A token request for `@nav-auth/node` (or any HTTP client) to send. Serializing or
 * inspecting it shows the URL and parameter names only, since the body and the
 * `authorization` header carry secrets.
 */
export interface TokenRequest {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  /** `application/x-www-form-urlencoded` body. */
  readonly body: string;
  /** `'texas'` when the request goes to the NAIS token sidecar, which passes upstream errors on. */
  readonly via?: 'texas';
}

/** How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2). */
export type ClientAuthentication =
  | { readonly method: 'client_secret_post'; readonly clientSecret: string }
  | { readonly method: 'client_secret_basic'; readonly clientSecret: string }
  | { readonly method: 'private_key_jwt'; readonly clientAssertion: string };

/** `grant_type` of the JWT bearer grant (RFC 7523 §2.1), used by Maskinporten and Azure on-behalf-of. */
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** `client_assertion_type` for `private_key_jwt` (RFC 7523 §2.2). */
export const JWT_BEARER_CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Builds a form POST to the token endpoint, adding client authentication when given. */
export function buildFormRequest(
  tokenEndpoint: string,
  params: ReadonlyArray<readonly [string, string]>,
  client?: { readonly clientId: string; readonly auth: ClientAuthentication },
  via?: 'texas',
): TokenRequest {
  const problem = endpointUrlProblem(tokenEndpoint);
  if (problem !== undefined) throw new InvalidInputError('tokenEndpoint', problem);
  const form = new URLSearchParams();
  for (const [name, value] of params) form.append(name, value);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (client !== undefined) {
    const clientId = checkNonEmpty('clientId', client.clientId);
    form.append('client_id', clientId);
    const { auth } = client;
    switch (auth.method) {
      case 'client_secret_post':
        form.append('client_secret', checkNonEmpty('clientSecret', auth.clientSecret));
        break;
      case 'client_secret_basic':
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
        headers.authorization = `Basic ${btoaUtf8(`${formEncode(clientId)}:${formEncode(checkNonEmpty('clientSecret', auth.clientSecret))}`)}`;
        break;
      case 'private_key_jwt':
        form.append('client_assertion_type', JWT_BEARER_CLIENT_ASSERTION_TYPE);
        form.append('client_assertion', checkNonEmpty('clientAssertion', auth.clientAssertion));
        break;
      default:
        throw new InvalidInputError('auth.method', 'must be client_secret_post, client_secret_basic or private_key_jwt');
    }
  }
  const request: TokenRequest = {
    url: tokenEndpoint,
    method: 'POST',
    headers,
    body: form.toString(),
    ...(via === undefined ? {} : { via }),
  };
  return withRedactedView(request, {
    url: tokenEndpoint,
    method: 'POST',
    parameters: [...new Set(form.keys())],
    headers: Object.keys(headers).map((name) => (name === 'authorization' ? `${name}: ${REDACTED}` : name)),
  });
}

/** Form parameters whose values are credentials or grants (RFC 6749, 7521, 7523, 7636, 8693). */
const secretParameters = new Set([
  'client_secret',
  'client_assertion',
  'assertion',
  'subject_token',
  'actor_token',
  'refresh_token',
  'code',
  'code_verifier',
  'password',
  // Texas' names for the subject token of an exchange and the token to introspect.
  'user_token',
  'token',
]);

/**
 * Every secret `request` carries, in each form a server might echo it: the raw value, form-
 * and percent-encoded, and for `client_secret_basic` the header, its base64 credentials and
 * the decoded `id:secret` and secret. For {@link sanitizeServerText} on the server's answer.
 */
export function secretsOf(request: TokenRequest): string[] {
  const found = new Set<string>();
  const add = (value: string) => {
    for (const form of [value, formEncode(value), encodeURIComponent(value)]) if (form.length > 0) found.add(form);
  };
  for (const [name, value] of new URLSearchParams(request.body)) if (secretParameters.has(name)) add(value);
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    add(authorization);
    const credentials = authorization.slice(authorization.indexOf(' ') + 1);
    add(credentials);
    const pair = /^basic /i.test(authorization) ? decodeBase64Utf8(credentials) : undefined;
    if (pair !== undefined) {
      const encodedSecret = pair.slice(pair.indexOf(':') + 1);
      add(pair);
      add(encodedSecret);
      add(new URLSearchParams(`s=${encodedSecret}`).get('s') ?? '');
    }
  }
  return [...found];
}

function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function decodeBase64Utf8(base64: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

function btoaUtf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
