import { ConfigError, type ConfigProblem } from '@nav-auth/core';
import type { OnModuleInit } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { APP_GUARD, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { injectable } from './injectable.js';
import { NavAuthGuard } from './nav-auth.guard.js';
import type { NavAuthIssuer } from './nav-auth.options.js';
import type { NavAuthRuntime } from './nav-auth.runtime.js';
import { demandsToken, resolveRequirements } from './requirements.js';
import { NAV_AUTH_EXTRAS, NAV_AUTH_RUNTIME, type NavAuthModuleExtras } from './tokens.js';

const issuerNames: Record<NavAuthIssuer, string> = {
  azure: 'Azure AD',
  maskinporten: 'Maskinporten',
  tokenx: 'TokenX',
  idporten: 'ID-porten',
};

// biome-ignore lint/complexity/noBannedTypes: guards are listed on classes and methods alike.
function guardedByNavAuth(target: Function): boolean {
  const guards = (Reflect.getMetadata(GUARDS_METADATA, target) ?? []) as unknown[];
  return guards.some(
    (guard) =>
      guard instanceof NavAuthGuard || (typeof guard === 'function' && (guard === NavAuthGuard || guard.prototype instanceof NavAuthGuard)),
  );
}

/**
 * Reads every controller once the application is assembled and fails startup, with one
 * `ConfigError` naming each route and each variable at fault, when a route could be served
 * without its requirement checked or could never authorize anyone: decorators that contradict
 * each other, a nav-auth requirement on a route no `NavAuthGuard` guards, a route that names no
 * issuer, an issuer some route trusts whose variables are missing, a system-user route without
 * the PDP, allowed clients no token could match, two trusted issuers a token's `iss` cannot
 * tell apart. The guard refuses such routes too; this finds them before the first request.
 */
export class NavAuthStartupCheck implements OnModuleInit {
  constructor(
    private readonly runtime: NavAuthRuntime,
    private readonly extras: NavAuthModuleExtras,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const problems = this.problems();
    if (problems.length > 0) throw new ConfigError(problems);
  }

  private problems(): ConfigProblem[] {
    const globallyGuarded = this.extras.globalGuard || this.appGuardIsNavAuth();
    const problems: ConfigProblem[] = [];
    const routesByIssuer = new Map<NavAuthIssuer, string[]>();
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const route = `${controller.name}.${name}`;
        const decorated = demandsToken(handler) || demandsToken(controller);
        if (!(globallyGuarded || guardedByNavAuth(handler) || guardedByNavAuth(controller))) {
          if (decorated) {
            problems.push({
              variable: route,
              reason: 'carries a nav-auth requirement but no NavAuthGuard guards it: keep globalGuard on, or add @UseGuards(NavAuthGuard)',
            });
          }
          continue;
        }
        if (!decorated && Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue; // not a route
        const requirements = resolveRequirements(controller, handler, this.runtime.defaultIssuer);
        if (requirements.kind === 'public') continue;
        if (requirements.kind === 'misconfigured') {
          for (const reason of requirements.problems) problems.push({ variable: route, reason });
          continue;
        }
        if (requirements.systemUserAccess.length > 0 && this.runtime.pdp === undefined) {
          problems.push({ variable: route, reason: '@RequireSystemUserAccess needs the module option pdp' });
        }
        const moduleClients = this.runtime.tokenxAllowedClients;
        if (requirements.allowedClients !== undefined && moduleClients !== undefined) {
          if (!requirements.allowedClients.some((client) => moduleClients.includes(client))) {
            problems.push({
              variable: route,
              reason: '@AllowedClients and tokenx.allowedClients have no client in common: no token could pass',
            });
          }
        }
        const urls = requirements.issuers.map((issuer) => this.runtime.issuerUrl(issuer)).filter((url) => url !== undefined);
        if (new Set(urls).size < urls.length) {
          problems.push({
            variable: route,
            reason: `trusts ${requirements.issuers.join(' and ')}, configured with the same issuer: a token's iss cannot tell them apart`,
          });
        }
        for (const issuer of requirements.issuers) routesByIssuer.set(issuer, [...(routesByIssuer.get(issuer) ?? []), route]);
      }
    }
    for (const [issuer, routes] of routesByIssuer) {
      const named = routes.length > 3 ? `${routes.slice(0, 3).join(', ')} and ${routes.length - 3} more` : routes.join(', ');
      for (const missing of this.runtime.missingConfiguration(issuer) ?? []) {
        problems.push({ variable: missing.variable, reason: `${missing.reason} (${issuerNames[issuer]}, trusted by ${named})` });
      }
    }
    return problems;
  }

  /** Whether an `APP_GUARD` of the application's own is a NavAuthGuard. */
  private appGuardIsNavAuth(): boolean {
    return this.discovery
      .getProviders()
      .some(
        (wrapper) => typeof wrapper.token === 'string' && wrapper.token.startsWith(APP_GUARD) && wrapper.instance instanceof NavAuthGuard,
      );
  }
}
injectable(NavAuthStartupCheck, NAV_AUTH_RUNTIME, NAV_AUTH_EXTRAS, DiscoveryService, MetadataScanner);
