import { InvalidInputError } from '../error/nav-auth-error.js';
import { checkAbsoluteUri, checkLifetime, checkNonEmpty, checkScopeList, toNumericDate } from '../input/check-input.js';
import { type JwsHeader, signCompactJws } from '../jws/sign-compact-jws.js';
import type { SigningKey } from '../key/signing-key.js';
import { parseNaisAudience } from '../scope/nais-names.js';

/** The longest client assertion lifetime nav-auth signs (Entra allows 5-10 minutes), in seconds. */
export const CLIENT_ASSERTION_MAX_LIFETIME = 600;

/** Options for {@link buildClientAssertion}. */
export interface ClientAssertionOptions {
  /** The client id; becomes both `iss` and `sub` (RFC 7523 §3). */
  readonly clientId: string;
  /** The authorization server's issuer; Azure AD wants its token endpoint here. */
  readonly audience: string;
  /** An RS256, PS256 or ES256 key. */
  readonly key: SigningKey;
  /** The current time, from the caller's clock. */
  readonly now: Date;
  /** A fresh unique id (a UUID) for this assertion; never reuse one. */
  readonly jti: string;
  /** `exp - iat` in seconds, 1 to 600 (default 60). */
  readonly lifetimeSeconds?: number;
  /** Base64url SHA-256 thumbprint of the key's certificate, sent as `x5t#S256` (Entra certificate credentials). */
  readonly certificateThumbprint?: string;
  /** Scopes some authorization servers read from the assertion (seed 004). */
  readonly scopes?: readonly string[];
}

const ASSERTION_ALGORITHMS: ReadonlySet<string> = new Set(['RS256', 'PS256', 'ES256']);
const sha256Thumbprint = /^[A-Za-z0-9_-]{43}$/;

/**
 * Builds and signs an RFC 7523 client assertion for `private_key_jwt` client authentication:
 * `iss` = `sub` = client id, `aud`, `jti`, `iat`, `nbf`, `exp`.
 *
 * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when the client id, audience, `jti`, `now` or lifetime breaks a rule (`field` names it).
 *
 * @example
 * const assertion = await buildClientAssertion({
 *   clientId, audience: tokenEndpoint, key, now: clock(), jti: randomId(),
 * });
 */
export async function buildClientAssertion(options: ClientAssertionOptions): Promise<string> {
  const { key } = options;
  if (!ASSERTION_ALGORITHMS.has(key.alg)) throw new InvalidInputError('key', 'client assertions are signed with RS256, PS256 or ES256');
  const clientId = checkNonEmpty('clientId', options.clientId);
  const iat = toNumericDate(options.now);
  const lifetime = checkLifetime('lifetimeSeconds', options.lifetimeSeconds ?? 60, CLIENT_ASSERTION_MAX_LIFETIME);
  const payload = {
    iss: clientId,
    sub: clientId,
    aud: checkAbsoluteUri('audience', options.audience),
    jti: checkNonEmpty('jti', options.jti),
    iat,
    nbf: iat,
    exp: iat + lifetime,
    ...(options.scopes === undefined ? {} : { scope: checkScopeList('scopes', options.scopes).join(' ') }),
  };
  const thumbprint = options.certificateThumbprint;
  if (thumbprint !== undefined && !sha256Thumbprint.test(thumbprint)) {
    throw new InvalidInputError('certificateThumbprint', 'must be the base64url SHA-256 thumbprint (43 characters)');
  }
  const header: JwsHeader = {
    alg: key.alg,
    kid: key.kid,
    typ: 'JWT',
    ...(thumbprint === undefined ? {} : { 'x5t#S256': thumbprint }),
  };
  return signCompactJws(header, new TextEncoder().encode(JSON.stringify(payload)), key);
}

/** The longest client assertion lifetime tokendings accepts (`CLIENT_ASSERTION_MAX_LIFETIME`), in seconds. */
export const TOKEN_X_ASSERTION_MAX_LIFETIME = 120;

/** Options for {@link buildTokenXClientAssertion}. */
export interface TokenXClientAssertionOptions {
  /** `TOKEN_X_CLIENT_ID`, `cluster:namespace:app`: both `iss` and `sub`. */
  readonly clientId: string;
  /** `TOKEN_X_TOKEN_ENDPOINT`: the assertion's `aud`, one string. */
  readonly tokenEndpoint: string;
  /** `TOKEN_X_PRIVATE_JWK`, imported: its `kid` and `alg` go in the header. */
  readonly key: SigningKey;
  /** The current time, from the caller's clock: `iat` and `nbf`. */
  readonly now: Date;
  /** A fresh UUID; tokendings refuses a `jti` it has seen. */
  readonly jti: string;
  /** `exp - iat`, 1 to 120 seconds (default 30, as the NAIS docs and Texas use). */
  readonly lifetimeSeconds?: number;
}

/**
 * Builds the client assertion of a TokenX exchange as tokendings checks it: `iss` = `sub` =
 * the client id, `aud` = the token endpoint as a single string (tokendings wants exactly one
 * audience), a fresh `jti`, `iat` = `nbf` = now and `exp` at most 120 s later.
 *
 * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when the token endpoint, `jti`, `now` or lifetime breaks a rule (`field` names it).
 * @throws {@link NavAuthError} rejects with `ERR_SCOPE_NAME` when the client id is not a `cluster:namespace:app` name.
 */
export async function buildTokenXClientAssertion(options: TokenXClientAssertionOptions): Promise<string> {
  parseNaisAudience(options.clientId);
  return buildClientAssertion({
    clientId: options.clientId,
    audience: options.tokenEndpoint,
    key: options.key,
    now: options.now,
    jti: options.jti,
    lifetimeSeconds: checkLifetime('lifetimeSeconds', options.lifetimeSeconds ?? 30, TOKEN_X_ASSERTION_MAX_LIFETIME),
  });
}
