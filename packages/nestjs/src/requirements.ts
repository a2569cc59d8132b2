import { isNaisAudience, type LoginLevel } from '@nav-auth/core';
import { NAV_AUTH_METADATA, type SystemUserAccess } from './decorators.js';
import type { NavAuthIssuer } from './nav-auth.options.js';

/** What a guarded route asks of a token, after class and method decorators are combined. */
export interface Requirements {
  readonly kind: 'guarded';
  /**
   * The issuers whose tokens the route accepts: one, or several citizen issuers. A token is
   * judged only by the validator of the issuer its `iss` names exactly.
   */
  readonly issuers: readonly NavAuthIssuer[];
  readonly roles: readonly string[] | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly groups: readonly string[] | undefined;
  readonly tokenKind: 'app' | 'user' | undefined;
  readonly systemUserAccess: readonly SystemUserAccess[];
  /** The lowest login level of a citizen route (default `'high'`); `undefined` on other routes. */
  readonly loginLevel: LoginLevel | undefined;
  /** TokenX `client_id`s the route accepts (in every `@AllowedClients` of class and method). */
  readonly allowedClients: readonly string[] | undefined;
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
  NAV_AUTH_METADATA.loginLevel,
  NAV_AUTH_METADATA.allowedClients,
] as const;

const knownIssuers: ReadonlySet<string> = new Set<NavAuthIssuer>(['azure', 'maskinporten', 'tokenx', 'idporten']);
const citizenIssuers: ReadonlySet<string> = new Set<NavAuthIssuer>(['tokenx', 'idporten']);
const loginLevels: ReadonlySet<unknown> = new Set<LoginLevel>(['high', 'substantial']);

// biome-ignore lint/complexity/noBannedTypes: decorators attach metadata to classes and functions alike.
type MetadataTarget = Function;

const metadata = <T>(key: string, target: MetadataTarget): T | undefined => Reflect.getMetadata(key, target) as T | undefined;

/** True when a class or method asks something of the token (`@Public()` asks nothing): such a handler must be guarded. */
export function demandsToken(target: MetadataTarget): boolean {
  return requirementKeys.some((key) => metadata(key, target) !== undefined);
}

const union = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === undefined && b === undefined ? undefined : [...new Set([...(a ?? []), ...(b ?? [])])];

/** `@UseIssuer` metadata as a list: a plain string is what `SetMetadata(NAV_AUTH_METADATA.issuer, 'azure')` leaves. */
const issuerList = (value: unknown): readonly string[] | undefined =>
  value === undefined
    ? undefined
    : typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? [...new Set(value.map(String))]
        : [String(value)];

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item) => b.includes(item));

const quoted = (issuers: readonly string[]) => issuers.map((issuer) => `'${issuer}'`).join(', ');

/**
 * Combines a controller's and a handler's decorators. The rules, in the order they apply:
 * - `@Public()` and a requirement on the same class or the same method is an error.
 * - A method's requirement beats its class's `@Public()`; a method's `@Public()` beats its
 *   class's requirements (the method is the more specific, and says so explicitly).
 * - Roles, scopes, groups and system-user accesses of class and method add up: a token needs
 *   all. Allowed clients narrow: a caller must be in both lists.
 * - Issuers, token kind and login level may be set on either; set differently on both, they
 *   are an error.
 * - A route that names no issuer takes `defaultIssuer`; with none, it is an error.
 * - Several issuers only among the citizen issuers (`idporten`, `tokenx`): an employee's or a
 *   partner's token and a citizen's have nothing in common a requirement could check.
 * - Every requirement must make sense for each issuer the route names: roles, groups and token
 *   kinds for Azure AD; scopes for Azure AD and Maskinporten (which needs them); system users for
 *   Maskinporten; login levels for citizen issuers; allowed clients for TokenX alone.
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
  const classIssuers = issuerList(metadata(NAV_AUTH_METADATA.issuer, controller));
  const methodIssuers = issuerList(metadata(NAV_AUTH_METADATA.issuer, handler));
  if (classIssuers !== undefined && methodIssuers !== undefined && !sameSet(classIssuers, methodIssuers)) {
    const plural = classIssuers.length > 1 || methodIssuers.length > 1 ? 's' : '';
    problems.push(`the controller says issuer${plural} ${classIssuers.join(', ')} and the method ${methodIssuers.join(', ')}`);
  }
  const issuers = methodIssuers ?? classIssuers ?? (defaultIssuer === undefined ? undefined : [defaultIssuer]);
  const tokenKind = single<'app' | 'user'>(NAV_AUTH_METADATA.tokenKind, 'token kind');
  const requiredLevel = single<LoginLevel>(NAV_AUTH_METADATA.loginLevel, 'login level');
  const merged = (key: string) => union(metadata<string[]>(key, controller), metadata<string[]>(key, handler));
  const roles = merged(NAV_AUTH_METADATA.roles);
  const scopes = merged(NAV_AUTH_METADATA.scopes);
  const groups = merged(NAV_AUTH_METADATA.groups);
  const systemUserAccess = [controller, handler]
    .map((target) => metadata<SystemUserAccess>(NAV_AUTH_METADATA.systemUserAccess, target))
    .filter((access) => access !== undefined);
  const clientLists = [controller, handler]
    .map((target) => metadata<readonly string[]>(NAV_AUTH_METADATA.allowedClients, target))
    .filter((list) => list !== undefined);
  const allowedClients =
    clientLists.length === 0 ? undefined : clientLists.reduce((kept, list) => kept.filter((client) => list.includes(client)));

  if (issuers === undefined) {
    problems.push(
      "it names no issuer: add @UseIssuer('azure' | 'maskinporten' | 'tokenx' | 'idporten') or set defaultIssuer in NavAuthModule.forRoot",
    );
    return { kind: 'misconfigured', problems };
  }
  const unknown = issuers.filter((issuer) => !knownIssuers.has(issuer));
  if (issuers.length === 0) problems.push('@UseIssuer() names no issuer');
  if (unknown.length > 0) problems.push(`@UseIssuer names unknown issuers ${quoted(unknown)}`);
  if (issuers.length > 1 && !issuers.every((issuer) => citizenIssuers.has(issuer))) {
    problems.push(
      `@UseIssuer(${quoted(issuers)}): a route may trust several issuers only among the citizen issuers 'idporten' and 'tokenx'`,
    );
  }
  const all = (accepted: readonly NavAuthIssuer[]) =>
    issuers.length > 0 && issuers.every((issuer) => (accepted as string[]).includes(issuer));
  const named = quoted(issuers);
  if ((roles !== undefined || groups !== undefined || tokenKind !== undefined) && !all(['azure'])) {
    problems.push(
      `@RequireRoles, @RequireGroups, @AppTokenOnly and @UserTokenOnly are Azure AD requirements, on a route trusting ${named}`,
    );
  }
  if (scopes !== undefined && !all(['azure', 'maskinporten'])) {
    problems.push(`@RequireScopes is an Azure AD and Maskinporten requirement, on a route trusting ${named}`);
  }
  if (issuers.length === 1 && issuers[0] === 'maskinporten' && (scopes === undefined || scopes.length === 0)) {
    // core checks Maskinporten scopes with the claims: a route must say which it needs.
    problems.push('a Maskinporten route needs @RequireScopes(...)');
  }
  if (systemUserAccess.length > 0 && !all(['maskinporten'])) problems.push('@RequireSystemUserAccess needs a Maskinporten route');
  const citizen = all(['tokenx', 'idporten']);
  if (requiredLevel !== undefined) {
    if (!loginLevels.has(requiredLevel)) problems.push(`@RequireLoginLevel takes 'high' or 'substantial', not ${String(requiredLevel)}`);
    if (!citizen) problems.push(`@RequireLoginLevel is an ID-porten and TokenX requirement, on a route trusting ${named}`);
  }
  if (allowedClients !== undefined) {
    if (!all(['tokenx'])) {
      problems.push(`@AllowedClients is a TokenX requirement (client_id), on a route trusting ${named}: make a TokenX-only route`);
    }
    const malformed = clientLists.flat().filter((client) => !isNaisAudience(client));
    if (clientLists.some((list) => list.length === 0)) problems.push('@AllowedClients() names no client: nobody could call the route');
    else if (malformed.length > 0) problems.push('@AllowedClients takes client ids as cluster:namespace:app');
    else if (allowedClients.length === 0) problems.push('the @AllowedClients of controller and method have no client in common');
  }
  if (problems.length > 0) return { kind: 'misconfigured', problems };
  return {
    kind: 'guarded',
    issuers: issuers as NavAuthIssuer[],
    roles,
    scopes,
    groups,
    tokenKind,
    systemUserAccess,
    loginLevel: citizen ? (requiredLevel ?? 'high') : undefined,
    allowedClients,
  };
}
