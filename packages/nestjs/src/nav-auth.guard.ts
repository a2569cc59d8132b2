import {
  assertGroups,
  assertLoginLevel,
  assertRoles,
  assertScopes,
  ClaimValidationError,
  IDPORTEN_ACR,
  isNavAuthError,
  type LoginLevel,
} from '@nav-auth/core';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { PRINCIPAL, requestOf, type SystemUserAccess } from './decorators.js';
import { injectable } from './injectable.js';
import { buildLoginLocation } from './login-redirect.js';
import type { NavAuthIssuer } from './nav-auth.options.js';
import type { NavAuthPrincipal, NavAuthRuntime } from './nav-auth.runtime.js';
import { type Requirements, type RouteRequirements, resolveRequirements } from './requirements.js';
import { NAV_AUTH_RUNTIME } from './tokens.js';

type HttpRequest = { headers?: Record<string, string | string[] | undefined>; res?: unknown } & Record<PropertyKey, unknown>;

/** Sets a response header on Express and Fastify alike; a context without a response (GraphQL over WebSocket) has none to set. */
function setHeader(response: unknown, name: string, value: string): void {
  const target = response as { header?: (n: string, v: string) => unknown; setHeader?: (n: string, v: string) => unknown } | undefined;
  if (typeof target?.header === 'function') target.header(name, value);
  else target?.setHeader?.(name, value);
}

/**
 * The credentials of `Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme in any case),
 * or `undefined` for another scheme or a value that is not one token. The token's own syntax
 * is the validator's to judge (a malformed token is `invalid_token`), which spares every
 * request a scan of its 1-3 KB token here.
 */
function bearerTokenOf(header: string): string | undefined {
  if (header.charCodeAt(6) !== 0x20 || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  let start = 7;
  while (header.charCodeAt(start) === 0x20) start++;
  const token = header.slice(start);
  return token.length === 0 || token.includes(' ') ? undefined : token;
}

/** RFC 6750 §3: `error_description` is printable ASCII without `"` and `\`. */
const quotable = (text: string) => text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?');

/** A 401 or 403 with the RFC 6750 (or RFC 9470) challenge the guard answers it with. */
class BearerRefusal extends HttpException {
  readonly challenge: string;

  constructor(
    status: 401 | 403,
    error: 'invalid_token' | 'insufficient_scope' | 'insufficient_user_authentication',
    description: string,
    /** RFC 9470 §3: the `acr` values that would do, in order of preference. */
    acrValues?: string,
  ) {
    super({ statusCode: status, error: status === 401 ? 'Unauthorized' : 'Forbidden', message: description }, status);
    this.challenge = `Bearer error="${error}", error_description="${quotable(description)}"${acrValues === undefined ? '' : `, acr_values="${acrValues}"`}`;
  }
}

/**
 * The `iss` of a token, read without verifying anything, to choose the validator that will;
 * `undefined` when the token is not a JWS with a string `iss`. The chosen validator parses
 * the token strictly again (a duplicate `iss`, say, is refused there).
 */
function unverifiedIssuerOf(token: string): string | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 1 || second < 0 || token.indexOf('.', second + 1) !== -1) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
    const iss = typeof payload === 'object' && payload !== null ? (payload as { iss?: unknown }).iss : undefined;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

const headerOf = (request: HttpRequest, name: string): string | undefined => {
  const value = request.headers?.[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Guards routes with bearer tokens (RFC 6750). 401 with `WWW-Authenticate: Bearer
 * error="invalid_token"` for a missing or invalid token; 401 `insufficient_user_authentication`
 * with `acr_values` for a citizen below the route's login level (RFC 9470); 403
 * `insufficient_scope` for a missing role, scope or group, a wrong token kind, a TokenX caller
 * not allowed, or a PDP deny; 503 when the JWKS or the PDP cannot be reached. A browser
 * navigating to an ID-porten route gets, with its 401, a `Location` at the login proxy when
 * `idporten.loginUrl` is set. Anything else it cannot vouch for is refused: an RPC or WebSocket
 * context, a route whose decorators contradict each other.
 *
 * `NavAuthModule` installs it as `APP_GUARD` unless `globalGuard: false`; `@Public()` opens a
 * route. Extend it as with `@nestjs/passport`: override `getRequest(context)` to find the
 * request of another transport.
 */
export class NavAuthGuard implements CanActivate {
  private readonly logger = new Logger(NavAuthGuard.name);
  /** Requirements per controller class, then per handler: an inherited handler is one function in every subclass. */
  private readonly requirementsByClass = new WeakMap<object, WeakMap<object, RouteRequirements>>();

  constructor(private readonly runtime: NavAuthRuntime) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirements = this.requirementsOf(context);
    if (requirements.kind === 'public') return true;
    if (requirements.kind === 'misconfigured') {
      throw this.misconfigured(`${context.getClass().name}.${context.getHandler().name}: ${requirements.problems.join('; ')}`);
    }
    const request = this.getRequest(context) as HttpRequest | undefined;
    if (request === undefined) {
      this.logger.debug(`refused: a ${context.getType()} context carries no bearer token`);
      throw new UnauthorizedException(`a ${context.getType()} context carries no bearer token`);
    }
    try {
      const header = request.headers?.authorization;
      const token = typeof header === 'string' ? bearerTokenOf(header) : undefined;
      if (token === undefined) {
        // RFC 6750 §3.1: no error code when the request had no credentials at all.
        setHeader(
          this.getResponse(context, request),
          'WWW-Authenticate',
          header === undefined ? 'Bearer' : 'Bearer error="invalid_request"',
        );
        throw new UnauthorizedException(
          header === undefined ? 'a bearer token is required' : 'the Authorization header is not a bearer token',
        );
      }
      const principal = await this.validate(token, requirements);
      this.checkRequirements(principal, requirements);
      for (const access of requirements.systemUserAccess) await this.checkSystemUser(principal, access);
      request[PRINCIPAL] = principal;
      if (this.runtime.setRequestUser) request.user = principal;
      return true;
    } catch (error) {
      // The response is looked up only to refuse: the passing path stays as short as it can be.
      if (error instanceof BearerRefusal) setHeader(this.getResponse(context, request), 'WWW-Authenticate', error.challenge);
      const login = this.loginLocation(error, request, requirements);
      if (login !== undefined) setHeader(this.getResponse(context, request), 'Location', login);
      throw error;
    }
  }

  /**
   * For a browser navigating (`Sec-Fetch-Mode: navigate`) to an ID-porten route without a
   * usable token (401), where the login proxy logs the citizen in at the route's level and
   * sends them back (`idporten.loginUrl`); `undefined` for fetch/XHR and other routes, which
   * get the plain 401.
   */
  private loginLocation(error: unknown, request: HttpRequest, requirements: Requirements): string | undefined {
    const loginUrl = this.runtime.loginUrl;
    if (loginUrl === undefined || !requirements.issuers.includes('idporten') || requirements.loginLevel === undefined) return undefined;
    if (!(error instanceof HttpException) || error.getStatus() !== 401) return undefined;
    if (headerOf(request, 'sec-fetch-mode')?.toLowerCase() !== 'navigate') return undefined;
    const target = request.originalUrl ?? request.url;
    return buildLoginLocation(loginUrl, requirements.loginLevel, typeof target === 'string' ? target : undefined);
  }

  /** The request whose `Authorization` header is read and on which the principal is left; `undefined` refuses. */
  protected getRequest(context: ExecutionContext): unknown {
    return requestOf(context);
  }

  /** Where the `WWW-Authenticate` challenge is set. */
  protected getResponse(context: ExecutionContext, request: unknown): unknown {
    return context.getType() === 'http' ? context.switchToHttp().getResponse() : (request as HttpRequest).res;
  }

  private requirementsOf(context: ExecutionContext): RouteRequirements {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.requirementsByClass.get(controller);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.requirementsByClass.set(controller, byHandler);
    }
    let requirements = byHandler.get(handler);
    if (requirements === undefined) {
      requirements = resolveRequirements(controller, handler, this.runtime.defaultIssuer);
      byHandler.set(handler, requirements);
    }
    return requirements;
  }

  /**
   * The issuer whose validator judges the token: the route's one issuer, or on a route trusting
   * several, the one whose configured issuer the token's `iss` equals exactly. Fail closed: a
   * token naming any other issuer (or none) is refused before any validator sees it.
   */
  private issuerFor(token: string, issuers: readonly NavAuthIssuer[]): NavAuthIssuer {
    if (issuers.length === 1) return issuers[0] as NavAuthIssuer;
    const iss = unverifiedIssuerOf(token);
    const issuer = iss === undefined ? undefined : issuers.find((candidate) => this.runtime.issuerUrl(candidate) === iss);
    if (issuer === undefined) {
      this.logger.debug('token refused: iss not trusted by this route');
      throw new BearerRefusal(401, 'invalid_token', 'iss not trusted by this route');
    }
    return issuer;
  }

  private async validate(token: string, requirements: Requirements): Promise<NavAuthPrincipal> {
    let issuer: NavAuthIssuer = requirements.issuers[0] as NavAuthIssuer;
    try {
      issuer = this.issuerFor(token, requirements.issuers);
      switch (issuer) {
        case 'azure': {
          const validator = this.runtime.azureValidator;
          if (validator === undefined) throw this.misconfigured('a route trusts Azure AD, which is not configured');
          return { issuer, claims: await validator.validate(token), token };
        }
        case 'maskinporten': {
          const validator = this.runtime.maskinportenValidator(requirements.scopes ?? []);
          if (validator === undefined) throw this.misconfigured('a route trusts Maskinporten, which is not configured');
          return { issuer, claims: await validator.validate(token), token };
        }
        case 'tokenx': {
          const validator = this.runtime.tokenxValidator;
          if (validator === undefined) throw this.misconfigured('a route trusts TokenX, which is not configured');
          return { issuer, claims: await validator.validate(token), token };
        }
        case 'idporten': {
          const validator = this.runtime.idportenValidator;
          if (validator === undefined) throw this.misconfigured('a route trusts ID-porten, which is not configured');
          return { issuer, claims: await validator.validate(token), token };
        }
        default:
          throw this.misconfigured('a route trusts an unknown issuer');
      }
    } catch (error) {
      throw this.toHttpError(error, requirements, issuer);
    }
  }

  private checkRequirements(principal: NavAuthPrincipal, requirements: Requirements): void {
    if (principal.issuer === 'tokenx' || principal.issuer === 'idporten') {
      try {
        // The validators accept both levels, so that a too-low one is a step-up, not an invalid token.
        assertLoginLevel(principal.claims, requirements.loginLevel ?? 'high');
        if (requirements.allowedClients !== undefined && !requirements.allowedClients.includes(principal.claims.clientId)) {
          throw new ClaimValidationError('client_id', 'not_allowed');
        }
      } catch (error) {
        throw this.toHttpError(error, requirements, principal.issuer);
      }
      return;
    }
    if (principal.issuer !== 'azure') return;
    if (requirements.tokenKind !== undefined && principal.claims.kind !== requirements.tokenKind) {
      this.logger.debug(`refused: idtyp is not ${requirements.tokenKind}`);
      throw new BearerRefusal(403, 'insufficient_scope', `this route takes ${requirements.tokenKind} tokens only`);
    }
    try {
      if (requirements.roles !== undefined) assertRoles(principal.claims, requirements.roles);
      if (requirements.scopes !== undefined) assertScopes(principal.claims, requirements.scopes);
      if (requirements.groups !== undefined) assertGroups(principal.claims, requirements.groups);
    } catch (error) {
      throw this.toHttpError(error, requirements, principal.issuer);
    }
  }

  private async checkSystemUser(principal: NavAuthPrincipal, access: SystemUserAccess): Promise<void> {
    const pdp = this.runtime.pdp;
    if (pdp === undefined) throw this.misconfigured('@RequireSystemUserAccess needs the module option pdp');
    if (principal.issuer !== 'maskinporten') throw this.misconfigured('@RequireSystemUserAccess needs a Maskinporten route');
    const decision = await pdp.authorizeSystemUser(principal.claims, access);
    if (decision.permit) return;
    this.logger.warn(`PDP denied (${decision.kind}: ${decision.reason})`);
    if (decision.kind === 'error') throw new ServiceUnavailableException('authorization is unavailable');
    throw new BearerRefusal(403, 'insufficient_scope', 'the system user is not authorized for this');
  }

  /** RFC 9470 §3: the login was not strong enough for the route; `acr_values` says what would be. */
  private stepUp(level: LoginLevel): BearerRefusal {
    return new BearerRefusal(401, 'insufficient_user_authentication', `login level ${level} required`, IDPORTEN_ACR[level]);
  }

  /**
   * A route set up so that no token could pass: refused (403) and logged, never let through.
   * The startup check finds these before the first request; this is the guard's own backstop.
   */
  private misconfigured(why: string): HttpException {
    this.logger.error(`route misconfigured: ${why}`);
    return new ForbiddenException('this route cannot authorize anyone');
  }

  /**
   * Refusals name the claim and the reason, in the debug log and the challenge; never a claim's
   * value or the token. A citizen below the route's login level is asked to step up (RFC 9470
   * §3: 401 `insufficient_user_authentication`, with the `acr` to log in with); a TokenX caller
   * outside the allowed clients is 403 `insufficient_scope`, as a missing role is: the token is
   * valid, and a new one from the same caller would not do (RFC 6750 §3.1).
   */
  private toHttpError(error: unknown, requirements: Requirements, issuer: NavAuthIssuer): HttpException {
    if (error instanceof HttpException) return error;
    if (isNavAuthError(error, 'ERR_CLAIM_VALIDATION')) {
      const reason = `${error.claim} ${error.reason.replaceAll('_', ' ')}`;
      this.logger.debug(`token refused: ${reason}`);
      if (error.claim === 'acr' && error.reason === 'insufficient') return this.stepUp(requirements.loginLevel ?? 'high');
      if (error.claim === 'client_id' && error.reason === 'not_allowed' && (issuer === 'tokenx' || issuer === 'idporten')) {
        return new BearerRefusal(403, 'insufficient_scope', 'client_id not allowed');
      }
      if (error.reason === 'insufficient') return new BearerRefusal(403, 'insufficient_scope', `insufficient ${error.claim}`);
      if (error.reason === 'overage')
        return new BearerRefusal(403, 'insufficient_scope', 'group membership could not be read from the token');
      return new BearerRefusal(401, 'invalid_token', reason);
    }
    if (isNavAuthError(error, 'ERR_TOKEN_INVALID')) {
      const reason = error.reason.replaceAll('_', ' ');
      this.logger.debug(`token refused: ${reason}`);
      return new BearerRefusal(401, 'invalid_token', reason);
    }
    const host = this.runtime.jwksHost(issuer) ?? 'unknown host';
    this.logger.warn(`token could not be checked (JWKS at ${host}): ${isNavAuthError(error) ? error.code : 'unexpected error'}`);
    return new ServiceUnavailableException('token validation is unavailable');
  }
}
injectable(NavAuthGuard, NAV_AUTH_RUNTIME);
