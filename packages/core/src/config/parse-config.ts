import { ConfigError, type ConfigProblem, isNavAuthError } from '../error/nav-auth-error.js';
import { type PrivateJwk, parsePrivateJwk } from '../key/jwk.js';
import { REDACTED, withRedactedView } from '../redaction/redacted-view.js';
import { isNaisAudience } from '../scope/nais-names.js';
import { endpointUrlProblem } from './endpoint-url.js';

/** Environment-like input: the process environment, or values read from NAIS secret files. */
export type EnvironmentRecord = Readonly<Record<string, string | undefined>>;

/** The parts of RFC 8414 / OpenID Connect Discovery metadata nav-auth uses, already checked. */
export interface IssuerMetadata {
  readonly issuer: string;
  readonly tokenEndpoint: string | undefined;
  readonly jwksUri: string | undefined;
}

/**
 * Maskinporten client configuration from the `MASKINPORTEN_*` variables (seed 000).
 * `JSON.stringify` and `util.inspect` show it with the key's private members redacted.
 */
export interface MaskinportenConfig {
  readonly clientId: string;
  /** Validated private RSA JWK with `kid`. */
  readonly clientJwk: PrivateJwk;
  /** `MASKINPORTEN_SCOPES`: the scopes registered for the client (may be empty). */
  readonly scopes: readonly string[];
  readonly wellKnownUrl: string | undefined;
  readonly issuer: string;
  readonly tokenEndpoint: string;
}

/** Configuration for validating incoming Maskinporten tokens (`MASKINPORTEN_ISSUER`, `MASKINPORTEN_JWKS_URI`). */
export interface MaskinportenValidationConfig {
  readonly issuer: string;
  readonly jwksUri: string;
}

/**
 * Azure AD configuration from the `AZURE_*` variables (seed 002). `JSON.stringify` and
 * `util.inspect` show it with the client secret and the key's private members redacted.
 */
export interface AzureConfig {
  readonly clientId: string;
  /** `AZURE_APP_CLIENT_SECRET`, when set. */
  readonly clientSecret: string | undefined;
  /** `AZURE_APP_JWK`, validated, when set; preferred over the secret for client authentication. */
  readonly clientJwk: PrivateJwk | undefined;
  readonly tokenEndpoint: string;
  readonly wellKnownUrl: string | undefined;
  readonly issuer: string;
  readonly jwksUri: string;
}

/** What validating Azure AD tokens needs: no client secret or key. */
export type AzureValidationConfig = Pick<AzureConfig, 'clientId' | 'wellKnownUrl' | 'issuer' | 'jwksUri'>;

/**
 * TokenX configuration from the `TOKEN_X_*` variables. `privateJwk` and `tokenEndpoint` are
 * what exchanging tokens needs; an app that only validates TokenX tokens has neither set, and
 * the token client refuses to start without them. Shown with the key's private members redacted.
 */
export interface TokenXConfig {
  /** `TOKEN_X_CLIENT_ID`: this app as `cluster:namespace:app`; the `aud` of TokenX tokens for it. */
  readonly clientId: string;
  /** `TOKEN_X_PRIVATE_JWK`, validated (RSA, with `kid`), when set. */
  readonly privateJwk: PrivateJwk | undefined;
  readonly wellKnownUrl: string | undefined;
  readonly issuer: string;
  readonly jwksUri: string;
  /** `TOKEN_X_TOKEN_ENDPOINT`, when set or discovered. */
  readonly tokenEndpoint: string | undefined;
}

/** What validating ID-porten tokens needs, from the `IDPORTEN_*` variables (no secrets: the login proxy holds the client's). */
export interface IdportenConfig {
  /** `IDPORTEN_AUDIENCE`: the `aud` of tokens for this app. */
  readonly audience: string;
  readonly wellKnownUrl: string | undefined;
  readonly issuer: string;
  readonly jwksUri: string;
}

/** Collects every problem before failing, so one error names all of them. */
class EnvironmentReader {
  readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly env: EnvironmentRecord,
    /** The provider's well-known URL variable, and the metadata found there: it fills in what the environment leaves out. */
    private readonly discovery: { readonly variable: string; readonly metadata: IssuerMetadata | undefined },
  ) {}

  /**
   * A value the environment gives or discovery supplies; both must agree when both are there.
   * Without either it is missing, and the problem says discovery could have supplied it.
   */
  discoverable(variable: string, member: keyof IssuerMetadata): string {
    const result = this.optionalDiscoverable(variable, member);
    if (result === undefined) this.problems.push({ variable, reason: this.missingReason(member) });
    return result ?? '';
  }

  /** As {@link discoverable}, for a value that may be absent. */
  optionalDiscoverable(variable: string, member: keyof IssuerMetadata): string | undefined {
    const value = member === 'issuer' ? this.optional(variable) : this.url(variable, false);
    const found = this.discovery.metadata?.[member];
    if (value !== undefined && found !== undefined && value !== found)
      this.problems.push({ variable, reason: `does not match "${member}" in the discovery document at ${this.discovery.variable}` });
    return value ?? found;
  }

  private missingReason(member: keyof IssuerMetadata): string {
    const wellKnown = this.discovery.variable;
    if (wellKnown === undefined || this.optional(wellKnown) === undefined) return 'is missing';
    if (this.discovery.metadata === undefined) return `is missing (${wellKnown} is set: load the configuration with discovery)`;
    return `is missing, and the discovery document at ${wellKnown} has no "${member}"`;
  }

  optional(variable: string): string | undefined {
    const value = this.env[variable]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  required(variable: string): string {
    const value = this.optional(variable);
    if (value === undefined) this.problems.push({ variable, reason: 'is missing' });
    return value ?? '';
  }

  url(variable: string, required: boolean): string | undefined {
    const value = required ? this.required(variable) : this.optional(variable);
    if (value === undefined || value === '') return value;
    const problem = endpointUrlProblem(value);
    if (problem !== undefined) this.problems.push({ variable, reason: problem });
    return value;
  }

  jwk(variable: string, required: boolean, rsaOnly: boolean): PrivateJwk | undefined {
    const value = required ? this.required(variable) : this.optional(variable);
    if (value === undefined || value === '') return undefined;
    try {
      const jwk = parsePrivateJwk(value, { requireKid: true });
      if (rsaOnly && jwk.kty !== 'RSA') {
        this.problems.push({ variable, reason: 'must be an RSA key' });
        return undefined;
      }
      return jwk;
    } catch (error) {
      // KeyError messages name members and rules, never key material.
      if (!isNavAuthError(error, 'ERR_KEY')) throw error;
      this.problems.push({ variable, reason: `is not an acceptable private JWK: ${error.message}` });
      return undefined;
    }
  }

  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/**
 * Parses Maskinporten client configuration from a plain record, naming every missing or
 * malformed variable in one {@link ConfigError}. The JWK is validated here, on load.
 * `discovered` is the metadata at `MASKINPORTEN_WELL_KNOWN_URL`, for an environment without
 * `MASKINPORTEN_ISSUER` or `MASKINPORTEN_TOKEN_ENDPOINT`; where both give a value, they must agree.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when a `MASKINPORTEN_*` variable is missing or malformed (`problems` lists every one).
 *
 * @example
 * const config = parseMaskinportenConfig(env); // the process environment, passed in by the caller
 */
export function parseMaskinportenConfig(env: EnvironmentRecord, discovered?: IssuerMetadata): MaskinportenConfig {
  const read = new EnvironmentReader(env, { variable: 'MASKINPORTEN_WELL_KNOWN_URL', metadata: discovered });
  const clientId = read.required('MASKINPORTEN_CLIENT_ID');
  const clientJwk = read.jwk('MASKINPORTEN_CLIENT_JWK', true, true);
  const scopes = read.optional('MASKINPORTEN_SCOPES')?.split(/\s+/) ?? [];
  const wellKnownUrl = read.url('MASKINPORTEN_WELL_KNOWN_URL', false);
  const issuer = read.discoverable('MASKINPORTEN_ISSUER', 'issuer');
  const tokenEndpoint = read.discoverable('MASKINPORTEN_TOKEN_ENDPOINT', 'tokenEndpoint');
  read.finish();
  const config: MaskinportenConfig = { clientId, clientJwk: clientJwk as PrivateJwk, scopes, wellKnownUrl, issuer, tokenEndpoint };
  // The JWK redacts its own private members wherever it is shown.
  return withRedactedView(config, { ...config });
}

/**
 * Parses the configuration an API needs to validate incoming Maskinporten tokens; `discovered` as for {@link parseMaskinportenConfig}.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when `MASKINPORTEN_ISSUER` or `MASKINPORTEN_JWKS_URI` is missing or malformed.
 */
export function parseMaskinportenValidationConfig(env: EnvironmentRecord, discovered?: IssuerMetadata): MaskinportenValidationConfig {
  const read = new EnvironmentReader(env, { variable: 'MASKINPORTEN_WELL_KNOWN_URL', metadata: discovered });
  const issuer = read.discoverable('MASKINPORTEN_ISSUER', 'issuer');
  const jwksUri = read.discoverable('MASKINPORTEN_JWKS_URI', 'jwksUri');
  read.finish();
  return { issuer, jwksUri };
}

/**
 * Parses Azure AD configuration from a plain record; needs a client secret or a JWK (or
 * both), and names every missing or malformed variable in one {@link ConfigError}.
 * `discovered` is the metadata at `AZURE_APP_WELL_KNOWN_URL`, for an environment without the
 * `AZURE_OPENID_CONFIG_*` values; where both give a value, they must agree.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when an `AZURE_*` variable is missing or malformed (`problems` lists every one).
 */
export function parseAzureConfig(env: EnvironmentRecord, discovered?: IssuerMetadata): AzureConfig {
  const read = new EnvironmentReader(env, { variable: 'AZURE_APP_WELL_KNOWN_URL', metadata: discovered });
  const clientId = read.required('AZURE_APP_CLIENT_ID');
  const clientSecret = read.optional('AZURE_APP_CLIENT_SECRET');
  const hasJwk = read.optional('AZURE_APP_JWK') !== undefined;
  const clientJwk = read.jwk('AZURE_APP_JWK', false, false);
  if (clientSecret === undefined && !hasJwk) {
    read.problems.push({ variable: 'AZURE_APP_CLIENT_SECRET or AZURE_APP_JWK', reason: 'is missing: one of them is needed' });
  }
  const tokenEndpoint = read.discoverable('AZURE_OPENID_CONFIG_TOKEN_ENDPOINT', 'tokenEndpoint');
  const wellKnownUrl = read.url('AZURE_APP_WELL_KNOWN_URL', false);
  const issuer = read.discoverable('AZURE_OPENID_CONFIG_ISSUER', 'issuer');
  const jwksUri = read.discoverable('AZURE_OPENID_CONFIG_JWKS_URI', 'jwksUri');
  read.finish();
  const config: AzureConfig = { clientId, clientSecret, clientJwk, tokenEndpoint, wellKnownUrl, issuer, jwksUri };
  return withRedactedView(config, { ...config, clientSecret: clientSecret === undefined ? undefined : REDACTED });
}

/**
 * Parses TokenX configuration from a plain record, naming every missing or malformed variable
 * in one {@link ConfigError}. `TOKEN_X_CLIENT_ID` must be `cluster:namespace:app`;
 * `TOKEN_X_PRIVATE_JWK`, when set, must be a private RSA JWK with `kid` (tokendings signs and
 * checks RS256). `discovered` is the metadata at `TOKEN_X_WELL_KNOWN_URL`, as for
 * {@link parseMaskinportenConfig}.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when a `TOKEN_X_*` variable is missing or malformed (`problems` lists every one).
 */
export function parseTokenXConfig(env: EnvironmentRecord, discovered?: IssuerMetadata): TokenXConfig {
  const read = new EnvironmentReader(env, { variable: 'TOKEN_X_WELL_KNOWN_URL', metadata: discovered });
  const clientId = read.required('TOKEN_X_CLIENT_ID');
  if (clientId !== '' && !isNaisAudience(clientId)) {
    read.problems.push({ variable: 'TOKEN_X_CLIENT_ID', reason: 'must be cluster:namespace:app' });
  }
  const privateJwk = read.jwk('TOKEN_X_PRIVATE_JWK', false, true);
  const wellKnownUrl = read.url('TOKEN_X_WELL_KNOWN_URL', false);
  const issuer = read.discoverable('TOKEN_X_ISSUER', 'issuer');
  const jwksUri = read.discoverable('TOKEN_X_JWKS_URI', 'jwksUri');
  const tokenEndpoint = read.optionalDiscoverable('TOKEN_X_TOKEN_ENDPOINT', 'tokenEndpoint');
  read.finish();
  const config: TokenXConfig = { clientId, privateJwk, wellKnownUrl, issuer, jwksUri, tokenEndpoint };
  return withRedactedView(config, { ...config });
}

/**
 * Parses the `IDPORTEN_*` variables an API needs to validate ID-porten tokens; `discovered` as for {@link parseTokenXConfig}.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when an `IDPORTEN_*` variable is missing or malformed (`problems` lists every one).
 */
export function parseIdportenConfig(env: EnvironmentRecord, discovered?: IssuerMetadata): IdportenConfig {
  const read = new EnvironmentReader(env, { variable: 'IDPORTEN_WELL_KNOWN_URL', metadata: discovered });
  const audience = read.required('IDPORTEN_AUDIENCE');
  const wellKnownUrl = read.url('IDPORTEN_WELL_KNOWN_URL', false);
  const issuer = read.discoverable('IDPORTEN_ISSUER', 'issuer');
  const jwksUri = read.discoverable('IDPORTEN_JWKS_URI', 'jwksUri');
  read.finish();
  return { audience, wellKnownUrl, issuer, jwksUri };
}

/**
 * Parses what an API needs to validate Azure AD tokens (`AZURE_APP_CLIENT_ID`,
 * `AZURE_OPENID_CONFIG_ISSUER`, `AZURE_OPENID_CONFIG_JWKS_URI`): no secret or key, which an app
 * that gets its tokens through Texas may not have. `discovered` as for {@link parseAzureConfig}.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when an `AZURE_*` validation variable is missing or malformed (`problems` lists every one).
 */
export function parseAzureValidationConfig(env: EnvironmentRecord, discovered?: IssuerMetadata): AzureValidationConfig {
  const read = new EnvironmentReader(env, { variable: 'AZURE_APP_WELL_KNOWN_URL', metadata: discovered });
  const clientId = read.required('AZURE_APP_CLIENT_ID');
  const wellKnownUrl = read.url('AZURE_APP_WELL_KNOWN_URL', false);
  const issuer = read.discoverable('AZURE_OPENID_CONFIG_ISSUER', 'issuer');
  const jwksUri = read.discoverable('AZURE_OPENID_CONFIG_JWKS_URI', 'jwksUri');
  read.finish();
  return { clientId, wellKnownUrl, issuer, jwksUri };
}
