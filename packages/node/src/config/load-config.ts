import { join } from 'node:path';
import {
  type AzureConfig,
  type AzureValidationConfig,
  ConfigError,
  type ConfigProblem,
  type EnvironmentRecord,
  endpointUrlProblem,
  type IdportenConfig,
  type IssuerMetadata,
  isNavAuthError,
  type MaskinportenConfig,
  type MaskinportenValidationConfig,
  parseAzureConfig,
  parseAzureValidationConfig,
  parseIdportenConfig,
  parseMaskinportenConfig,
  parseMaskinportenValidationConfig,
  parseTokenXConfig,
  type TokenXConfig,
} from '@nav-auth/core';
import { type DiscoveryOptions, discoverFromWellKnownUrl } from '../discovery/discovery.js';
import { applyInsecureHttpHosts } from './insecure-http-hosts.js';
import { readSecretFile } from './read-secret-file.js';

/** Where NAIS mounts Maskinporten credentials as files named after the variables. */
export const MASKINPORTEN_SECRETS_DIR = '/var/run/secrets/nais.io/maskinporten';
/** Where NAIS mounts Azure AD credentials as files named after the variables. */
export const AZURE_SECRETS_DIR = '/var/run/secrets/nais.io/azure';

/** Where configuration is read from. */
export interface ConfigSource {
  /** Environment variables (default `process.env`); they win over files. */
  readonly env?: EnvironmentRecord;
  /**
   * Folder with one file per variable (default: the NAIS mount for Maskinporten and Azure AD;
   * none for TokenX and ID-porten, which NAIS gives as environment variables).
   */
  readonly secretsDir?: string;
}

const MASKINPORTEN_VARIABLES = [
  'MASKINPORTEN_CLIENT_ID',
  'MASKINPORTEN_CLIENT_JWK',
  'MASKINPORTEN_SCOPES',
  'MASKINPORTEN_WELL_KNOWN_URL',
  'MASKINPORTEN_ISSUER',
  'MASKINPORTEN_TOKEN_ENDPOINT',
  'MASKINPORTEN_JWKS_URI',
];
const TOKEN_X_VARIABLES = [
  'TOKEN_X_CLIENT_ID',
  'TOKEN_X_PRIVATE_JWK',
  'TOKEN_X_WELL_KNOWN_URL',
  'TOKEN_X_ISSUER',
  'TOKEN_X_JWKS_URI',
  'TOKEN_X_TOKEN_ENDPOINT',
];
const IDPORTEN_VARIABLES = ['IDPORTEN_AUDIENCE', 'IDPORTEN_WELL_KNOWN_URL', 'IDPORTEN_ISSUER', 'IDPORTEN_JWKS_URI'];
const AZURE_VARIABLES = [
  'AZURE_APP_CLIENT_ID',
  'AZURE_APP_CLIENT_SECRET',
  'AZURE_APP_JWK',
  'AZURE_APP_WELL_KNOWN_URL',
  'AZURE_OPENID_CONFIG_ISSUER',
  'AZURE_OPENID_CONFIG_TOKEN_ENDPOINT',
  'AZURE_OPENID_CONFIG_JWKS_URI',
];

/** The values of some variables, environment first, then a file of the same name in the secrets folder. */
interface Collected {
  readonly values: EnvironmentRecord;
  /** Secret files that cannot be used (a directory, FIFO, device, over 64 KiB...), as problems of their variables. */
  readonly fileProblems: readonly ConfigProblem[];
}

function collect(names: readonly string[], source: ConfigSource, defaultDir: string | undefined): Collected {
  const env = source.env ?? process.env;
  applyInsecureHttpHosts(env);
  const dir = source.secretsDir ?? defaultDir;
  const values: Record<string, string | undefined> = {};
  const fileProblems: ConfigProblem[] = [];
  for (const name of names) {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      values[name] = fromEnv;
      continue;
    }
    if (dir === undefined) continue;
    const file = join(dir, name);
    const read = readSecretFile(file);
    if (read.status === 'read') values[name] = read.text;
    else if (read.status === 'refused') fileProblems.push({ variable: name, reason: `file ${file} ${read.reason}` });
  }
  return { values, fileProblems };
}

/** `parse` on what was collected; refused files are named in the same `ConfigError` as everything `parse` finds. */
function parseCollected<T>({ values, fileProblems }: Collected, parse: (env: EnvironmentRecord) => T): T {
  let parsed: T;
  try {
    parsed = parse(values);
  } catch (error) {
    if (fileProblems.length === 0 || !isNavAuthError(error, 'ERR_CONFIG')) throw error;
    // A refused file would otherwise also be reported as "is missing".
    const refused = new Set(fileProblems.map((problem) => problem.variable));
    throw new ConfigError([...fileProblems, ...error.problems.filter((problem) => !refused.has(problem.variable))]);
  }
  if (fileProblems.length > 0) throw new ConfigError(fileProblems);
  return parsed;
}

function load<T>(names: readonly string[], source: ConfigSource, defaultDir: string | undefined, parse: (env: EnvironmentRecord) => T): T {
  return parseCollected(collect(names, source, defaultDir), parse);
}

/** Where configuration is read from, and how a discovery document is fetched. */
export interface DiscoveringConfigSource extends ConfigSource, DiscoveryOptions {}

/**
 * Collects `names`; when one of `discoverable` is unset and `wellKnownVariable` holds a usable
 * URL, fetches the discovery document there (its issuer must be the one the URL belongs to)
 * and lets `parse` fill the gaps from it. With nothing to discover, no request is made.
 */
async function discoverAndLoad<T>(
  names: readonly string[],
  source: DiscoveringConfigSource,
  defaultDir: string | undefined,
  wellKnownVariable: string,
  discoverable: readonly string[],
  parse: (env: EnvironmentRecord, discovered: IssuerMetadata | undefined) => T,
): Promise<T> {
  const collected = collect(names, source, defaultDir);
  const url = collected.values[wellKnownVariable]?.trim();
  const needed = discoverable.some((name) => (collected.values[name]?.trim() ?? '') === '');
  const discovered =
    needed && url !== undefined && url !== '' && endpointUrlProblem(url) === undefined
      ? await discoverFromWellKnownUrl(url, source)
      : undefined;
  return parseCollected(collected, (env) => parse(env, discovered));
}

/**
 * Loads Maskinporten client configuration from the environment, falling back to the files
 * NAIS mounts in `/var/run/secrets/nais.io/maskinporten/`; one `ConfigError` names every
 * missing or malformed item.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when a `MASKINPORTEN_*` variable or NAIS secret file is missing or malformed (`problems` lists every one).
 */
export function loadMaskinportenConfig(source: ConfigSource = {}): MaskinportenConfig {
  return load(MASKINPORTEN_VARIABLES, source, MASKINPORTEN_SECRETS_DIR, parseMaskinportenConfig);
}

/**
 * Loads what an API needs to validate Maskinporten tokens (`MASKINPORTEN_ISSUER`, `MASKINPORTEN_JWKS_URI`).
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when `MASKINPORTEN_ISSUER` or `MASKINPORTEN_JWKS_URI` is missing or malformed.
 */
export function loadMaskinportenValidationConfig(source: ConfigSource = {}): MaskinportenValidationConfig {
  // Only the two it needs: an API that validates tokens has no business reading the client's private key.
  return load(['MASKINPORTEN_ISSUER', 'MASKINPORTEN_JWKS_URI'], source, MASKINPORTEN_SECRETS_DIR, parseMaskinportenValidationConfig);
}

/**
 * Loads Azure AD configuration from the environment, falling back to `/var/run/secrets/nais.io/azure/`.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when an `AZURE_*` variable or NAIS secret file is missing or malformed (`problems` lists every one).
 */
export function loadAzureConfig(source: ConfigSource = {}): AzureConfig {
  return load(AZURE_VARIABLES, source, AZURE_SECRETS_DIR, parseAzureConfig);
}

/**
 * Loads what an API needs to validate Azure AD tokens, without the client secret or key (see `parseAzureValidationConfig`).
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when an `AZURE_*` validation variable or secret file is missing or malformed.
 */
export function loadAzureValidationConfig(source: ConfigSource = {}): AzureValidationConfig {
  return load(
    ['AZURE_APP_CLIENT_ID', 'AZURE_APP_WELL_KNOWN_URL', 'AZURE_OPENID_CONFIG_ISSUER', 'AZURE_OPENID_CONFIG_JWKS_URI'],
    source,
    AZURE_SECRETS_DIR,
    parseAzureValidationConfig,
  );
}

/**
 * {@link loadMaskinportenConfig} for an environment with `MASKINPORTEN_WELL_KNOWN_URL` but
 * without `MASKINPORTEN_ISSUER` or `MASKINPORTEN_TOKEN_ENDPOINT`: they come from the discovery
 * document, whose issuer must belong to the URL; values that are set must agree with it.
 *
 * @throws {@link NavAuthError} rejects with `ERR_CONFIG` when a `MASKINPORTEN_*` variable is missing or malformed.
 * @throws {@link NavAuthError} rejects with `ERR_DISCOVERY` when the discovery document cannot be had, is malformed or names another issuer.
 * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network or its response is too large.
 * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the request times out.
 *
 * @example
 * const maskinporten = createMaskinportenClient({ config: await discoverMaskinportenConfig() });
 */
export function discoverMaskinportenConfig(source: DiscoveringConfigSource = {}): Promise<MaskinportenConfig> {
  return discoverAndLoad(
    MASKINPORTEN_VARIABLES,
    source,
    MASKINPORTEN_SECRETS_DIR,
    'MASKINPORTEN_WELL_KNOWN_URL',
    ['MASKINPORTEN_ISSUER', 'MASKINPORTEN_TOKEN_ENDPOINT'],
    parseMaskinportenConfig,
  );
}

/**
 * {@link loadMaskinportenValidationConfig}, with the issuer and JWKS URI from `MASKINPORTEN_WELL_KNOWN_URL` where unset.
 *
 * @throws {@link NavAuthError} rejects with `ERR_CONFIG` when `MASKINPORTEN_ISSUER` or `MASKINPORTEN_WELL_KNOWN_URL` is missing or malformed.
 * @throws {@link NavAuthError} rejects with `ERR_DISCOVERY` when the discovery document cannot be had, is malformed or names another issuer.
 * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network or its response is too large.
 * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the request times out.
 */
export function discoverMaskinportenValidationConfig(source: DiscoveringConfigSource = {}): Promise<MaskinportenValidationConfig> {
  const discoverable = ['MASKINPORTEN_ISSUER', 'MASKINPORTEN_JWKS_URI'];
  return discoverAndLoad(
    [...discoverable, 'MASKINPORTEN_WELL_KNOWN_URL'],
    source,
    MASKINPORTEN_SECRETS_DIR,
    'MASKINPORTEN_WELL_KNOWN_URL',
    discoverable,
    parseMaskinportenValidationConfig,
  );
}

/**
 * {@link loadAzureConfig}, with the `AZURE_OPENID_CONFIG_*` values from `AZURE_APP_WELL_KNOWN_URL` where unset.
 *
 * @throws {@link NavAuthError} rejects with `ERR_CONFIG` when an `AZURE_*` variable is missing or malformed.
 * @throws {@link NavAuthError} rejects with `ERR_DISCOVERY` when the discovery document cannot be had, is malformed or names another issuer.
 * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network or its response is too large.
 * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the request times out.
 */
export function discoverAzureConfig(source: DiscoveringConfigSource = {}): Promise<AzureConfig> {
  return discoverAndLoad(
    AZURE_VARIABLES,
    source,
    AZURE_SECRETS_DIR,
    'AZURE_APP_WELL_KNOWN_URL',
    ['AZURE_OPENID_CONFIG_ISSUER', 'AZURE_OPENID_CONFIG_TOKEN_ENDPOINT', 'AZURE_OPENID_CONFIG_JWKS_URI'],
    parseAzureConfig,
  );
}

/**
 * Loads TokenX configuration from the `TOKEN_X_*` environment (or `secretsDir`): an app that
 * only validates TokenX tokens needs `TOKEN_X_CLIENT_ID`, `TOKEN_X_ISSUER` and
 * `TOKEN_X_JWKS_URI`; exchanging also `TOKEN_X_PRIVATE_JWK` and `TOKEN_X_TOKEN_ENDPOINT`.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when a `TOKEN_X_*` variable or NAIS secret file is missing or malformed (`problems` lists every one).
 */
export function loadTokenXConfig(source: ConfigSource = {}): TokenXConfig {
  return load(TOKEN_X_VARIABLES, source, undefined, parseTokenXConfig);
}

/**
 * {@link loadTokenXConfig}, with the issuer, JWKS URI and token endpoint from `TOKEN_X_WELL_KNOWN_URL` where unset.
 *
 * @throws {@link NavAuthError} rejects with `ERR_CONFIG` when a `TOKEN_X_*` variable is missing or malformed.
 * @throws {@link NavAuthError} rejects with `ERR_DISCOVERY` when the discovery document cannot be had, is malformed or names another issuer.
 * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network or its response is too large.
 * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the request times out.
 */
export function discoverTokenXConfig(source: DiscoveringConfigSource = {}): Promise<TokenXConfig> {
  return discoverAndLoad(
    TOKEN_X_VARIABLES,
    source,
    undefined,
    'TOKEN_X_WELL_KNOWN_URL',
    ['TOKEN_X_ISSUER', 'TOKEN_X_JWKS_URI', 'TOKEN_X_TOKEN_ENDPOINT'],
    parseTokenXConfig,
  );
}

/**
 * Loads what an API needs to validate ID-porten tokens: `IDPORTEN_AUDIENCE`, `IDPORTEN_ISSUER`, `IDPORTEN_JWKS_URI`.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when an `IDPORTEN_*` variable or secret file is missing or malformed.
 */
export function loadIdportenConfig(source: ConfigSource = {}): IdportenConfig {
  return load(IDPORTEN_VARIABLES, source, undefined, parseIdportenConfig);
}

/**
 * {@link loadIdportenConfig}, with the issuer and JWKS URI from `IDPORTEN_WELL_KNOWN_URL` where unset.
 *
 * @throws {@link NavAuthError} rejects with `ERR_CONFIG` when an `IDPORTEN_*` variable is missing or malformed.
 * @throws {@link NavAuthError} rejects with `ERR_DISCOVERY` when the discovery document cannot be had, is malformed or names another issuer.
 * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network or its response is too large.
 * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the request times out.
 */
export function discoverIdportenConfig(source: DiscoveringConfigSource = {}): Promise<IdportenConfig> {
  return discoverAndLoad(
    IDPORTEN_VARIABLES,
    source,
    undefined,
    'IDPORTEN_WELL_KNOWN_URL',
    ['IDPORTEN_ISSUER', 'IDPORTEN_JWKS_URI'],
    parseIdportenConfig,
  );
}
