import { assertGroups, assertRoles, assertScopes, isNavAuthError } from '@nav-auth/core';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { NAV_AUTH_METADATA, PRINCIPAL, type SystemUserAccess } from './decorators.js';
import type { NavAuthIssuer } from './nav-auth.options.js';
import type { NavAuthPrincipal, NavAuthRuntime } from './nav-auth.runtime.js';
import { NAV_AUTH_RUNTIME } from './tokens.js';

interface Requirements {
  readonly public: boolean;
  readonly issuer: NavAuthIssuer;
  readonly roles: readonly string[] | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly groups: readonly string[] | undefined;
  readonly tokenKind: 'app' | 'user' | undefined;
  readonly systemUserAccess: SystemUserAccess | undefined;
}

/** Sets a response header on Express and Fastify alike. */
function setHeader(response: unknown, name: string, value: string): void {
  const target = response as { header?: (n: string, v: string) => unknown; setHeader?: (n: string, v: string) => unknown };
  if (typeof target.header === 'function') target.header(name, value);
  else target.setHeader?.(name, value);
}

const bearerPattern = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Guards routes with bearer tokens (RFC 6750). 401 with `WWW-Authenticate: Bearer
 * error="invalid_token"` for a missing or invalid token; 403 `insufficient_scope` for a
 * missing role, scope or group, a wrong token kind, or a PDP deny; 503 when the JWKS or the
 * PDP cannot be reached. Anything else it cannot vouch for, a non-HTTP context included,
 * is refused. Use it per route (`@UseGuards(NavAuthGuard)`) or as `APP_GUARD`, with
 * `@Public()` for the open routes.
 */
@Injectable()
export class NavAuthGuard implements CanActivate {
  private readonly logger = new Logger('NavAuthGuard');

  constructor(
    @Inject(NAV_AUTH_RUNTIME) private readonly runtime: NavAuthRuntime,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirements = this.requirementsOf(context);
    if (requirements.public) return true;
    // Only HTTP requests carry bearer tokens here; anything else is not waved through.
    if (context.getType() !== 'http') return false;
    const http = context.switchToHttp();
    const request = http.getRequest() as { headers: Record<string, string | string[] | undefined> } & Record<symbol, unknown>;
    const response = http.getResponse();

    const header = request.headers.authorization;
    const match = typeof header === 'string' ? bearerPattern.exec(header) : null;
    if (match === null) {
      // RFC 6750 §3.1: no error code when the request had no credentials at all.
      setHeader(response, 'WWW-Authenticate', header === undefined ? 'Bearer' : 'Bearer error="invalid_request"');
      throw new UnauthorizedException(
        header === undefined ? 'a bearer token is required' : 'the Authorization header is not a bearer token',
      );
    }
    const token = match[1] as string;
    const principal = await this.validate(token, requirements, response);
    this.checkRequirements(principal, requirements, response);
    if (requirements.systemUserAccess !== undefined) await this.checkSystemUser(principal, requirements.systemUserAccess, response);
    request[PRINCIPAL] = principal;
    return true;
  }

  /** Route requirements never change: read them from metadata once per handler. */
  private readonly requirementsByHandler = new WeakMap<object, Requirements>();

  private requirementsOf(context: ExecutionContext): Requirements {
    const handler = context.getHandler();
    let requirements = this.requirementsByHandler.get(handler);
    if (requirements === undefined) {
      requirements = this.requirements([handler, context.getClass()]);
      this.requirementsByHandler.set(handler, requirements);
    }
    return requirements;
  }

  private requirements(targets: Parameters<Reflector['getAllAndOverride']>[1]): Requirements {
    const read = <T>(key: string) => this.reflector.getAllAndOverride<T | undefined>(key, targets);
    return {
      public: read<boolean>(NAV_AUTH_METADATA.public) === true,
      issuer: read<NavAuthIssuer>(NAV_AUTH_METADATA.issuer) ?? this.runtime.defaultIssuer,
      roles: read<string[]>(NAV_AUTH_METADATA.roles),
      scopes: read<string[]>(NAV_AUTH_METADATA.scopes),
      groups: read<string[]>(NAV_AUTH_METADATA.groups),
      tokenKind: read<'app' | 'user'>(NAV_AUTH_METADATA.tokenKind),
      systemUserAccess: read<SystemUserAccess>(NAV_AUTH_METADATA.systemUserAccess),
    };
  }

  private async validate(token: string, requirements: Requirements, response: unknown): Promise<NavAuthPrincipal> {
    try {
      if (requirements.issuer === 'azure') {
        const validator = this.runtime.azureValidator;
        if (validator === undefined) throw this.misconfigured('the route trusts Azure AD, which is not configured');
        return { issuer: 'azure', claims: await validator.validate(token), token };
      }
      const scopes = requirements.scopes ?? [];
      // core checks Maskinporten scopes with the claims; a route must say which it needs.
      if (scopes.length === 0) throw this.misconfigured('a Maskinporten route needs @RequireScopes(...)');
      const validator = this.runtime.maskinportenValidator(scopes);
      if (validator === undefined) throw this.misconfigured('the route trusts Maskinporten, which is not configured');
      return { issuer: 'maskinporten', claims: await validator.validate(token), token };
    } catch (error) {
      throw this.toHttpError(error, response);
    }
  }

  private checkRequirements(principal: NavAuthPrincipal, requirements: Requirements, response: unknown): void {
    try {
      if (principal.issuer === 'azure') {
        if (requirements.tokenKind !== undefined && principal.claims.kind !== requirements.tokenKind) {
          throw new ForbiddenException(`this route takes ${requirements.tokenKind} tokens only`);
        }
        if (requirements.roles !== undefined) assertRoles(principal.claims, requirements.roles);
        if (requirements.scopes !== undefined) assertScopes(principal.claims, requirements.scopes);
        if (requirements.groups !== undefined) assertGroups(principal.claims, requirements.groups);
      } else if (requirements.roles !== undefined || requirements.groups !== undefined || requirements.tokenKind !== undefined) {
        throw this.misconfigured('roles, groups and token kinds are Azure AD requirements');
      }
    } catch (error) {
      if (error instanceof ForbiddenException) setHeader(response, 'WWW-Authenticate', 'Bearer error="insufficient_scope"');
      throw error instanceof HttpException ? error : this.toHttpError(error, response);
    }
  }

  private async checkSystemUser(principal: NavAuthPrincipal, access: SystemUserAccess, response: unknown): Promise<void> {
    const pdp = this.runtime.pdp;
    if (pdp === undefined) throw this.misconfigured('@RequireSystemUserAccess needs the module option pdp');
    if (principal.issuer !== 'maskinporten') throw this.misconfigured('@RequireSystemUserAccess needs a Maskinporten route');
    const decision = await pdp.authorizeSystemUser(principal.claims, access);
    if (decision.permit) return;
    this.logger.warn(`PDP denied (${decision.kind}: ${decision.reason})`);
    if (decision.kind === 'error') throw new ServiceUnavailableException('authorization is unavailable');
    setHeader(response, 'WWW-Authenticate', 'Bearer error="insufficient_scope"');
    throw new ForbiddenException('the system user is not authorized for this');
  }

  /** A route set up so that no token could pass: refused (403) and logged, never let through. */
  private misconfigured(why: string): HttpException {
    this.logger.error(`route misconfigured: ${why}`);
    return new ForbiddenException('this route cannot authorize anyone');
  }

  private toHttpError(error: unknown, response: unknown): HttpException {
    if (error instanceof HttpException) return error;
    if (isNavAuthError(error, 'ERR_CLAIM_VALIDATION') && error.reason === 'insufficient') {
      setHeader(response, 'WWW-Authenticate', 'Bearer error="insufficient_scope"');
      return new ForbiddenException(`insufficient ${error.claim}`);
    }
    if (isNavAuthError(error, 'ERR_CLAIM_VALIDATION') && error.reason === 'overage') {
      setHeader(response, 'WWW-Authenticate', 'Bearer error="insufficient_scope"');
      return new ForbiddenException('group membership could not be read from the token');
    }
    if (isNavAuthError(error, 'ERR_TOKEN_INVALID') || isNavAuthError(error, 'ERR_CLAIM_VALIDATION')) {
      // Messages name claims and reasons only, never token contents; still, log the code, not the text.
      this.logger.debug(`token refused: ${error.code}`);
      setHeader(response, 'WWW-Authenticate', 'Bearer error="invalid_token"');
      return new UnauthorizedException('the token is not valid');
    }
    this.logger.warn(`token could not be checked: ${isNavAuthError(error) ? error.code : 'unexpected error'}`);
    return new ServiceUnavailableException('token validation is unavailable');
  }
}
