import type { AzureClaims, AzureConfig, MaskinportenClaims, MaskinportenValidationConfig } from '@nav-auth/core';
import { type ConfigSource, loadAzureConfig, loadMaskinportenValidationConfig } from '../config/load-config.js';
import {
  type AzureValidatorOptions,
  createTokenValidator,
  type MaskinportenValidatorOptions,
  type TokenValidator,
} from './token-validator.js';

type FromEnv<O> = Omit<O, 'profile' | 'issuer' | 'jwksUri' | 'wellKnownUrl'> & ConfigSource;

/**
 * An Azure AD validator configured from `AZURE_OPENID_CONFIG_ISSUER`, `AZURE_OPENID_CONFIG_JWKS_URI`
 * and `AZURE_APP_CLIENT_ID` (as audience), read from the environment or the NAIS secret files.
 */
export function createAzureTokenValidator(
  options: Partial<FromEnv<AzureValidatorOptions>> & { readonly config?: AzureConfig } = {},
): TokenValidator<AzureClaims> {
  const { config = loadAzureConfig(options), env: _env, secretsDir: _dir, ...rest } = options;
  return createTokenValidator({ audience: config.clientId, ...rest, profile: 'azure', issuer: config.issuer, jwksUri: config.jwksUri });
}

/**
 * A Maskinporten validator configured from `MASKINPORTEN_ISSUER` and `MASKINPORTEN_JWKS_URI`,
 * requiring the given scopes (and optionally an audience and a consumer allow-list).
 */
export function createMaskinportenTokenValidator(
  options: FromEnv<MaskinportenValidatorOptions> & { readonly config?: MaskinportenValidationConfig },
): TokenValidator<MaskinportenClaims> {
  const { config = loadMaskinportenValidationConfig(options), env: _env, secretsDir: _dir, ...rest } = options;
  return createTokenValidator({ ...rest, profile: 'maskinporten', issuer: config.issuer, jwksUri: config.jwksUri });
}
