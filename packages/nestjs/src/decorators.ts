import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { NavAuthIssuer } from './nav-auth.options.js';
import type { NavAuthPrincipal } from './nav-auth.runtime.js';

/** Metadata keys the guard reads. */
export const NAV_AUTH_METADATA = {
  public: 'nav-auth:public',
  issuer: 'nav-auth:issuer',
  roles: 'nav-auth:roles',
  scopes: 'nav-auth:scopes',
  groups: 'nav-auth:groups',
  tokenKind: 'nav-auth:token-kind',
  systemUserAccess: 'nav-auth:system-user-access',
} as const;

/** A route anyone may call, also under a global guard. */
export const Public = () => SetMetadata(NAV_AUTH_METADATA.public, true);

/** The identity provider a route or controller trusts (default: the module's `defaultIssuer`). */
export const UseIssuer = (issuer: NavAuthIssuer) => SetMetadata(NAV_AUTH_METADATA.issuer, issuer);

/** Requires every one of these Azure AD app roles (`roles`). */
export const RequireRoles = (...roles: string[]) => SetMetadata(NAV_AUTH_METADATA.roles, roles);

/** Requires every one of these scopes: Azure AD `scp` (delegated) or Maskinporten `scope`. */
export const RequireScopes = (...scopes: string[]) => SetMetadata(NAV_AUTH_METADATA.scopes, scopes);

/** Requires membership of every one of these Azure AD groups (object ids); a groups overage denies. */
export const RequireGroups = (...groups: string[]) => SetMetadata(NAV_AUTH_METADATA.groups, groups);

/** Only Azure AD app (machine) tokens, `idtyp: "app"`. */
export const AppTokenOnly = () => SetMetadata(NAV_AUTH_METADATA.tokenKind, 'app');

/** Only Azure AD user tokens (after login or on-behalf-of). */
export const UserTokenOnly = () => SetMetadata(NAV_AUTH_METADATA.tokenKind, 'user');

/** What a system user must be allowed, asked of the Altinn PDP for the token's customer org. */
export interface SystemUserAccess {
  /** The Altinn resource id (from your configuration, not the caller). */
  readonly resource: string;
  readonly action: string;
}

/** Requires a Maskinporten system-user token whose system user the Altinn PDP permits `action` on `resource`. */
export const RequireSystemUserAccess = (access: SystemUserAccess) =>
  applyDecorators(UseIssuer('maskinporten'), SetMetadata(NAV_AUTH_METADATA.systemUserAccess, access));

/** Where the guard leaves the validated identity on the request. */
export const PRINCIPAL = Symbol.for('@nav-auth/nestjs/principal');

/** The validated identity of the current HTTP request, or `undefined` on a public route. */
export function principalOf(context: ExecutionContext): NavAuthPrincipal | undefined {
  return (context.switchToHttp().getRequest() as Record<symbol, NavAuthPrincipal | undefined>)[PRINCIPAL];
}

/** The validated claims: `AzureClaims` or `MaskinportenClaims`, by the route's issuer. */
export const AuthClaims = createParamDecorator((_data: unknown, context: ExecutionContext) => principalOf(context)?.claims);

/** The caller's bearer token, validated (for on-behalf-of, say). Never log it. */
export const BearerToken = createParamDecorator((_data: unknown, context: ExecutionContext) => principalOf(context)?.token);

/** The Altinn system user of a Maskinporten token, or `undefined`. */
export const SystemUser = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const principal = principalOf(context);
  return principal?.issuer === 'maskinporten' ? principal.claims.systemUser : undefined;
});

/** The `NAVident` of an Azure AD user token, or `undefined`. A personal id: never log it. */
export const NavIdent = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const principal = principalOf(context);
  return principal?.issuer === 'azure' ? principal.claims.navIdent : undefined;
});
