import type { IncomingHttpHeaders } from 'node:http';
import { type Fault, FaultTable } from '../server/faults.js';
import { type HandlerRequest, LocalHttpServer, type RecordedRequest, type Reply, type Route } from '../server/http-server.js';
import { loadTexasConfig, TexasConfigError } from './texas-config.js';
import { answerTexas, startupError, TexasApiError } from './texas-error.js';
import { jwksHttpPolicy, tokenHttpPolicy } from './texas-http-client.js';
import { createTexasProviders, TexasInitError, type TexasProvider, tokenCacheKey, tokenExchangeCacheKey } from './texas-provider.js';
import { parseTexasRequest } from './texas-request.js';
import { TokenCache } from './token-cache.js';

/** The endpoints of the fake Texas, as requests are recorded and faults injected under. */
export type FakeTexasEndpoint = 'texas.token' | 'texas.exchange' | 'texas.introspect';

/** Options for {@link startFakeTexas}. */
export interface FakeTexasOptions {
  /**
   * The variables Texas reads (nais/texas `src/config.rs`): `MASKINPORTEN_ENABLED`,
   * `AZURE_ENABLED`, `TOKEN_X_ENABLED`, `IDPORTEN_ENABLED` (`'true'` turns a provider on) and
   * each provider's own variables (`MASKINPORTEN_CLIENT_ID`, `MASKINPORTEN_CLIENT_JWK`,
   * `MASKINPORTEN_WELL_KNOWN_URL` | `MASKINPORTEN_ISSUER`/`JWKS_URI`/`TOKEN_ENDPOINT`;
   * `AZURE_APP_CLIENT_ID`, `AZURE_APP_JWK`, `AZURE_APP_WELL_KNOWN_URL` | `AZURE_OPENID_CONFIG_*`;
   * `TOKEN_X_*`; `IDPORTEN_*`), and `TEXAS_HTTP_MAX_RETRIES` and `TEXAS_HTTP_*_TIMEOUT_MILLIS`.
   * Like Texas: `private_key_jwt` only (no client secret), a private JWK without `alg` is a
   * startup error, the well-known URL is fetched only when issuer, JWKS URI or token endpoint is missing.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** The clock for cache lifetimes, assertion times and token validation (default: the system clock). */
  readonly now?: () => Date;
}

/** A running fake Texas. */
export interface FakeTexas {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /**
   * What NAIS gives the app container: `NAIS_TOKEN_ENDPOINT` (`${url}/api/v1/token`),
   * `NAIS_TOKEN_EXCHANGE_ENDPOINT` (`${url}/api/v1/token/exchange`),
   * `NAIS_TOKEN_INTROSPECTION_ENDPOINT` (`${url}/api/v1/introspect`).
   */
  readonly env: Readonly<Record<string, string>>;
  /** Every request received, oldest first; bodies may hold user tokens, as on the local IdP. */
  readonly requests: readonly RecordedRequest[];
  /** Takes the oldest request not taken yet, optionally for one endpoint. */
  takeRequest(endpoint?: FakeTexasEndpoint): RecordedRequest | undefined;
  /** Arms a fault on an endpoint for the next `times` requests (default: until cleared). */
  injectFault(endpoint: FakeTexasEndpoint, fault: Fault, times?: number): void;
  /** Disarms the faults on an endpoint, or on every endpoint when none is given. */
  clearFaults(endpoint?: FakeTexasEndpoint): void;
  /** Stops the server and drops every open connection. */
  close(): Promise<void>;
}

/** axum's `DefaultBodyLimit`. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Rust's wording of the one bind error a test meets. */
function bindError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EADDRINUSE' ? 'Address already in use (os error 98)' : (error as Error).message;
}

/**
 * Starts a fake Texas, the NAIS token sidecar, on 127.0.0.1: Texas' HTTP API exactly
 * (`POST /api/v1/token`, `/api/v1/token/exchange`, `/api/v1/introspect`, JSON or form bodies),
 * configured as Texas is, from its environment variables, and talking to the real identity
 * providers they name, the local IdP or any other. It caches as Texas does, passes on provider
 * errors with their status, and validates for introspection with Texas' rules. It shares no
 * code with `@nav-auth/core` or `@nav-auth/node`.
 *
 * @example
 * const idp = await startLocalIdp();
 * const client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
 * const texas = await startFakeTexas({ env: { ...client.env, MASKINPORTEN_ENABLED: 'true' } });
 * // the app under test gets texas.env (NAIS_TOKEN_ENDPOINT, ...)
 * await texas.close();
 */
export async function startFakeTexas(options: FakeTexasOptions): Promise<FakeTexas> {
  const now = options.now ?? (() => new Date());
  const jwksHttp = jwksHttpPolicy(options.env);
  const tokenHttp = tokenHttpPolicy(options.env);
  let providers: TexasProvider[];
  try {
    const config = await loadTexasConfig(options.env, jwksHttp);
    providers = await createTexasProviders(config, { tokenHttp, jwksHttp, now });
  } catch (error) {
    if (error instanceof TexasConfigError) throw startupError(`invalid configuration: ${error.message}`);
    if (error instanceof TexasInitError) throw startupError(error.message);
    throw error;
  }
  const tokenCache = new TokenCache(now);
  const exchangeCache = new TokenCache(now);

  const enabled = async (provider: TexasProvider, name: string) => provider.lock.read(() => provider.kind === name);

  // nais/texas src/handler/token.rs: the first provider handler of the kind that takes token requests.
  async function token(request: HandlerRequest): Promise<Reply> {
    const decoded = parseTexasRequest('token', request.headers, request.body);
    const key = tokenCacheKey(decoded);
    if (decoded.skip_cache === true) tokenCache.invalidate(key);
    let providerEnabled = false;
    for (const provider of providers) {
      if (await enabled(provider, decoded.identity_provider)) providerEnabled = true;
      if (!(await provider.lock.read(() => provider.kind === decoded.identity_provider && provider.handlesTokenRequests))) continue;
      const body = await tokenCache.getOrInsertWith(key, () => provider.lock.read(() => provider.getToken(decoded)));
      return { status: 200, body };
    }
    if (!providerEnabled) throw TexasApiError.notEnabled(decoded.identity_provider);
    throw TexasApiError.tokenRequestUnsupported(decoded.identity_provider);
  }

  // nais/texas src/handler/token_exchange.rs.
  async function exchange(request: HandlerRequest): Promise<Reply> {
    const decoded = parseTexasRequest('exchange', request.headers, request.body);
    const key = tokenExchangeCacheKey(decoded);
    if (decoded.skip_cache === true) exchangeCache.invalidate(key);
    let providerEnabled = false;
    for (const provider of providers) {
      if (await enabled(provider, decoded.identity_provider)) providerEnabled = true;
      if (!(await provider.lock.read(() => provider.kind === decoded.identity_provider && provider.handlesTokenExchanges))) continue;
      const body = await exchangeCache.getOrInsertWith(key, () => provider.lock.read(() => provider.exchangeToken(decoded)));
      return { status: 200, body };
    }
    if (!providerEnabled) throw TexasApiError.notEnabled(decoded.identity_provider);
    throw TexasApiError.tokenExchangeUnsupported(decoded.identity_provider);
  }

  // nais/texas src/handler/token_introspect.rs: HTTP 200 once the body is read, whatever the token.
  async function introspect(request: HandlerRequest): Promise<Reply> {
    const decoded = parseTexasRequest('introspect', request.headers, request.body);
    let providerEnabled = false;
    for (const provider of providers) {
      if (await enabled(provider, decoded.identity_provider)) providerEnabled = true;
      if (!(await enabled(provider, decoded.identity_provider))) continue;
      // Texas takes the write lock here: a JWKS refresh may happen.
      return { status: 200, body: await provider.lock.write(() => provider.introspect(decoded.token)) };
    }
    const reason = providerEnabled
      ? `identity provider '${decoded.identity_provider}' does not support introspection`
      : TexasApiError.notEnabled(decoded.identity_provider).description;
    return { status: 200, body: { active: false, error: reason } };
  }

  const routes = new Map<string, Route>([
    ['/api/v1/token', { endpoint: 'texas.token', methods: ['POST'], handle: (r) => answerTexas(() => token(r)) }],
    ['/api/v1/token/exchange', { endpoint: 'texas.exchange', methods: ['POST'], handle: (r) => answerTexas(() => exchange(r)) }],
    ['/api/v1/introspect', { endpoint: 'texas.introspect', methods: ['POST'], handle: (r) => answerTexas(() => introspect(r)) }],
  ]);
  const faults = new FaultTable<FakeTexasEndpoint>();
  const server = new LocalHttpServer(routes, faults, now, undefined, {
    maxBodyBytes: MAX_BODY_BYTES,
    // axum's router: 404 and 405 with empty bodies; an oversized body fails in the extractor.
    unrouted: {
      notFound: () => ({ status: 404, body: undefined }),
      methodNotAllowed: (allowed) => ({ status: 405, body: undefined, headers: { allow: allowed.join(',') } }),
      bodyTooLarge: (headers: IncomingHttpHeaders) => {
        try {
          parseTexasRequest('token', headers, undefined);
        } catch (error) {
          if (error instanceof TexasApiError) return error.reply();
          throw error;
        }
        return TexasApiError.invalidRequest('Failed to buffer the request body: length limit exceeded').reply();
      },
    },
  });
  let origin: string;
  try {
    origin = (await server.listen(options.port ?? 0, '127.0.0.1')).origin;
  } catch (error) {
    throw startupError(`set up listening socket: ${bindError(error)}`);
  }

  return {
    url: origin,
    env: {
      NAIS_TOKEN_ENDPOINT: `${origin}/api/v1/token`,
      NAIS_TOKEN_EXCHANGE_ENDPOINT: `${origin}/api/v1/token/exchange`,
      NAIS_TOKEN_INTROSPECTION_ENDPOINT: `${origin}/api/v1/introspect`,
    },
    requests: server.log,
    takeRequest: (endpoint) => server.takeRequest(endpoint),
    injectFault: (endpoint, fault, times) => faults.inject(endpoint, fault, times),
    clearFaults: (endpoint) => faults.clear(endpoint),
    close: () => server.close(),
  };
}
