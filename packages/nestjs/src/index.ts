/**
 * @nav-auth/nestjs: NavAuthModule, guards, decorators and token services for NestJS 11 and 12:
 * Azure AD, Maskinporten and Altinn system users, ID-porten and TokenX.
 *
 * @example
 * ```ts
 * import { NavAuthModule } from '@nav-auth/nestjs';
 *
 * @Module({ imports: [NavAuthModule.forRoot({ defaultIssuer: 'azure' })] })
 * export class AppModule {}
 * ```
 *
 * @packageDocumentation
 */
export type { AzureClaims, IdportenClaims, LoginLevel, MaskinportenClaims, TokenXClaims } from '@nav-auth/core';
export type { SystemUserAccess } from './decorators.js';
export {
  AllowedClients,
  AppTokenOnly,
  AuthClaims,
  AuthPrincipal,
  BearerToken,
  NAV_AUTH_METADATA,
  NavIdent,
  Pid,
  Public,
  principalOf,
  RequireGroups,
  RequireLoginLevel,
  RequireRoles,
  RequireScopes,
  RequireSystemUserAccess,
  SystemUser,
  UseIssuer,
  UserTokenOnly,
} from './decorators.js';
export { NavAuthGuard } from './nav-auth.guard.js';
export { NavAuthModule } from './nav-auth.module.js';
export { NAV_AUTH_OPTIONS } from './nav-auth.module-definition.js';
export type { NavAuthIssuer, NavAuthModuleOptions, NavAuthValidatorSettings } from './nav-auth.options.js';
export type { NavAuthPrincipal } from './nav-auth.runtime.js';
export { NavAuthRuntime } from './nav-auth.runtime.js';
export { NavAuthContextInterceptor, requestPrincipal } from './request-context.js';
export { AzureTokenService, MaskinportenTokenService, TokenXTokenService } from './token-services.js';
export type { NavAuthModuleExtras } from './tokens.js';
export { NAV_AUTH_CONFIG_SOURCE, NAV_AUTH_RUNTIME } from './tokens.js';
