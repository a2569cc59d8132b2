import { NAV_AUTH_METADATA, type SystemUserAccess } from './decorators.js';
import type { NavAuthIssuer } from './nav-auth.options.js';

/** What a guarded route asks of a token, after class and method decorators are combined. */
export interface Requirements {
  readonly kind: 'guarded';
  readonly issuer: NavAuthIssuer;
  readonly roles: readonly string[] | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly groups: readonly string[] | undefined;
  readonly tokenKind: 'app' | 'user' | undefined;
  readonly systemUserAccess: readonly SystemUserAccess[];
}

/** A route open to anyone (`@Public()`). */
export interface PublicRoute {
  readonly kind: 'public';
}

/** Why a route's decorators cannot be turned into requirements: each problem names the decorator at fault. */
export interface RequirementProblems {
  readonly kind: 'misconfigured';
  readonly problems: readonly string[];
}

export type RouteRequirements = Requirements | PublicRoute | RequirementProblems;

/** Decorators that ask something of the token; `@Public()` next to any of them is a contradiction. */
const requirementKeys = [
  NAV_AUTH_METADATA.issuer,
  NAV_AUTH_METADATA.roles,
  NAV_AUTH_METADATA.scopes,
  NAV_AUTH_METADATA.groups,
  NAV_AUTH_METADATA.tokenKind,
  NAV_AUTH_METADATA.systemUserAccess,
] as const;

// biome-ignore lint/complexity/noBannedTypes: decorators attach metadata to classes and functions alike.
type MetadataTarget = Function;

const metadata = <T>(key: string, target: MetadataTarget): T | undefined => Reflect.getMetadata(key, target) as T | undefined;

/** True when a class or method asks something of the token (`@Public()` asks nothing): such a handler must be guarded. */
export function demandsToken(target: MetadataTarget): boolean {
  return requirementKeys.some((key) => metadata(key, target) !== undefined);
}

const union = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === undefined && b === undefined ? undefined : [...new Set([...(a ?? []), ...(b ?? [])])];

/**
 * Combines a controller's and a handler's decorators. The rules, in the order they apply:
 * - `@Public()` and a requirement on the same class or the same method is an error.
 * - A method's requirement beats its class's `@Public()`; a method's `@Public()` beats its
 *   class's requirements (the method is the more specific, and says so explicitly).
 * - Roles, scopes, groups and system-user accesses of class and method add up: a token needs all.
 * - Issuer and token kind may be set on either; set differently on both, they are an error.
 * - A route that names no issuer takes `defaultIssuer`; with none, it is an error.
 *
 * `controller` is the class the route is served from, so a method inherited from a base class
 * is judged with the subclass's decorators, never with another subclass's.
 */
export function resolveRequirements(
  controller: MetadataTarget,
  handler: MetadataTarget,
  defaultIssuer: NavAuthIssuer | undefined,
): RouteRequirements {
  const problems: string[] = [];
  const classPublic = metadata<boolean>(NAV_AUTH_METADATA.public, controller) === true;
  const methodPublic = metadata<boolean>(NAV_AUTH_METADATA.public, handler) === true;
  if (classPublic && demandsToken(controller)) problems.push('the controller is @Public() and also requires a token');
  if (methodPublic && demandsToken(handler)) problems.push('the method is @Public() and also requires a token');
  if (problems.length > 0) return { kind: 'misconfigured', problems };
  if (methodPublic || (classPublic && !demandsToken(handler))) return { kind: 'public' };

  const single = <T>(key: string, what: string): T | undefined => {
    const onClass = metadata<T>(key, controller);
    const onMethod = metadata<T>(key, handler);
    if (onClass !== undefined && onMethod !== undefined && onClass !== onMethod) {
      problems.push(`the controller says ${what} ${String(onClass)} and the method ${String(onMethod)}`);
    }
    return onMethod ?? onClass;
  };
  const issuer = single<NavAuthIssuer>(NAV_AUTH_METADATA.issuer, 'issuer') ?? defaultIssuer;
  const tokenKind = single<'app' | 'user'>(NAV_AUTH_METADATA.tokenKind, 'token kind');
  const merged = (key: string) => union(metadata<string[]>(key, controller), metadata<string[]>(key, handler));
  const roles = merged(NAV_AUTH_METADATA.roles);
  const scopes = merged(NAV_AUTH_METADATA.scopes);
  const groups = merged(NAV_AUTH_METADATA.groups);
  const systemUserAccess = [controller, handler]
    .map((target) => metadata<SystemUserAccess>(NAV_AUTH_METADATA.systemUserAccess, target))
    .filter((access) => access !== undefined);

  if (issuer === undefined) {
    problems.push("it names no issuer: add @UseIssuer('azure' | 'maskinporten') or set defaultIssuer in NavAuthModule.forRoot");
  } else if (issuer === 'maskinporten') {
    // core checks Maskinporten scopes with the claims: a route must say which it needs.
    if (scopes === undefined || scopes.length === 0) problems.push('a Maskinporten route needs @RequireScopes(...)');
    if (roles !== undefined || groups !== undefined || tokenKind !== undefined) {
      problems.push('@RequireRoles, @RequireGroups, @AppTokenOnly and @UserTokenOnly are Azure AD requirements, on a Maskinporten route');
    }
  } else if (systemUserAccess.length > 0) {
    problems.push('@RequireSystemUserAccess needs a Maskinporten route');
  }
  if (problems.length > 0 || issuer === undefined) return { kind: 'misconfigured', problems };
  return { kind: 'guarded', issuer, roles, scopes, groups, tokenKind, systemUserAccess };
}
