/**
 * @nav-auth/core: the pure protocol rules of nav-auth. No I/O: time, ids and keys are arguments.
 *
 * @example
 * import { buildMaskinportenGrant, buildMaskinportenTokenRequest, importSigningKey, parseMaskinportenConfig } from '@nav-auth/core';
 *
 * // `env`, `clock` and `randomId` come from the caller: this package does no I/O.
 * const config = parseMaskinportenConfig(env);
 * const key = await importSigningKey(config.clientJwk);
 * const grant = await buildMaskinportenGrant({
 *   clientId: config.clientId, issuer: config.issuer, scopes: ['nav:test/api'],
 *   key, now: clock(), jti: randomId(),
 * });
 * const request = buildMaskinportenTokenRequest({ tokenEndpoint: config.tokenEndpoint, grant });
 *
 * @packageDocumentation
 */

export type { CacheKeyClient, MaskinportenCacheKeyOptions } from './cache/cache-key.js';
export {
  canonicalJson,
  clientCredentialsCacheKey,
  encodeKeyFields,
  maskinportenCacheKey,
  oboCacheKey,
  oboCacheKeyForScope,
  tokenExchangeCacheKeyFor,
} from './cache/cache-key.js';

export type { AzureClaimOptions, AzureClaims } from './claims/azure-claims.js';
export { assertGroups, assertRoles, assertScopes, validateAzureClaims } from './claims/azure-claims.js';
export type {
  CitizenClaimOptions,
  CitizenClaims,
  IdportenClaims,
  LoginLevel,
  TokenXClaims,
} from './claims/citizen-claims.js';
export {
  assertLoginLevel,
  IDPORTEN_ACR,
  loginLevelOf,
  validateIdportenClaims,
  validateTokenXClaims,
} from './claims/citizen-claims.js';
export type { JwtPayload, MatchMode, TimeClaimOptions, TimeClaimRefusal, TimeClaims } from './claims/jwt-claims.js';
export {
  assertGranted,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  parseScopeClaim,
  readAudience,
  timeClaimRefusal,
  validateAudience,
  validateIssuer,
  validateRequiredClaims,
  validateTimeClaims,
} from './claims/jwt-claims.js';
export type { MaskinportenClaimOptions, MaskinportenClaims } from './claims/maskinporten-claims.js';
export { validateMaskinportenClaims } from './claims/maskinporten-claims.js';
export type { ReplayGuard, ReplayGuardOptions } from './claims/replay-guard.js';
export { createReplayGuard } from './claims/replay-guard.js';
export type { SystemUser } from './claims/system-user.js';
export { findSystemUser, parseSystemUser, SYSTEM_USER_TYPE } from './claims/system-user.js';
export type { TokenXSubjectTokenOptions } from './claims/tokenx-subject-token.js';
export { checkTokenXSubjectToken } from './claims/tokenx-subject-token.js';

export { endpointUrlProblem, setInsecureHttpHosts } from './config/endpoint-url.js';
export type {
  AzureConfig,
  AzureValidationConfig,
  EnvironmentRecord,
  IdportenConfig,
  IssuerMetadata,
  MaskinportenConfig,
  MaskinportenValidationConfig,
  TokenXConfig,
} from './config/parse-config.js';
export {
  parseAzureConfig,
  parseAzureValidationConfig,
  parseIdportenConfig,
  parseMaskinportenConfig,
  parseMaskinportenValidationConfig,
  parseTokenXConfig,
} from './config/parse-config.js';

export type {
  ClaimFailureReason,
  ConfigProblem,
  KeyErrorReason,
  NavAuthErrorByCode,
  NavAuthErrorCode,
  ScopeNamePart,
  TokenInvalidReason,
} from './error/nav-auth-error.js';
export {
  ClaimValidationError,
  ConfigError,
  DiscoveryError,
  InvalidInputError,
  isNavAuthError,
  KeyError,
  KeySetUnavailableError,
  NavAuthError,
  PdpTransportError,
  ScopeNameError,
  TimeoutError,
  TokenEndpointError,
  TokenResponseError,
  TokenValidationError,
  TransportError,
} from './error/nav-auth-error.js';

export type { ClientAssertionOptions, TokenXClientAssertionOptions } from './grant/build-client-assertion.js';
export {
  buildClientAssertion,
  buildTokenXClientAssertion,
  CLIENT_ASSERTION_MAX_LIFETIME,
  TOKEN_X_ASSERTION_MAX_LIFETIME,
} from './grant/build-client-assertion.js';
export type { MaskinportenGrantOptions } from './grant/build-maskinporten-grant.js';
export { buildMaskinportenGrant, MASKINPORTEN_MAX_GRANT_LIFETIME } from './grant/build-maskinporten-grant.js';
export type { SystemUserAuthorizationDetail } from './grant/system-user-authorization-details.js';
export { buildSystemUserAuthorizationDetails } from './grant/system-user-authorization-details.js';

export { hasDuplicateMembersOrDeepNesting } from './input/duplicate-members.js';
export { decodeBase64Url, encodeBase64Url, hasCanonicalBase64UrlEnd, isStrictBase64Url } from './jws/base64url.js';
export type { JwsHeader } from './jws/sign-compact-jws.js';
export { signCompactJws } from './jws/sign-compact-jws.js';
export type { WebCryptoKey } from './jws/webcrypto-algorithms.js';

export type { Jwks } from './key/build-jwks.js';
export { buildJwks } from './key/build-jwks.js';
export type { GeneratedSigningKey, GenerateSigningKeyOptions } from './key/generate-signing-key.js';
export { generateSigningKey } from './key/generate-signing-key.js';
export type {
  EcPrivateJwk,
  EcPublicJwk,
  ParseJwkOptions,
  PrivateJwk,
  PublicJwk,
  RsaPrivateJwk,
  RsaPublicJwk,
  SigningAlgorithm,
} from './key/jwk.js';
export { parsePrivateJwk, parsePublicJwk, SIGNING_ALGORITHMS, toPublicJwk } from './key/jwk.js';
export type { ImportSigningKeyOptions, SigningKey } from './key/signing-key.js';
export { importSigningKey } from './key/signing-key.js';

export { ISO6523_AUTHORITY, isValidOrganizationNumber, NORWEGIAN_ORG_ICD, parseOrganizationIdentifier } from './org/organization-number.js';

export type { SanitizeOptions } from './redaction/redacted-view.js';
export { REDACTED, sanitizeServerText, withRedactedView } from './redaction/redacted-view.js';

export type {
  ClientCredentialsRequestOptions,
  MaskinportenTokenRequestOptions,
  OnBehalfOfRequestOptions,
  TokenExchangeRequestOptions,
  TokenXExchangeRequestOptions,
} from './request/build-token-requests.js';
export {
  buildClientCredentialsRequest,
  buildMaskinportenTokenRequest,
  buildOnBehalfOfRequest,
  buildTokenExchangeRequest,
  buildTokenXExchangeRequest,
  JWT_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
} from './request/build-token-requests.js';
export type { ClientAuthentication, TokenRequest } from './request/token-request.js';
export { JWT_BEARER_CLIENT_ASSERTION_TYPE, JWT_BEARER_GRANT_TYPE, secretsOf } from './request/token-request.js';

export type { TokenResponse } from './response/parse-token-response.js';
export { parseTokenResponse } from './response/parse-token-response.js';

export type { LegacyScopeOptions, NaisApplication } from './scope/nais-names.js';
export { azureScope, isNaisAudience, legacyScopeName, parseNaisAudience, toAzureScope } from './scope/nais-names.js';
export type { ExposedScopeName, ExposedScopeOptions, ScopeName } from './scope/scope-name.js';
export { exposedScopeName, NAV_SCOPE_PREFIX, parseExposedScopeName, validateScopeName } from './scope/scope-name.js';

export type { TexasExchangeRequestOptions, TexasIdentityProvider, TexasTokenRequestOptions } from './texas/texas-requests.js';
export {
  buildTexasExchangeRequest,
  buildTexasIntrospectionRequest,
  buildTexasTokenRequest,
  parseTexasIntrospection,
  TEXAS_VARIABLES,
  texasProviderProblem,
} from './texas/texas-requests.js';
