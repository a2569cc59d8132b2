import type {
  AzureClaims,
  AzureValidationConfig,
  IdportenClaims,
  IdportenConfig,
  MaskinportenClaims,
  MaskinportenValidationConfig,
  TokenXClaims,
  TokenXConfig,
} from '@nav-auth/core';
import {
  type ConfigSource,
  loadAzureValidationConfig,
  loadIdportenConfig,
  loadMaskinportenValidationConfig,
  loadTokenXConfig,
} from '../config/load-config.js';
import {
  type AzureValidatorOptions,
  createTokenValidator,
  type IdportenValidatorOptions,
  type MaskinportenValidatorOptions,
  type TokenValidator,
  type TokenXValidatorOptions,
} from './token-validator.js';

type FromEnv<O> = Omit<O, 'profile' | 'issuer' | 'jwksUri' | 'wellKnownUrl'> & ConfigSource;

/**
 * An Azure AD validator configured from `AZURE_OPENID_CONFIG_ISSUER`, `AZURE_OPENID_CONFIG_JWKS_URI`
 * and `AZURE_APP_CLIENT_ID` (as audience), read from the environment or the NAIS secret files.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when `AZURE_OPENID_CONFIG_*` or `AZURE_APP_CLIENT_ID` is missing or malformed.
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `verification` is not `'local'` or `'introspection'`.
 */
export function createAzureTokenValidator(
  options: Partial<FromEnv<AzureValidatorOptions>> & { readonly config?: AzureValidationConfig } = {},
): TokenValidator<AzureClaims> {
  const { config = loadAzureValidationConfig(options), secretsDir: _dir, ...rest } = options;
  return createTokenValidator({ audience: config.clientId, ...rest, profile: 'azure', issuer: config.issuer, jwksUri: config.jwksUri });
}

/**
 * A Maskinporten validator configured from `MASKINPORTEN_ISSUER` and `MASKINPORTEN_JWKS_URI`,
 * requiring the given scopes (and optionally an audience and a consumer allow-list).
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when `MASKINPORTEN_ISSUER` or `MASKINPORTEN_JWKS_URI` is missing or malformed.
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `verification` is not `'local'` or `'introspection'`.
 */
export function createMaskinportenTokenValidator(
  options: FromEnv<MaskinportenValidatorOptions> & { readonly config?: MaskinportenValidationConfig },
): TokenValidator<MaskinportenClaims> {
  const { config = loadMaskinportenValidationConfig(options), secretsDir: _dir, ...rest } = options;
  return createTokenValidator({ ...rest, profile: 'maskinporten', issuer: config.issuer, jwksUri: config.jwksUri });
}

/**
 * A TokenX validator configured from `TOKEN_X_ISSUER`, `TOKEN_X_JWKS_URI` and `TOKEN_X_CLIENT_ID`
 * (as audience); login level high unless `requiredLoginLevel: 'substantial'`.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when a `TOKEN_X_*` variable is missing or malformed.
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `verification` is not `'local'` or `'introspection'`.
 *
 * @example
 * const validator = createTokenXTokenValidator({ allowedClients: ['dev-gcp:team:app-a'] });
 * const { pid, loginLevel, clientId } = await validator.validate(bearerToken);
 */
export function createTokenXTokenValidator(
  options: Partial<FromEnv<TokenXValidatorOptions>> & { readonly config?: TokenXConfig } = {},
): TokenValidator<TokenXClaims> {
  const { config = loadTokenXConfig(options), secretsDir: _dir, ...rest } = options;
  return createTokenValidator({ audience: config.clientId, ...rest, profile: 'tokenx', issuer: config.issuer, jwksUri: config.jwksUri });
}

/**
 * An ID-porten validator configured from `IDPORTEN_ISSUER`, `IDPORTEN_JWKS_URI` and
 * `IDPORTEN_AUDIENCE`; login level high unless `requiredLoginLevel: 'substantial'`.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when an `IDPORTEN_*` variable is missing or malformed.
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `verification` is not `'local'` or `'introspection'`.
 */
export function createIdportenTokenValidator(
  options: Partial<FromEnv<IdportenValidatorOptions>> & { readonly config?: IdportenConfig } = {},
): TokenValidator<IdportenClaims> {
  const { config = loadIdportenConfig(options), secretsDir: _dir, ...rest } = options;
  return createTokenValidator({ audience: config.audience, ...rest, profile: 'idporten', issuer: config.issuer, jwksUri: config.jwksUri });
}
