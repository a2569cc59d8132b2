import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AzureClaims,
  ConfigError,
  type ConfigProblem,
  type EnvironmentRecord,
  type IdportenClaims,
  isNaisAudience,
  isNavAuthError,
  type MaskinportenClaims,
  type TokenXClaims,
  type TokenXConfig,
} from '@nav-auth/core';
import {
  AZURE_SECRETS_DIR,
  type AzureClient,
  createAzureClient,
  createMaskinportenClient,
  createRemoteKeySet,
  createTokenValidator,
  createTokenXClient,
  type KeySet,
  loadAzureValidationConfig,
  loadIdportenConfig,
  loadMaskinportenConfig,
  loadMaskinportenValidationConfig,
  loadTokenXConfig,
  MASKINPORTEN_SECRETS_DIR,
  type MaskinportenClient,
  type TokenValidator,
  type TokenXClient,
} from '@nav-auth/node';
import { createPdpClient, type PdpClient } from '@nav-auth/pdp';
import type { OnApplicationShutdown } from '@nestjs/common';
import { isLoginPath } from './login-redirect.js';
import type { NavAuthIssuer, NavAuthModuleOptions } from './nav-auth.options.js';

/** The validated identity a guarded request carries. */
export type NavAuthPrincipal =
  | { readonly issuer: 'azure'; readonly claims: AzureClaims; readonly token: string }
  | { readonly issuer: 'maskinporten'; readonly claims: MaskinportenClaims; readonly token: string }
  | { readonly issuer: 'tokenx'; readonly claims: TokenXClaims; readonly token: string }
  | { readonly issuer: 'idporten'; readonly claims: IdportenClaims; readonly token: string };

/**
 * Everything the guard and the services need, built once from the module options: the
 * validators, token clients and PDP client. Maskinporten validators are made per required
 * scope set (core checks scopes as part of the claims) and share one JWKS client.
 */
export class NavAuthRuntime implements OnApplicationShutdown {
  /** What `observability` started, stopped at shutdown. */
  private readonly observability: { stop(): void } | undefined;
  /** The issuer of routes that name none; `undefined` makes such a route a startup error. */
  readonly defaultIssuer: NavAuthIssuer | undefined;
  /** Whether the guard also sets `request.user`. */
  readonly setRequestUser: boolean;
  readonly azureValidator: TokenValidator<AzureClaims> | undefined;
  readonly azureClient: AzureClient | undefined;
  readonly maskinportenClient: MaskinportenClient | undefined;
  /**
   * Citizen validators accept both login levels: the guard asks each route's own level
   * (`@RequireLoginLevel`, default high) so that it can answer a too-low one with a step-up.
   */
  readonly tokenxValidator: TokenValidator<TokenXClaims> | undefined;
  readonly idportenValidator: TokenValidator<IdportenClaims> | undefined;
  readonly tokenxClient: TokenXClient | undefined;
  /** `tokenx.allowedClients`, which the TokenX validator already enforces; for the startup check. */
  readonly tokenxAllowedClients: readonly string[] | undefined;
  /** `idporten.loginUrl`, checked to be a same-origin path. */
  readonly loginUrl: string | undefined;
  readonly pdp: PdpClient | undefined;
  private readonly maskinportenIssuer: string | undefined;
  private readonly maskinportenKeys: KeySet | undefined;
  private readonly maskinportenValidators = new Map<string, TokenValidator<MaskinportenClaims>>();
  /** Per issuer that cannot validate tokens, the variables that would make it: never their values. */
  private readonly missing = new Map<NavAuthIssuer, readonly ConfigProblem[]>();
  private readonly jwksHosts = new Map<NavAuthIssuer, string>();
  /** The configured `iss` of each issuer that can validate tokens: a multi-issuer route picks its validator by it. */
  private readonly issuerUrls = new Map<NavAuthIssuer, string>();
  private readonly tokenxClientProblems: readonly ConfigProblem[] = [];

  constructor(private readonly options: NavAuthModuleOptions = {}) {
    const env = options.env ?? process.env;
    // The shared tier every client gets, under its own options (which may name another).
    const shared = options.sharedStore === undefined ? {} : { sharedStore: options.sharedStore };
    const azure = options.azure === false ? undefined : options.azure;
    const maskinporten = options.maskinporten === false ? undefined : options.maskinporten;
    const azureSource = { env, secretsDir: options.secretsDirs?.azure ?? AZURE_SECRETS_DIR };
    const maskinportenSource = { env, secretsDir: options.secretsDirs?.maskinporten ?? MASKINPORTEN_SECRETS_DIR };
    // A provider is on when its options are given or the platform injected its variables.
    const configured = (source: { env: EnvironmentRecord; secretsDir: string }, variable: string) =>
      (source.env[variable] ?? '') !== '' || existsSync(join(source.secretsDir, variable));

    if (options.azure !== false && (azure !== undefined || configured(azureSource, 'AZURE_APP_CLIENT_ID'))) {
      // Validation needs no secret or key: an app whose tokens come through Texas may have neither.
      const config = azure?.config ?? loadAzureValidationConfig(azureSource);
      this.azureValidator = createTokenValidator({
        ...azure?.validator,
        profile: 'azure',
        issuer: config.issuer,
        jwksUri: config.jwksUri,
        audience: config.clientId,
      });
      // The module's env decides Texas or direct (NAIS_TOKEN_ENDPOINT, NAIS_TOKEN_EXCHANGE_ENDPOINT), as it does everything else.
      this.azureClient = createAzureClient({
        ...shared,
        ...azureSource,
        ...azure?.client,
        ...(azure?.config === undefined ? {} : { config: azure.config }),
      });
      this.jwksHosts.set('azure', new URL(config.jwksUri).host);
      this.issuerUrls.set('azure', config.issuer);
    } else {
      this.missing.set('azure', problemsOf(options.azure === false ? undefined : () => loadAzureValidationConfig(azureSource), 'azure'));
    }
    if (
      options.maskinporten !== false &&
      (maskinporten?.validation !== undefined || configured(maskinportenSource, 'MASKINPORTEN_ISSUER'))
    ) {
      const validation = maskinporten?.validation ?? loadMaskinportenValidationConfig(maskinportenSource);
      this.maskinportenIssuer = validation.issuer;
      this.maskinportenKeys = createRemoteKeySet({ jwksUri: validation.jwksUri, ...maskinporten?.validator?.jwks });
      this.jwksHosts.set('maskinporten', new URL(validation.jwksUri).host);
      this.issuerUrls.set('maskinporten', validation.issuer);
    } else {
      this.missing.set(
        'maskinporten',
        problemsOf(options.maskinporten === false ? undefined : () => loadMaskinportenValidationConfig(maskinportenSource), 'maskinporten'),
      );
    }
    if (
      options.maskinporten !== false &&
      (maskinporten?.client !== undefined || configured(maskinportenSource, 'MASKINPORTEN_CLIENT_ID'))
    ) {
      // The client reads its configuration itself, and through Texas needs none.
      this.maskinportenClient = createMaskinportenClient({ ...shared, ...maskinportenSource, ...maskinporten?.client });
    }
    // TokenX and ID-porten come from the environment only (NAIS mounts no secret files for them).
    const tokenx = options.tokenx === false ? undefined : options.tokenx;
    let tokenxConfig: TokenXConfig | undefined;
    const allowedClients = tokenx?.allowedClients;
    if (
      allowedClients !== undefined &&
      (!Array.isArray(allowedClients) || allowedClients.length === 0 || !allowedClients.every(isNaisAudience))
    ) {
      // Checked here: the validator would refuse every token, and only when the first one came.
      throw new ConfigError([
        { variable: 'tokenx.allowedClients', reason: 'must be one or more cluster:namespace:app; leave it out for no client restriction' },
      ]);
    }
    if (options.tokenx !== false && (tokenx !== undefined || inEnv(env, 'TOKEN_X_CLIENT_ID'))) {
      tokenxConfig = tokenx?.config ?? loadTokenXConfig({ env });
      this.tokenxValidator = createTokenValidator({
        ...tokenx?.validator,
        profile: 'tokenx',
        issuer: tokenxConfig.issuer,
        jwksUri: tokenxConfig.jwksUri,
        audience: tokenxConfig.clientId,
        requiredLoginLevel: 'substantial',
        ...(allowedClients === undefined ? {} : { allowedClients }),
      });
      this.jwksHosts.set('tokenx', new URL(tokenxConfig.jwksUri).host);
      this.issuerUrls.set('tokenx', tokenxConfig.issuer);
    } else {
      this.missing.set('tokenx', problemsOf(options.tokenx === false ? undefined : () => loadTokenXConfig({ env }), 'tokenx'));
    }
    this.tokenxAllowedClients = allowedClients;
    const exchangesThroughTexas =
      tokenx?.client?.mode === 'texas' || (tokenx?.client?.mode === undefined && inEnv(env, 'NAIS_TOKEN_EXCHANGE_ENDPOINT'));
    if (tokenxConfig !== undefined && (tokenx?.client !== undefined || tokenxConfig.privateJwk !== undefined || exchangesThroughTexas)) {
      this.tokenxClient = createTokenXClient({ ...shared, env, ...tokenx?.client, config: tokenxConfig });
    } else if (options.tokenx === false) {
      this.tokenxClientProblems = [{ variable: 'tokenx', reason: 'is false in the NavAuthModule options: no TokenX client' }];
    } else {
      const reason = 'is missing (or set tokenx.config, or run Texas: NAIS_TOKEN_EXCHANGE_ENDPOINT): no TokenX client';
      this.tokenxClientProblems = [
        ...(tokenxConfig === undefined ? [{ variable: 'TOKEN_X_CLIENT_ID', reason }] : []),
        { variable: 'TOKEN_X_PRIVATE_JWK', reason },
      ];
    }

    const idporten = options.idporten === false ? undefined : options.idporten;
    if (options.idporten !== false && (idporten !== undefined || inEnv(env, 'IDPORTEN_AUDIENCE'))) {
      const config = idporten?.config ?? loadIdportenConfig({ env });
      this.idportenValidator = createTokenValidator({
        ...idporten?.validator,
        profile: 'idporten',
        issuer: config.issuer,
        jwksUri: config.jwksUri,
        audience: config.audience,
        requiredLoginLevel: 'substantial',
      });
      this.jwksHosts.set('idporten', new URL(config.jwksUri).host);
      this.issuerUrls.set('idporten', config.issuer);
    } else {
      this.missing.set('idporten', problemsOf(options.idporten === false ? undefined : () => loadIdportenConfig({ env }), 'idporten'));
    }
    if (idporten?.loginUrl !== undefined && !isLoginPath(idporten.loginUrl)) {
      throw new ConfigError([
        { variable: 'idporten.loginUrl', reason: "must be the login proxy's path on this origin, such as /oauth2/login (no query)" },
      ]);
    }
    this.loginUrl = idporten?.loginUrl;

    if (options.pdp !== undefined) {
      if (this.maskinportenClient === undefined) {
        const problems = problemsOf(
          options.maskinporten === false ? undefined : () => loadMaskinportenConfig(maskinportenSource),
          'maskinporten',
        );
        throw new ConfigError(
          problems.map((p) => ({ variable: p.variable, reason: `${p.reason} (the pdp option needs the Maskinporten client)` })),
        );
      }
      this.pdp = createPdpClient({ ...options.pdp, maskinporten: this.maskinportenClient });
    }
    this.defaultIssuer = options.defaultIssuer;
    this.setRequestUser = options.requestUser === true;
    this.observability = options.observability?.();
  }

  /** Stops what the `observability` option started (Nest calls it on `app.close()` and with shutdown hooks). */
  onApplicationShutdown(): void {
    this.observability?.stop();
  }

  /** Why routes trusting `issuer` could not validate a token (the variables to set), or `undefined` when they can. */
  missingConfiguration(issuer: NavAuthIssuer): readonly ConfigProblem[] | undefined {
    return this.missing.get(issuer);
  }

  /** The exact `iss` of an issuer's tokens, or `undefined` when it is not configured. */
  issuerUrl(issuer: NavAuthIssuer): string | undefined {
    return this.issuerUrls.get(issuer);
  }

  /**
   * The TokenX client, or an `ERR_CONFIG` naming the `TOKEN_X_*` variables it lacks.
   *
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} `ERR_CONFIG` when the module has no TokenX client (`problems` names the missing variables).
   */
  requireTokenXClient(): TokenXClient {
    if (this.tokenxClient === undefined) throw new ConfigError(this.tokenxClientProblems);
    return this.tokenxClient;
  }

  /** The host the issuer's JWKS is fetched from, for logs. */
  jwksHost(issuer: NavAuthIssuer): string | undefined {
    return this.jwksHosts.get(issuer);
  }

  /**
   * A Maskinporten validator requiring exactly these scopes; one per scope set, sharing the key set.
   *
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} `ERR_CONFIG` when introspection is asked for without a usable Texas endpoint.
   * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} `ERR_INVALID_INPUT` when the module's Maskinporten validator options break a rule.
   */
  maskinportenValidator(requiredScopes: readonly string[]): TokenValidator<MaskinportenClaims> | undefined {
    if (this.maskinportenKeys === undefined || this.maskinportenIssuer === undefined) return undefined;
    const key = [...requiredScopes].sort().join(' ');
    let validator = this.maskinportenValidators.get(key);
    if (validator === undefined) {
      const maskinportenOptions = this.options.maskinporten === false ? undefined : this.options.maskinporten;
      validator = createTokenValidator({
        ...maskinportenOptions?.validator,
        profile: 'maskinporten',
        issuer: this.maskinportenIssuer,
        keySet: this.maskinportenKeys,
        requiredScopes,
        ...(maskinportenOptions?.audience === undefined ? {} : { audience: maskinportenOptions.audience }),
        ...(maskinportenOptions?.allowedConsumerOrgs === undefined ? {} : { allowedConsumerOrgs: maskinportenOptions.allowedConsumerOrgs }),
      });
      this.maskinportenValidators.set(key, validator);
    }
    return validator;
  }
}

const inEnv = (env: EnvironmentRecord, variable: string) => (env[variable] ?? '') !== '';

/** The problems `load` reports, or, for a provider turned off with `false`, that option. */
function problemsOf(load: (() => unknown) | undefined, option: NavAuthIssuer): readonly ConfigProblem[] {
  if (load === undefined) return [{ variable: option, reason: 'is false in the NavAuthModule options' }];
  try {
    load();
  } catch (error) {
    if (isNavAuthError(error, 'ERR_CONFIG')) return error.problems;
    throw error;
  }
  // Only if a secret file appeared between the check and this load.
  return [{ variable: option, reason: 'was not configured when NavAuthModule started' }];
}
