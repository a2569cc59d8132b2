/**
 * @nav-auth/nestjs: NavAuthModule, guards, decorators and token services for NestJS 11 and 12.
 *
 * @example
 * ```ts
 * import { NavAuthModule } from '@nav-auth/nestjs';
 *
 * @Module({ imports: [NavAuthModule.forRoot({ globalGuard: true })] })
 * export class AppModule {}
 * ```
 */
export type { SystemUserAccess } from './decorators.js';
export {
  AppTokenOnly,
  AuthClaims,
  BearerToken,
  NAV_AUTH_METADATA,
  NavIdent,
  Public,
  RequireGroups,
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
export type { NavAuthIssuer, NavAuthModuleOptions } from './nav-auth.options.js';
export type { NavAuthPrincipal } from './nav-auth.runtime.js';
export { NavAuthRuntime } from './nav-auth.runtime.js';
export { NavAuthContextInterceptor, requestPrincipal } from './request-context.js';
export { AzureTokenService, MaskinportenTokenService } from './token-services.js';
export { NAV_AUTH_RUNTIME } from './tokens.js';
