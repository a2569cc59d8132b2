import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AzureClaims, EnvironmentRecord, MaskinportenClaims } from '@nav-auth/core';
import {
  AZURE_SECRETS_DIR,
  type AzureClient,
  createAzureClient,
  createMaskinportenClient,
  createRemoteKeySet,
  createTokenValidator,
  type KeySet,
  loadAzureConfig,
  loadMaskinportenConfig,
  loadMaskinportenValidationConfig,
  MASKINPORTEN_SECRETS_DIR,
  type MaskinportenClient,
  type TokenValidator,
} from '@nav-auth/node';
import { createPdpClient, type PdpClient } from '@nav-auth/pdp';
import type { NavAuthIssuer, NavAuthModuleOptions } from './nav-auth.options.js';

/** The validated identity a guarded request carries. */
export type NavAuthPrincipal =
  | { readonly issuer: 'azure'; readonly claims: AzureClaims; readonly token: string }
  | { readonly issuer: 'maskinporten'; readonly claims: MaskinportenClaims; readonly token: string };

/**
 * Everything the guard and the services need, built once from the module options: the
 * validators, token clients and PDP client. Maskinporten validators are made per required
 * scope set (core checks scopes as part of the claims) and share one JWKS client.
 */
export class NavAuthRuntime {
  readonly defaultIssuer: NavAuthIssuer;
  readonly azureValidator: TokenValidator<AzureClaims> | undefined;
  readonly azureClient: AzureClient | undefined;
  readonly maskinportenClient: MaskinportenClient | undefined;
  readonly pdp: PdpClient | undefined;
  private readonly maskinportenIssuer: string | undefined;
  private readonly maskinportenKeys: KeySet | undefined;
  private readonly maskinportenValidators = new Map<string, TokenValidator<MaskinportenClaims>>();

  constructor(private readonly options: NavAuthModuleOptions = {}) {
    const env = options.env ?? process.env;
    const azure = options.azure === false ? undefined : options.azure;
    const maskinporten = options.maskinporten === false ? undefined : options.maskinporten;
    const azureSource = { env, secretsDir: options.secretsDirs?.azure ?? AZURE_SECRETS_DIR };
    const maskinportenSource = { env, secretsDir: options.secretsDirs?.maskinporten ?? MASKINPORTEN_SECRETS_DIR };
    // A provider is on when its options are given or the platform injected its variables.
    const configured = (source: { env: EnvironmentRecord; secretsDir: string }, variable: string) =>
      (source.env[variable] ?? '') !== '' || existsSync(join(source.secretsDir, variable));

    if (options.azure !== false && (azure !== undefined || configured(azureSource, 'AZURE_APP_CLIENT_ID'))) {
      const config = azure?.config ?? loadAzureConfig(azureSource);
      this.azureValidator = createTokenValidator({
        ...azure?.validator,
        profile: 'azure',
        issuer: config.issuer,
        jwksUri: config.jwksUri,
        audience: config.clientId,
      });
      this.azureClient = createAzureClient({ ...azure?.client, config });
    }
    if (
      options.maskinporten !== false &&
      (maskinporten?.validation !== undefined || configured(maskinportenSource, 'MASKINPORTEN_ISSUER'))
    ) {
      const validation = maskinporten?.validation ?? loadMaskinportenValidationConfig(maskinportenSource);
      this.maskinportenIssuer = validation.issuer;
      this.maskinportenKeys = createRemoteKeySet({ jwksUri: validation.jwksUri, ...maskinporten?.validator?.jwks });
    }
    if (
      options.maskinporten !== false &&
      (maskinporten?.client !== undefined || configured(maskinportenSource, 'MASKINPORTEN_CLIENT_ID'))
    ) {
      this.maskinportenClient = createMaskinportenClient({
        ...maskinporten?.client,
        config: maskinporten?.client?.config ?? loadMaskinportenConfig(maskinportenSource),
      });
    }
    if (options.pdp !== undefined) {
      if (this.maskinportenClient === undefined)
        throw new TypeError('the PDP needs a Maskinporten client: set MASKINPORTEN_CLIENT_ID or maskinporten.client');
      this.pdp = createPdpClient({ ...options.pdp, maskinporten: this.maskinportenClient });
    }
    this.defaultIssuer = options.defaultIssuer ?? (this.azureValidator !== undefined ? 'azure' : 'maskinporten');
  }

  /** A Maskinporten validator requiring exactly these scopes; one per scope set, sharing the key set. */
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
