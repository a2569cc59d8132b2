import { ConfigError, type SystemUser as CoreSystemUser, type LoginLevel } from '@nav-auth/core';
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
  loginLevel: 'nav-auth:login-level',
  allowedClients: 'nav-auth:allowed-clients',
} as const;

/** A route anyone may call. On a method it beats its controller's requirements; next to a requirement on the same class or method, startup fails. */
export const Public = () => SetMetadata(NAV_AUTH_METADATA.public, true);

/**
 * The identity providers a route or controller trusts (default: the module's `defaultIssuer`;
 * with none, startup fails). Several only among the citizen issuers: `@UseIssuer('idporten',
 * 'tokenx')` serves a citizen both directly and through another app. Such a route picks the
 * validator whose configured issuer equals the token's `iss` exactly, and refuses (401) any
 * other; every requirement on it must make sense for each issuer it names.
 */
export const UseIssuer = (...issuers: [NavAuthIssuer, ...NavAuthIssuer[]]) => SetMetadata(NAV_AUTH_METADATA.issuer, issuers);

/** Requires every one of these Azure AD app roles (`roles`); on a controller and a method, every one of both. */
export const RequireRoles = (...roles: string[]) => SetMetadata(NAV_AUTH_METADATA.roles, roles);

/** Requires every one of these scopes: Azure AD `scp` (delegated) or Maskinporten `scope`. */
export const RequireScopes = (...scopes: string[]) => SetMetadata(NAV_AUTH_METADATA.scopes, scopes);

/** Requires membership of every one of these Azure AD groups (object ids); a groups overage denies. */
export const RequireGroups = (...groups: string[]) => SetMetadata(NAV_AUTH_METADATA.groups, groups);

/** Only Azure AD app (machine) tokens, `idtyp: "app"`. */
export const AppTokenOnly = () => SetMetadata(NAV_AUTH_METADATA.tokenKind, 'app');

/** Only Azure AD user tokens (after login or on-behalf-of). */
export const UserTokenOnly = () => SetMetadata(NAV_AUTH_METADATA.tokenKind, 'user');

/**
 * The lowest ID-porten login level a citizen route accepts: `'high'` (the default of every
 * ID-porten and TokenX route, as of the login proxy) or `'substantial'`, which accepts both. A
 * token below it gets 401 `insufficient_user_authentication` with `acr_values` (RFC 9470 §3).
 */
export const RequireLoginLevel = (level: LoginLevel) => SetMetadata(NAV_AUTH_METADATA.loginLevel, level);

/**
 * Only TokenX tokens exchanged by one of these apps (`client_id`, `cluster:namespace:app`). With
 * `tokenx.allowedClients` and a controller's own list, the caller must be in every list (403
 * otherwise). Defence in depth behind TokenX's inbound access policy; TokenX routes only.
 */
export const AllowedClients = (...clientIds: string[]) => SetMetadata(NAV_AUTH_METADATA.allowedClients, clientIds);

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

/** The Altinn system user of a Maskinporten token: the type of `@SystemUser()` parameters. */
export type SystemUser = CoreSystemUser;

/**
 * The request a bearer token is read from: the HTTP request, or for GraphQL over HTTP the
 * `req` (Apollo) or `request` (Mercurius) of the GraphQL context; `undefined` for RPC and
 * WebSocket contexts, which carry no `Authorization` header.
 */
export function requestOf(context: ExecutionContext): Record<PropertyKey, unknown> | undefined {
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getRequest();
  if (type === 'graphql') {
    const graphqlContext = context.getArgByIndex<
      { req?: Record<PropertyKey, unknown>; request?: Record<PropertyKey, unknown> } | undefined
    >(2);
    return graphqlContext?.req ?? graphqlContext?.request;
  }
  return undefined;
}

/** The validated identity of the current request, or `undefined` where the guard left none (a public route). */
export function principalOf(context: ExecutionContext): NavAuthPrincipal | undefined {
  return requestOf(context)?.[PRINCIPAL] as NavAuthPrincipal | undefined;
}

/** The principal a parameter decorator reads; a request nav-auth did not guard has none, and that is a bug, not an anonymous caller. */
function guardedPrincipal(context: ExecutionContext, decorator: string): NavAuthPrincipal {
  const principal = principalOf(context);
  if (principal === undefined) {
    throw new ConfigError([
      {
        variable: `@${decorator}() in ${context.getClass().name}.${context.getHandler().name}`,
        reason: 'reads a principal, but NavAuthGuard did not guard this request (a @Public() route, or the guard is not installed)',
      },
    ]);
  }
  return principal;
}

/**
 * The validated claims: `AzureClaims`, `MaskinportenClaims`, `TokenXClaims` or
 * `IdportenClaims`, by the issuer of the token (on a multi-issuer route, `@AuthPrincipal()`
 * says which). Throws on a request the guard did not check.
 */
export const AuthClaims = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => guardedPrincipal(context, 'AuthClaims').claims,
);

/**
 * The validated identity, `{ issuer, claims, token }`: on a route trusting several issuers,
 * `issuer` tells which one's token this is (and narrows `claims`). Never log it: it holds the token.
 */
export const AuthPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): NavAuthPrincipal => guardedPrincipal(context, 'AuthPrincipal'),
);

/** The caller's bearer token, validated (for on-behalf-of, say). Never log it. */
export const BearerToken = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => guardedPrincipal(context, 'BearerToken').token,
);

/** The Altinn system user of a Maskinporten token, or `undefined` for a token without one. */
export const SystemUser = createParamDecorator((_data: unknown, context: ExecutionContext): SystemUser | undefined => {
  const principal = guardedPrincipal(context, 'SystemUser');
  return principal.issuer === 'maskinporten' ? principal.claims.systemUser : undefined;
});

/** The `NAVident` of an Azure AD user token, or `undefined` (an app token). A personal id: never log it. */
export const NavIdent = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const principal = guardedPrincipal(context, 'NavIdent');
  return principal.issuer === 'azure' ? principal.claims.navIdent : undefined;
});

/**
 * The citizen's national id (`pid`: fødselsnummer or d-nummer) of an ID-porten or TokenX token,
 * or `undefined` for other tokens. Personal data: never log it.
 */
export const Pid = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const principal = guardedPrincipal(context, 'Pid');
  return principal.issuer === 'tokenx' || principal.issuer === 'idporten' ? principal.claims.pid : undefined;
});
