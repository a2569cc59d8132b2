/**
 * @nav-auth/node: token clients with caching and retries, and a strict token validator, on undici.
 *
 * @example
 * import { createMaskinportenClient } from '@nav-auth/node';
 *
 * const maskinporten = createMaskinportenClient(); // MASKINPORTEN_* from env or NAIS files
 * const { token } = await maskinporten.getToken('nav:test/api');
 *
 * @packageDocumentation
 */
// The errors nav-auth throws, so installing only @nav-auth/node is enough to catch them.
export type {
  ClaimFailureReason,
  ConfigProblem,
  KeyErrorReason,
  NavAuthErrorByCode,
  NavAuthErrorCode,
  TokenInvalidReason,
} from '@nav-auth/core';
export {
  ClaimValidationError,
  ConfigError,
  DiscoveryError,
  InvalidInputError,
  isNavAuthError,
  KeyError,
  KeySetUnavailableError,
  NavAuthError,
  TimeoutError,
  TokenEndpointError,
  TokenResponseError,
  TokenValidationError,
  TransportError,
} from '@nav-auth/core';
export type { SharedLock, SharedToken, SharedTokenStore } from './cache/shared-token-store.js';
export { applyInsecureHttpHosts } from './config/insecure-http-hosts.js';
export type { ConfigSource, DiscoveringConfigSource } from './config/load-config.js';
export {
  AZURE_SECRETS_DIR,
  discoverAzureConfig,
  discoverIdportenConfig,
  discoverMaskinportenConfig,
  discoverMaskinportenValidationConfig,
  discoverTokenXConfig,
  loadAzureConfig,
  loadAzureValidationConfig,
  loadIdportenConfig,
  loadMaskinportenConfig,
  loadMaskinportenValidationConfig,
  loadTokenXConfig,
  MASKINPORTEN_SECRETS_DIR,
} from './config/load-config.js';
export type { DiscoveryOptions, IssuerMetadata } from './discovery/discovery.js';
export { discoverFromWellKnownUrl, discoverIssuer, oauthWellKnownUrl, openIdWellKnownUrl } from './discovery/discovery.js';
export type { NavAuthChannel } from './events/channels.js';
export { NAV_AUTH_CHANNELS } from './events/channels.js';
export type { NavAuthOperation, TraceAttributes, TraceMessage } from './events/traces.js';
export { NAV_AUTH_OPERATIONS } from './events/traces.js';
export { defaultDispatcher } from './http/default-dispatcher.js';
export type { KeySet, KeySetEvent, RemoteKeySetOptions } from './jwks/key-set.js';
export { createLocalKeySet, createRemoteKeySet } from './jwks/key-set.js';
export type { VerificationKey } from './jwks/verification-key.js';
export type { ClientKeyRotation, JwksHandlerOptions } from './keys/client-keys.js';
export { createClientKeyRotation, createJwksHandler, generateClientKey } from './keys/client-keys.js';
export type { RetryOptions } from './retry/retry-policy.js';
export type { AccessToken } from './token/access-token.js';
export type { AzureClient, AzureClientOptions, AzureTokenOptions } from './token/azure-client.js';
export { createAzureClient } from './token/azure-client.js';
export type { ClientCredential, ClientCredentialsClient, ClientCredentialsClientOptions } from './token/client-credentials-client.js';
export { createClientCredentialsClient } from './token/client-credentials-client.js';
export type { MaskinportenClient, MaskinportenClientOptions, MaskinportenTokenOptions } from './token/maskinporten-client.js';
export { createMaskinportenClient } from './token/maskinporten-client.js';
export type { TokenTransportMode, TransportOptions } from './token/texas-transport.js';
export type { TokenClientOptions } from './token/token-client-options.js';
export type { TokenCacheOptions } from './token/token-engine.js';
export type { TokenEvent, TokenEventListener } from './token/token-events.js';
export type { TokenXClient, TokenXClientOptions, TokenXExchangeOptions } from './token/tokenx-client.js';
export { createTokenXClient } from './token/tokenx-client.js';
export type {
  AzureValidatorOptions,
  GenericClaims,
  GenericValidatorOptions,
  IdportenValidatorOptions,
  MaskinportenValidatorOptions,
  TokenValidator,
  TokenValidatorOptions,
  TokenXValidatorOptions,
  ValidationEvent,
} from './validation/token-validator.js';
export { createTokenValidator } from './validation/token-validator.js';
export {
  createAzureTokenValidator,
  createIdportenTokenValidator,
  createMaskinportenTokenValidator,
  createTokenXTokenValidator,
} from './validation/validators-from-env.js';
export { VERIFIABLE_ALGORITHMS } from './validation/verify-jws.js';
