import { parseSerdeJson } from './serde-json-reader.js';
import type { IdentityProvider } from './texas-error.js';
import { type HttpPolicy, sendUpstream, UpstreamBodyError, UpstreamRequestError } from './texas-http-client.js';

/** One enabled provider as Texas resolves it (nais/texas `src/config.rs` `Provider`). */
export interface ProviderConfig {
  readonly kind: IdentityProvider;
  readonly clientId: string;
  /** The private JWK's JSON; ID-porten has none (it only validates). */
  readonly clientJwk: string | undefined;
  readonly jwksUri: string;
  readonly issuer: string;
  /** `undefined` only for ID-porten, whose tokens Texas only validates. */
  readonly tokenEndpoint: string | undefined;
}

/** The providers Texas was configured with, each `undefined` when its `*_ENABLED` is not `true`. */
export interface TexasConfig {
  readonly maskinporten: ProviderConfig | undefined;
  readonly entraId: ProviderConfig | undefined;
  readonly tokenX: ProviderConfig | undefined;
  readonly idporten: ProviderConfig | undefined;
}

/** A startup failure worded as Texas' `config::Error`, before "invalid configuration: ". */
export class TexasConfigError extends Error {}

interface ProviderVariables {
  readonly enabled: string;
  readonly clientId: string;
  readonly jwk: string | undefined;
  readonly wellKnown: string;
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string | undefined;
}

/** `ProviderKind::env()` and the `new_from_*_env` functions: which variable holds what. */
const VARIABLES: Record<IdentityProvider, ProviderVariables> = {
  entra_id: {
    enabled: 'AZURE_ENABLED',
    clientId: 'AZURE_APP_CLIENT_ID',
    jwk: 'AZURE_APP_JWK',
    wellKnown: 'AZURE_APP_WELL_KNOWN_URL',
    issuer: 'AZURE_OPENID_CONFIG_ISSUER',
    jwksUri: 'AZURE_OPENID_CONFIG_JWKS_URI',
    tokenEndpoint: 'AZURE_OPENID_CONFIG_TOKEN_ENDPOINT',
  },
  maskinporten: {
    enabled: 'MASKINPORTEN_ENABLED',
    clientId: 'MASKINPORTEN_CLIENT_ID',
    jwk: 'MASKINPORTEN_CLIENT_JWK',
    wellKnown: 'MASKINPORTEN_WELL_KNOWN_URL',
    issuer: 'MASKINPORTEN_ISSUER',
    jwksUri: 'MASKINPORTEN_JWKS_URI',
    tokenEndpoint: 'MASKINPORTEN_TOKEN_ENDPOINT',
  },
  tokenx: {
    enabled: 'TOKEN_X_ENABLED',
    clientId: 'TOKEN_X_CLIENT_ID',
    jwk: 'TOKEN_X_PRIVATE_JWK',
    wellKnown: 'TOKEN_X_WELL_KNOWN_URL',
    issuer: 'TOKEN_X_ISSUER',
    jwksUri: 'TOKEN_X_JWKS_URI',
    tokenEndpoint: 'TOKEN_X_TOKEN_ENDPOINT',
  },
  idporten: {
    enabled: 'IDPORTEN_ENABLED',
    clientId: 'IDPORTEN_AUDIENCE',
    jwk: undefined,
    wellKnown: 'IDPORTEN_WELL_KNOWN_URL',
    issuer: 'IDPORTEN_ISSUER',
    jwksUri: 'IDPORTEN_JWKS_URI',
    tokenEndpoint: undefined,
  },
};

type Env = Readonly<Record<string, string | undefined>>;

interface RawProvider {
  readonly kind: IdentityProvider;
  readonly clientId: string;
  readonly clientJwk: string | undefined;
  readonly wellKnownUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly jwksUri: string | undefined;
  readonly tokenEndpoint: string | undefined;
}

/** `new_from_*_env`: `undefined` when not enabled; the client id and key are required when it is. */
function readProvider(env: Env, kind: IdentityProvider): RawProvider | undefined {
  const names = VARIABLES[kind];
  const enabled = env[names.enabled];
  if (enabled === undefined) return undefined;
  // Rust's `str::parse::<bool>`: exactly `true` or `false`.
  if (enabled !== 'true' && enabled !== 'false') {
    throw new TexasConfigError(`parse boolean option '${names.enabled}': provided string was not \`true\` or \`false\``);
  }
  if (enabled === 'false') return undefined;
  const must = (name: string) => {
    const value = env[name];
    if (value === undefined) throw new TexasConfigError(`missing required environment variable '${name}'`);
    return value;
  };
  const clientId = must(names.clientId);
  return {
    kind,
    clientId,
    clientJwk: names.jwk === undefined ? undefined : must(names.jwk),
    wellKnownUrl: env[names.wellKnown],
    issuer: env[names.issuer],
    jwksUri: env[names.jwksUri],
    tokenEndpoint: names.tokenEndpoint === undefined ? undefined : env[names.tokenEndpoint],
  };
}

interface Metadata {
  readonly issuer?: string | undefined;
  readonly token_endpoint?: string | undefined;
  readonly jwks_uri?: string | undefined;
}

/** `fetch_provider_metadata`: any status; the body must be JSON whose three members, when present, are strings. */
async function fetchMetadata(url: string, policy: HttpPolicy): Promise<Metadata> {
  let bytes: Uint8Array;
  try {
    bytes = await (await sendUpstream(policy, url, { method: 'GET', headers: { accept: 'application/json' } })).body();
  } catch (error) {
    if (error instanceof UpstreamRequestError) throw new TexasConfigError(`fetch provider metadata from '${url}': ${error.debug}`);
    if (error instanceof UpstreamBodyError) throw new TexasConfigError(`decode provider metadata from '${url}': ${error.message}`);
    throw error;
  }
  const undecodable = new TexasConfigError(`decode provider metadata from '${url}': error decoding response body`);
  let document: unknown;
  try {
    document = parseSerdeJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw undecodable;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw undecodable;
  const metadata = document as Record<string, unknown>;
  for (const name of ['issuer', 'token_endpoint', 'jwks_uri']) {
    if (metadata[name] !== undefined && metadata[name] !== null && typeof metadata[name] !== 'string') throw undecodable;
  }
  const member = (name: string) => (typeof metadata[name] === 'string' ? (metadata[name] as string) : undefined);
  return { issuer: member('issuer'), token_endpoint: member('token_endpoint'), jwks_uri: member('jwks_uri') };
}

/** `RawProvider::resolve`: the well-known document is fetched only when the issuer, JWKS URI or token endpoint is missing. */
async function resolveProvider(raw: RawProvider, policy: HttpPolicy): Promise<ProviderConfig> {
  const names = VARIABLES[raw.kind];
  const needsTokenEndpoint = raw.kind !== 'idporten';
  const fetch =
    raw.wellKnownUrl !== undefined &&
    (raw.issuer === undefined || raw.jwksUri === undefined || (needsTokenEndpoint && raw.tokenEndpoint === undefined));
  const metadata: Metadata = fetch ? await fetchMetadata(raw.wellKnownUrl as string, policy) : {};
  const missing = (field: string) =>
    new TexasConfigError(`missing configuration for provider '${raw.kind}': set ${names.wellKnown} or ${field}`);
  const issuer = raw.issuer ?? metadata.issuer;
  if (issuer === undefined) throw missing(names.issuer);
  const jwksUri = raw.jwksUri ?? metadata.jwks_uri;
  if (jwksUri === undefined) throw missing(names.jwksUri);
  const tokenEndpoint = raw.tokenEndpoint ?? metadata.token_endpoint;
  if (needsTokenEndpoint && tokenEndpoint === undefined) throw missing(names.tokenEndpoint as string);
  return { kind: raw.kind, clientId: raw.clientId, clientJwk: raw.clientJwk, jwksUri, issuer, tokenEndpoint };
}

/**
 * `Config::new_from_env`: reads every provider's variables (Entra ID, Maskinporten, TokenX,
 * ID-porten, in Texas' order) before resolving any, then resolves them in the same order.
 * Throws {@link TexasConfigError}.
 */
export async function loadTexasConfig(env: Env, policy: HttpPolicy): Promise<TexasConfig> {
  const entraId = readProvider(env, 'entra_id');
  const maskinporten = readProvider(env, 'maskinporten');
  const tokenX = readProvider(env, 'tokenx');
  const idporten = readProvider(env, 'idporten');
  const resolve = (raw: RawProvider | undefined) => (raw === undefined ? undefined : resolveProvider(raw, policy));
  const resolvedEntra = await resolve(entraId);
  const resolvedMaskinporten = await resolve(maskinporten);
  const resolvedTokenX = await resolve(tokenX);
  const resolvedIdporten = await resolve(idporten);
  return { maskinporten: resolvedMaskinporten, entraId: resolvedEntra, tokenX: resolvedTokenX, idporten: resolvedIdporten };
}
