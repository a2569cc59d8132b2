import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AzureConfig,
  type EnvironmentRecord,
  type MaskinportenConfig,
  type MaskinportenValidationConfig,
  parseAzureConfig,
  parseMaskinportenConfig,
  parseMaskinportenValidationConfig,
} from '@nav-auth/core';

/** Where NAIS mounts Maskinporten credentials as files named after the variables. */
export const MASKINPORTEN_SECRETS_DIR = '/var/run/secrets/nais.io/maskinporten';
/** Where NAIS mounts Azure AD credentials as files named after the variables. */
export const AZURE_SECRETS_DIR = '/var/run/secrets/nais.io/azure';

/** Where configuration is read from. */
export interface ConfigSource {
  /** Environment variables (default `process.env`); they win over files. */
  readonly env?: EnvironmentRecord;
  /** Folder with one file per variable (default: the NAIS mount for the provider). */
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
const AZURE_VARIABLES = [
  'AZURE_APP_CLIENT_ID',
  'AZURE_APP_CLIENT_SECRET',
  'AZURE_APP_JWK',
  'AZURE_APP_WELL_KNOWN_URL',
  'AZURE_OPENID_CONFIG_ISSUER',
  'AZURE_OPENID_CONFIG_TOKEN_ENDPOINT',
  'AZURE_OPENID_CONFIG_JWKS_URI',
];

/** Environment first, then a file of the same name in `secretsDir`, for each variable. */
function collect(names: readonly string[], source: ConfigSource, defaultDir: string): EnvironmentRecord {
  const env = source.env ?? process.env;
  const dir = source.secretsDir ?? defaultDir;
  const values: Record<string, string | undefined> = {};
  for (const name of names) {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      values[name] = fromEnv;
      continue;
    }
    const file = join(dir, name);
    values[name] = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }
  return values;
}

/**
 * Loads Maskinporten client configuration from the environment, falling back to the files
 * NAIS mounts in `/var/run/secrets/nais.io/maskinporten/`; one `ConfigError` names every
 * missing or malformed item.
 */
export function loadMaskinportenConfig(source: ConfigSource = {}): MaskinportenConfig {
  return parseMaskinportenConfig(collect(MASKINPORTEN_VARIABLES, source, MASKINPORTEN_SECRETS_DIR));
}

/** Loads what an API needs to validate Maskinporten tokens (`MASKINPORTEN_ISSUER`, `MASKINPORTEN_JWKS_URI`). */
export function loadMaskinportenValidationConfig(source: ConfigSource = {}): MaskinportenValidationConfig {
  return parseMaskinportenValidationConfig(collect(MASKINPORTEN_VARIABLES, source, MASKINPORTEN_SECRETS_DIR));
}

/** Loads Azure AD configuration from the environment, falling back to `/var/run/secrets/nais.io/azure/`. */
export function loadAzureConfig(source: ConfigSource = {}): AzureConfig {
  return parseAzureConfig(collect(AZURE_VARIABLES, source, AZURE_SECRETS_DIR));
}
