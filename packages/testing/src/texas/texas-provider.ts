import { randomUUID } from 'node:crypto';
import { uptime } from 'node:os';
import { CompactSign } from 'jose';
import { type PrivateJwkError, parsePrivateJwk, type SigningKey } from './private-jwk.js';
import { RwLock } from './rw-lock.js';
import { SerdeJsonError, SerdeJsonReader } from './serde-json-reader.js';
import type { ProviderConfig, TexasConfig } from './texas-config.js';
import { type IdentityProvider, TexasApiError } from './texas-error.js';
import { type HttpPolicy, sendUpstream, UpstreamBodyError, UpstreamRequestError } from './texas-http-client.js';
import { TexasJwks, TexasJwksError } from './texas-jwks.js';
import type { AuthorizationDetails, TokenExchangeRequest, TokenRequest } from './texas-request.js';
import type { UpstreamToken } from './token-cache.js';

/** The grant a provider handler speaks (nais/texas `src/oauth/grant.rs`); `none` only validates (ID-porten). */
export type Grant = 'jwt_bearer' | 'client_credentials' | 'on_behalf_of' | 'token_exchange' | 'none';

/** What Texas' `introspect` answers: always HTTP 200. */
export type IntrospectResponse = { readonly active: true } & Readonly<Record<string, unknown>>;

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** `EXPIRY_LEEWAY_SECONDS` in nais/texas `src/oauth/assertion.rs`: every assertion lives 30 s. */
const ASSERTION_LIFETIME_SECONDS = 30;
const I64_MAX = 9223372036854775807n;

/** serde_json's `Map` is a `BTreeMap` in Texas (no `preserve_order`): objects serialize with sorted keys. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(sorted, key, {
      value: sortKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return sorted;
}

/** The JSON Texas' `TokenRequest` hashes to: every field but `skip_cache`. */
export function tokenCacheKey(request: TokenRequest): string {
  const details = request.authorization_details === undefined ? null : sortKeys(request.authorization_details);
  return JSON.stringify([request.target, request.identity_provider, request.resource ?? null, details]);
}

/** The JSON Texas' `TokenExchangeRequest` hashes to: every field but `skip_cache`. */
export function tokenExchangeCacheKey(request: TokenExchangeRequest): string {
  return JSON.stringify([request.target, request.identity_provider, request.user_token]);
}

/**
 * NAIS documents `<cluster>:<namespace>:<app>` as an Entra ID target beside the scope
 * `api://<cluster>.<namespace>.<app>/.default` (nais/doc b49b10b1, 2026-07-29). The Texas source
 * read (b7b2193) sends `target` as the scope unchanged, so the mapping is taken from the docs.
 */
export function entraScope(target: string): string {
  const parts = target.split(':');
  return parts.length === 3 && parts.every((part) => /^[^\s/:.]+$/.test(part)) ? `api://${parts.join('.')}/.default` : target;
}

/** `serde_json::from_slice::<TokenResponse>`: `access_token`, `token_type` exactly `Bearer`, `expires_in` a u64. */
function parseTokenResponse(bytes: Uint8Array): UpstreamToken | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const reader = SerdeJsonReader.of(text);
    if (reader.whitespace() !== 0x7b) return undefined;
    reader.eat();
    const seen = new Set<string>();
    let accessToken: string | undefined;
    let expiresIn: { value: number; lexeme: string } | undefined;
    let bearer = false;
    for (let first = true; ; first = false) {
      const key = reader.nextKey(first);
      if (key === undefined) break;
      reader.objectColon();
      const known = key === 'access_token' || key === 'token_type' || key === 'expires_in';
      if (known && seen.has(key)) return undefined;
      seen.add(key);
      if (!known) {
        reader.ignoreValue();
        continue;
      }
      const b = reader.whitespace();
      if (key === 'expires_in') {
        if (b === undefined || b < 0x30 || b > 0x39) return undefined;
        const number = reader.number(true);
        if (number.kind !== 'u64') return undefined;
        expiresIn = { value: number.value, lexeme: number.lexeme };
      } else {
        if (b !== 0x22) return undefined;
        reader.eat();
        const value = reader.string();
        if (key === 'access_token') accessToken = value;
        else bearer = value === 'Bearer';
      }
    }
    reader.endMap();
    reader.end();
    if (accessToken === undefined || !bearer || expiresIn === undefined) return undefined;
    // `Instant::now().checked_add(..)` fails once the monotonic clock would pass i64::MAX seconds.
    const overflows = BigInt(expiresIn.lexeme) + BigInt(Math.floor(uptime())) > I64_MAX;
    return { accessToken, expiresIn: expiresIn.value, overflows };
  } catch (error) {
    if (error instanceof SerdeJsonError || error instanceof TypeError) return undefined;
    throw error;
  }
}

/** `serde_json::from_slice::<ErrorResponse>`: `error` and `error_description`, both strings; nothing else is kept. */
function parseErrorResponse(bytes: Uint8Array): { error: string; description: string } | undefined {
  let document: unknown;
  try {
    const reader = SerdeJsonReader.of(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    document = reader.value();
    reader.end();
  } catch {
    return undefined;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined;
  const { error, error_description: description } = document as Record<string, unknown>;
  return typeof error === 'string' && typeof description === 'string' ? { error, description } : undefined;
}

/**
 * One of Texas' provider handlers (nais/texas `src/oauth/identity_provider.rs` `Provider<R, A>`):
 * its grant, the client assertion it signs (`src/oauth/assertion.rs`), its JWKS, and the lock
 * Texas keeps it behind.
 */
export class TexasProvider {
  readonly lock = new RwLock();

  constructor(
    readonly kind: IdentityProvider,
    readonly grant: Grant,
    private readonly config: ProviderConfig,
    private readonly signingKey: SigningKey | undefined,
    private readonly jwks: TexasJwks,
    private readonly http: HttpPolicy,
    private readonly now: () => Date,
  ) {}

  get handlesTokenRequests(): boolean {
    return this.grant === 'jwt_bearer' || this.grant === 'client_credentials';
  }

  get handlesTokenExchanges(): boolean {
    return this.grant === 'on_behalf_of' || this.grant === 'token_exchange';
  }

  /** `get_token`: Maskinporten's RFC 7523 grant or Entra ID's client credentials. */
  async getToken(request: TokenRequest): Promise<UpstreamToken> {
    const assertion = await this.createAssertion(request.target, request.resource, request.authorization_details);
    if (assertion === undefined) throw TexasApiError.tokenRequestUnsupported(this.kind);
    return this.requestToken(this.grantParameters(request.target, assertion, undefined));
  }

  /** `exchange_token`: Entra ID's on-behalf-of or TokenX's RFC 8693 exchange. */
  async exchangeToken(request: TokenExchangeRequest): Promise<UpstreamToken> {
    const assertion = await this.createAssertion(request.target, undefined, undefined);
    if (assertion === undefined) throw TexasApiError.tokenExchangeUnsupported(this.kind);
    return this.requestToken(this.grantParameters(request.target, assertion, request.user_token));
  }

  /** `introspect`: the claims of a valid token, or why it is not. */
  async introspect(token: string): Promise<IntrospectResponse | { readonly active: false; readonly error: string }> {
    try {
      const claims = await this.jwks.validate(token, Math.floor(this.now().getTime() / 1000));
      return { active: true, ...claims };
    } catch (error) {
      if (error instanceof TexasJwksError) return { active: false, error: error.message };
      throw error;
    }
  }

  /**
   * `JWTBearerAssertion` (Maskinporten's grant: `scope`, `resource`, `authorization_details`) or
   * `ClientAssertion` (`sub`), both with `iss` = client id, `aud` = the issuer, a 30 s lifetime,
   * in Texas' member order; signed with the JWK's `alg` and `kid`, `typ` JWT.
   */
  private async createAssertion(
    target: string,
    resource: string | undefined,
    details: AuthorizationDetails | undefined,
  ): Promise<string | undefined> {
    if (this.signingKey === undefined) return undefined;
    const now = Math.floor(this.now().getTime() / 1000);
    const times = { exp: now + ASSERTION_LIFETIME_SECONDS, iat: now, nbf: now, jti: randomUUID() };
    const { clientId, issuer } = this.config;
    const claims =
      this.grant === 'jwt_bearer'
        ? {
            ...times,
            scope: target,
            iss: clientId,
            aud: issuer,
            ...(resource === undefined ? {} : { resource }),
            ...(details === undefined ? {} : { authorization_details: sortKeys(details) }),
          }
        : { ...times, sub: clientId, iss: clientId, aud: issuer };
    try {
      return await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ typ: 'JWT', alg: this.signingKey.alg, kid: this.signingKey.kid })
        .sign(this.signingKey.key);
    } catch {
      return undefined;
    }
  }

  /** The form Texas posts (`src/oauth/grant.rs`), parameters in its order. */
  private grantParameters(target: string, assertion: string, userToken: string | undefined): [string, string][] {
    const { clientId } = this.config;
    switch (this.grant) {
      case 'jwt_bearer':
        return [
          ['grant_type', JWT_BEARER],
          ['assertion', assertion],
        ];
      case 'client_credentials':
        return [
          ['grant_type', 'client_credentials'],
          ['client_id', clientId],
          ['client_assertion', assertion],
          ['client_assertion_type', CLIENT_ASSERTION_TYPE],
          ['scope', entraScope(target)],
        ];
      case 'on_behalf_of':
        return [
          ['grant_type', JWT_BEARER],
          ['client_id', clientId],
          ['client_assertion', assertion],
          ['client_assertion_type', CLIENT_ASSERTION_TYPE],
          ['scope', entraScope(target)],
          ['requested_token_use', 'on_behalf_of'],
          ['assertion', userToken ?? ''],
        ];
      case 'token_exchange':
        return [
          ['grant_type', 'urn:ietf:params:oauth:grant-type:token-exchange'],
          ['client_assertion', assertion],
          ['client_assertion_type', CLIENT_ASSERTION_TYPE],
          ['subject_token_type', 'urn:ietf:params:oauth:token-type:jwt'],
          ['subject_token', userToken ?? ''],
          ['audience', target],
        ];
      case 'none':
        throw TexasApiError.serverError('Failed to sign assertion');
    }
  }

  /** `get_token_from_idprovider`: posts the form; 4xx/5xx bodies are passed on with their status. */
  private async requestToken(parameters: [string, string][]): Promise<UpstreamToken> {
    const endpoint = this.config.tokenEndpoint;
    if (endpoint === undefined) throw TexasApiError.tokenRequestUnsupported(this.kind);
    let status: number;
    let bytes: Uint8Array;
    try {
      const response = await sendUpstream(this.http, endpoint, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(parameters).toString(),
      });
      status = response.status;
      bytes = await response.body();
    } catch (error) {
      if (error instanceof UpstreamRequestError) throw TexasApiError.serverError(`Upstream request failed: ${error.display}`);
      if (error instanceof UpstreamBodyError) throw TexasApiError.serverError(`Failed to parse JSON: ${error.message}`);
      throw error;
    }
    const undecodable = TexasApiError.serverError('Failed to parse JSON: error decoding response body');
    if (status >= 400) {
      const upstream = parseErrorResponse(bytes);
      if (upstream === undefined) throw undecodable;
      throw new TexasApiError(status, upstream.error, upstream.description);
    }
    const token = parseTokenResponse(bytes);
    if (token === undefined) throw undecodable;
    return token;
  }
}

/** A startup failure worded as Texas' `handler::InitError`. */
export class TexasInitError extends Error {}

/**
 * `State::from_config`: Texas' provider handlers in its order (Maskinporten; Entra ID
 * on-behalf-of, then client credentials, each with its own JWKS; TokenX; ID-porten), each
 * JWKS fetched before its private JWK is read. The audience checked on introspection is the
 * client id, except for Maskinporten, which has none. Throws {@link TexasInitError}.
 */
export async function createTexasProviders(
  config: TexasConfig,
  options: { readonly tokenHttp: HttpPolicy; readonly jwksHttp: HttpPolicy; readonly now: () => Date },
): Promise<TexasProvider[]> {
  const providers: TexasProvider[] = [];
  const add = async (provider: ProviderConfig, grant: Grant, audience: string | undefined) => {
    let jwks: TexasJwks;
    try {
      jwks = await TexasJwks.load(provider.issuer, provider.jwksUri, audience, options.jwksHttp);
    } catch (error) {
      if (error instanceof TexasJwksError) throw new TexasInitError(`fetch JWKS from remote endpoint: ${error.message}`);
      throw error;
    }
    let signingKey: SigningKey | undefined;
    try {
      signingKey = provider.clientJwk === undefined ? undefined : await parsePrivateJwk(provider.clientJwk);
    } catch (error) {
      throw new TexasInitError(`invalid private JWK format: ${(error as PrivateJwkError).message}`);
    }
    providers.push(new TexasProvider(provider.kind, grant, provider, signingKey, jwks, options.tokenHttp, options.now));
  };
  if (config.maskinporten !== undefined) await add(config.maskinporten, 'jwt_bearer', undefined);
  if (config.entraId !== undefined) {
    await add(config.entraId, 'on_behalf_of', config.entraId.clientId);
    await add(config.entraId, 'client_credentials', config.entraId.clientId);
  }
  if (config.tokenX !== undefined) await add(config.tokenX, 'token_exchange', config.tokenX.clientId);
  if (config.idporten !== undefined) await add(config.idporten, 'none', config.idporten.clientId);
  return providers;
}
