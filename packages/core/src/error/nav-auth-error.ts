/**
 * Every error nav-auth throws. Check errors by `code` (see {@link isNavAuthError}), not by
 * `instanceof`, so that two installed copies of `@nav-auth/core` still interoperate.
 *
 * Messages name claims, variables and reasons; they never carry a token, assertion,
 * secret, key or personal id, and no error keeps the token payload (unlike jose's).
 */

/** Stable error codes; the only part of an error meant for programs. */
export type NavAuthErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_INVALID_INPUT'
  | 'ERR_KEY'
  | 'ERR_SCOPE_NAME'
  | 'ERR_CLAIM_VALIDATION'
  | 'ERR_TOKEN_INVALID'
  | 'ERR_JWKS_UNAVAILABLE'
  | 'ERR_DISCOVERY'
  | 'ERR_TOKEN_ENDPOINT'
  | 'ERR_TOKEN_RESPONSE'
  | 'ERR_TRANSPORT'
  | 'ERR_TIMEOUT'
  | 'ERR_PDP_TRANSPORT';

const brand = Symbol.for('@nav-auth/core/error');

/** Base class of every nav-auth error: a stable `code`, a safe message, an optional `cause`. */
export class NavAuthError extends Error {
  /** Stable machine-readable code. */
  readonly code: NavAuthErrorCode;

  constructor(code: NavAuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, brand, { value: true });
  }
}

/**
 * True when `value` is a nav-auth error, optionally with the given code, narrowed to that
 * code's class; works across installed copies of core (it checks a brand, not the class).
 */
export function isNavAuthError(value: unknown): value is NavAuthError;
export function isNavAuthError<C extends NavAuthErrorCode>(value: unknown, code: C): value is NavAuthErrorByCode[C];
export function isNavAuthError(value: unknown, code?: NavAuthErrorCode): value is NavAuthError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[brand] !== true) return false;
  return code === undefined || (value as NavAuthError).code === code;
}

/** One problem found while parsing configuration: the variable and why it was refused (never its value). */
export interface ConfigProblem {
  readonly variable: string;
  readonly reason: string;
}

/** Configuration is missing or malformed; `problems` lists every variable at fault at once. */
export class ConfigError extends NavAuthError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super('ERR_CONFIG', `invalid configuration: ${problems.map((p) => `${p.variable} ${p.reason}`).join('; ')}`, options);
    this.problems = problems;
  }
}

/** An argument given to a builder breaks a protocol rule (lifetime too long, duplicate scope, ...). */
export class InvalidInputError extends NavAuthError {
  readonly field: string;

  constructor(field: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_INPUT', `invalid ${field}: ${reason}`, options);
    this.field = field;
  }
}

/** Why a key was refused. */
export type KeyErrorReason =
  | 'malformed'
  | 'unsupported_type'
  | 'unsupported_algorithm'
  | 'weak_key'
  | 'missing_kid'
  | 'private_members'
  | 'not_private'
  | 'import_failed';

/** A JWK was refused: malformed, too weak, symmetric, or private where a public key belongs. */
export class KeyError extends NavAuthError {
  readonly reason: KeyErrorReason;

  constructor(reason: KeyErrorReason, detail: string, options?: { cause?: unknown }) {
    super('ERR_KEY', `key refused (${reason}): ${detail}`, options);
    this.reason = reason;
  }
}

/** The part of a scope name that is wrong. */
export type ScopeNamePart = 'scope' | 'prefix' | 'subscope' | 'product' | 'name' | 'separator' | 'cluster' | 'namespace' | 'app';

/** A scope or audience name is malformed; `part` says which part and the message says why. */
export class ScopeNameError extends NavAuthError {
  readonly part: ScopeNamePart;

  constructor(part: ScopeNamePart, reason: string) {
    super('ERR_SCOPE_NAME', `invalid ${part}: ${reason}`);
    this.part = part;
  }
}

/** Why a claim failed validation. */
export type ClaimFailureReason =
  | 'missing'
  | 'invalid'
  | 'mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'too_old'
  | 'insufficient'
  | 'ambiguous'
  | 'not_allowed'
  | 'overage'
  | 'replayed';

/** A token's claims do not meet expectations: which `claim` and the `reason`, never its value. */
export class ClaimValidationError extends NavAuthError {
  readonly claim: string;
  readonly reason: ClaimFailureReason;

  constructor(claim: string, reason: ClaimFailureReason, detail?: string) {
    super('ERR_CLAIM_VALIDATION', `claim "${claim}" ${reason.replaceAll('_', ' ')}${detail ? `: ${detail}` : ''}`);
    this.claim = claim;
    this.reason = reason;
  }
}

/** Why a token was refused before or during signature verification. */
export type TokenInvalidReason =
  | 'malformed'
  /** Introspection answered `active: false`. */
  | 'inactive'
  | 'too_large'
  | 'unsupported_algorithm'
  | 'unsupported_header'
  | 'wrong_type'
  | 'unknown_key'
  | 'invalid_signature';

/** A token is not a well-formed, correctly signed JWS from a trusted key (RFC 7515 §5.2). */
export class TokenValidationError extends NavAuthError {
  readonly reason: TokenInvalidReason;

  constructor(reason: TokenInvalidReason, detail: string) {
    super('ERR_TOKEN_INVALID', `token refused (${reason}): ${detail}`);
    this.reason = reason;
  }
}

/** No usable key set could be had for an issuer (cold start during a JWKS outage); callers answer 503, not 401. */
export class KeySetUnavailableError extends NavAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_JWKS_UNAVAILABLE', message, options);
  }
}

/** An issuer's metadata is unusable: `issuer` differs from the configured one, or an endpoint URL is unsafe. */
export class DiscoveryError extends NavAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DISCOVERY', message, options);
  }
}

/**
 * The token endpoint answered with an OAuth error (RFC 6749 §5.2) or an unexpected HTTP status.
 * Through Texas (`via: 'texas'`) the status, `error` and description are the identity
 * provider's, which Texas passes on, or Texas' own for its own failures.
 */
export class TokenEndpointError extends NavAuthError {
  readonly status: number;
  /** The OAuth `error` code, e.g. `invalid_grant`; `undefined` when the body carried none. */
  readonly error: string | undefined;
  /** The server's `error_description`, length-capped and with anything token-shaped removed. */
  readonly errorDescription: string | undefined;
  /** `'texas'` when the answer came through the NAIS token sidecar; `'direct'` from the identity provider itself. */
  readonly via: 'direct' | 'texas';

  constructor(status: number, error: string | undefined, errorDescription: string | undefined, via: 'direct' | 'texas' = 'direct') {
    super(
      'ERR_TOKEN_ENDPOINT',
      `token endpoint${via === 'texas' ? ' (through Texas)' : ''} answered ${status}${error ? ` ${error}` : ''}${errorDescription ? `: ${errorDescription}` : ''}`,
    );
    this.status = status;
    this.error = error;
    this.errorDescription = errorDescription;
    this.via = via;
  }
}

/** A 2xx token response that is not a usable token response (not JSON, no token, bad expiry...). */
export class TokenResponseError extends NavAuthError {
  constructor(reason: string) {
    super('ERR_TOKEN_RESPONSE', `unusable token response: ${reason}`);
  }
}

/** A request could not be completed: connection refused or reset, DNS, TLS, body read failure. */
export class TransportError extends NavAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TRANSPORT', message, options);
  }
}

/** A request or a whole operation ran past its deadline. */
export class TimeoutError extends NavAuthError {
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number, options?: { cause?: unknown }) {
    super('ERR_TIMEOUT', `${what} timed out after ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/** The Altinn PDP could not be asked or its answer could not be read; callers must deny. */
export class PdpTransportError extends NavAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_PDP_TRANSPORT', message, options);
  }
}

/** The error class behind each code, for {@link isNavAuthError}'s narrowing. */
export interface NavAuthErrorByCode {
  ERR_CONFIG: ConfigError;
  ERR_INVALID_INPUT: InvalidInputError;
  ERR_KEY: KeyError;
  ERR_SCOPE_NAME: ScopeNameError;
  ERR_CLAIM_VALIDATION: ClaimValidationError;
  ERR_TOKEN_INVALID: TokenValidationError;
  ERR_JWKS_UNAVAILABLE: KeySetUnavailableError;
  ERR_DISCOVERY: DiscoveryError;
  ERR_TOKEN_ENDPOINT: TokenEndpointError;
  ERR_TOKEN_RESPONSE: TokenResponseError;
  ERR_TRANSPORT: TransportError;
  ERR_TIMEOUT: TimeoutError;
  ERR_PDP_TRANSPORT: PdpTransportError;
}
