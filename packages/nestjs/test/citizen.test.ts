// Citizens (issue 14): ID-porten tokens as the login proxy forwards them, TokenX tokens another
// app exchanged, login levels and RFC 9470 step-up, allowed TokenX callers, routes trusting
// both, the login redirect of browser navigations, and TokenXTokenService, over real HTTP
// (Express and Fastify) against the local IdP's ID-porten and TokenX.
import 'reflect-metadata';
import { request as httpRequest } from 'node:http';
import type { IdportenClaims, TokenXClaims } from '@nav-auth/core';
import { type LocalIdp, type RegisteredAzureApp, type RegisteredIdportenClient, startLocalIdp } from '@nav-auth/testing';
import { Controller, Get, type INestApplication, Inject, type LoggerService, Module } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AllowedClients,
  AuthClaims,
  AuthPrincipal,
  NavAuthModule,
  type NavAuthModuleExtras,
  type NavAuthModuleOptions,
  type NavAuthPrincipal,
  NavAuthRuntime,
  Pid,
  RequireLoginLevel,
  RequireRoles,
  RequireScopes,
  TokenXTokenService,
  UseIssuer,
} from '../src/index.js';
import { serve, startupError } from './support/serve.js';

const API = 'dev-gcp:team:citizen-api';
const FRONTEND = 'dev-gcp:team:frontend';
const OTHER = 'dev-gcp:team:other';
const STRANGER = 'dev-gcp:team:stranger';
const DOWNSTREAM = 'dev-gcp:team:downstream';
const PID = '24048512345';
const HIGH = 'idporten-loa-high';
const SUBSTANTIAL = 'idporten-loa-substantial';
const STEP_UP = `Bearer error="insufficient_user_authentication", error_description="login level high required", acr_values="${HIGH}"`;

let idp: LocalIdp;
let azureApp: RegisteredAzureApp;
let idporten: RegisteredIdportenClient;
let env: Record<string, string>;
const noSecretFiles = { azure: '/nonexistent', maskinporten: '/nonexistent' };

beforeAll(async () => {
  idp = await startLocalIdp();
  azureApp = await idp.registerAzureApp({ name: API });
  idporten = idp.registerIdportenClient();
  idp.registerIdportenClient({ clientId: 'someone-else' });
  const tokenx = await idp.registerTokenXApp({ name: API, inbound: [FRONTEND, OTHER] });
  await idp.registerTokenXApp({ name: DOWNSTREAM, inbound: [API] });
  await idp.registerTokenXApp({ name: 'dev-gcp:team:other-api' });
  env = { ...azureApp.env, ...idporten.env, ...tokenx.env };
});
afterAll(() => idp.close());

const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
const idportenToken = (options: Omit<Parameters<LocalIdp['mintIdportenToken']>[0], 'audience'> = {}) =>
  idp.mintIdportenToken({ audience: idporten.clientId, pid: PID, ...options });
const tokenxToken = (options: Partial<Parameters<LocalIdp['mintTokenXToken']>[0]> = {}) =>
  idp.mintTokenXToken({ audience: API, clientId: FRONTEND, pid: PID, ...options });

@Controller('citizen')
class CitizenController {
  constructor(@Inject(TokenXTokenService) private readonly tokenx: TokenXTokenService) {}

  @Get('idporten')
  @UseIssuer('idporten')
  idporten(@Pid() pid: string | undefined, @AuthClaims() claims: IdportenClaims) {
    return { pid, level: claims.loginLevel };
  }

  @Get('idporten-substantial')
  @UseIssuer('idporten')
  @RequireLoginLevel('substantial')
  idportenSubstantial(@AuthClaims() claims: IdportenClaims) {
    return { level: claims.loginLevel };
  }

  @Get('tokenx')
  @UseIssuer('tokenx')
  tokenxRoute(@Pid() pid: string | undefined, @AuthClaims() claims: TokenXClaims) {
    return { pid, client: claims.clientId, level: claims.loginLevel };
  }

  @Get('tokenx-substantial')
  @UseIssuer('tokenx')
  @RequireLoginLevel('substantial')
  tokenxSubstantial(@AuthClaims() claims: TokenXClaims) {
    return { level: claims.loginLevel };
  }

  @Get('frontend-only')
  @UseIssuer('tokenx')
  @AllowedClients(FRONTEND)
  frontendOnly(@AuthClaims() claims: TokenXClaims) {
    return { client: claims.clientId };
  }

  @Get('both')
  @UseIssuer('idporten', 'tokenx')
  both(@AuthPrincipal() principal: NavAuthPrincipal, @Pid() pid: string | undefined) {
    return { issuer: principal.issuer, pid };
  }

  @Get('exchange')
  @UseIssuer('idporten', 'tokenx')
  async exchange() {
    const { token } = await this.tokenx.exchange(DOWNSTREAM);
    const payload = payloadOf(token);
    return { iss: payload.iss, aud: payload.aud, clientId: payload.client_id, pid: payload.pid };
  }
}

@Controller('employee')
class EmployeeController {
  @Get()
  employee(@Pid() pid: string | undefined) {
    return { pid: pid ?? null };
  }
}

/** Every other path is an ID-porten page, so that hostile request targets reach the guard. */
@Controller()
@UseIssuer('idporten')
class PagesController {
  @Get('*')
  page() {
    return 'page';
  }
}

const citizenOptions = (): NavAuthModuleOptions & Partial<NavAuthModuleExtras> => ({
  env,
  secretsDirs: noSecretFiles,
  defaultIssuer: 'azure',
  requestContext: true,
  tokenx: { allowedClients: [FRONTEND, OTHER] },
  idporten: { loginUrl: '/oauth2/login' },
});

type Controllers = NonNullable<NonNullable<Parameters<typeof Module>[0]>['controllers']>;
const moduleOf = (options: NavAuthModuleOptions & Partial<NavAuthModuleExtras>, controllers: Controllers) => {
  class AppModule {}
  Module({ imports: [NavAuthModule.forRoot(options)], controllers })(AppModule);
  return AppModule;
};

const platforms = [
  ['Express', () => undefined],
  ['Fastify', () => new FastifyAdapter()],
] as const;

describe.each(platforms)('citizen routes on %s', (_platform, adapter) => {
  let app: INestApplication;
  let url: string;
  /** A request with exactly this target and these headers (fetch would normalize the one and set its own `Sec-Fetch-Mode`). */
  const call = (target: string, token?: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; challenge: string | null; location: string | null; body: unknown }>((resolve, reject) => {
      const { hostname, port } = new URL(url);
      const request = httpRequest(
        { hostname, port, path: target, headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              challenge: response.headers['www-authenticate'] ?? null,
              location: response.headers.location ?? null,
              body: text.startsWith('{') ? JSON.parse(text) : text,
            }),
          );
        },
      );
      request.on('error', reject);
      request.end();
    });

  beforeAll(async () => {
    ({ app, url } = await serve(moduleOf(citizenOptions(), [CitizenController, EmployeeController, PagesController]), adapter()));
  });
  afterAll(() => app.close());

  describe('login level', () => {
    it('an ID-porten token at level high passes, with @Pid and @AuthClaims', async () => {
      expect(await call('/citizen/idporten', await idportenToken())).toMatchObject({ status: 200, body: { pid: PID, level: 'high' } });
    });

    it('substantial where high is required is 401 insufficient_user_authentication with acr_values (RFC 9470 §3)', async () => {
      const substantial = await idportenToken({ acr: SUBSTANTIAL });
      expect(await call('/citizen/idporten', substantial)).toMatchObject({
        status: 401,
        challenge: STEP_UP,
        body: { message: 'login level high required' },
      });
      expect(await call('/citizen/idporten-substantial', substantial)).toMatchObject({ status: 200, body: { level: 'substantial' } });
      expect(await call('/citizen/idporten-substantial', await idportenToken())).toMatchObject({ status: 200, body: { level: 'high' } });
    });

    it("TokenX's Level3/Level4 count as substantial/high", async () => {
      expect(await call('/citizen/tokenx', await tokenxToken())).toMatchObject({
        status: 200,
        body: { pid: PID, client: FRONTEND, level: 'high' },
      });
      const level3 = await tokenxToken({ acr: 'Level3' });
      expect(await call('/citizen/tokenx', level3)).toMatchObject({ status: 401, challenge: STEP_UP });
      expect(await call('/citizen/tokenx-substantial', level3)).toMatchObject({ status: 200, body: { level: 'substantial' } });
    });

    it.each([
      ['an unknown acr', { acr: 'idporten-loa-low' }],
      ['an eIDAS acr ID-porten does not issue', { acr: 'Level5' }],
      ['no acr', { claims: { acr: undefined } }],
    ])('%s is 401 invalid_token, not a step-up', async (_name, options) => {
      const response = await call('/citizen/idporten-substantial', await idportenToken(options));
      expect(response).toMatchObject({
        status: 401,
        challenge: expect.stringMatching(/^Bearer error="invalid_token", error_description="acr /),
      });
    });
  });

  describe('issuers', () => {
    it('an ID-porten token on a TokenX route, and a TokenX token on an ID-porten route, are 401 invalid_token', async () => {
      const invalid = expect.stringMatching(/^Bearer error="invalid_token"/);
      expect(await call('/citizen/tokenx', await idportenToken())).toMatchObject({ status: 401, challenge: invalid });
      expect(await call('/citizen/idporten', await tokenxToken())).toMatchObject({ status: 401, challenge: invalid });
    });

    it('a route trusting both takes each, and says which it got', async () => {
      expect(await call('/citizen/both', await idportenToken())).toMatchObject({ status: 200, body: { issuer: 'idporten', pid: PID } });
      expect(await call('/citizen/both', await tokenxToken())).toMatchObject({ status: 200, body: { issuer: 'tokenx', pid: PID } });
      expect(await call('/citizen/both', await idportenToken({ acr: SUBSTANTIAL }))).toMatchObject({ status: 401, challenge: STEP_UP });
    });

    it.each([
      [
        'an Azure AD user token for this very app (a configured issuer the route does not trust)',
        () => idp.mintAzureUserToken({ audience: API }),
      ],
      ['a Maskinporten token', () => idp.mintMaskinportenToken({ consumerOrg: '889640782', scopes: ['nav:x'] })],
      ['a generic issuer token with a pid', () => idp.mintToken('generic', { aud: idporten.clientId, pid: PID, acr: HIGH })],
      ['a token without iss', () => idp.mintToken('idporten', { iss: undefined, aud: idporten.clientId, pid: PID, acr: HIGH })],
      ['garbage', async () => 'not-a-token'],
    ])('on a route trusting both, %s is 401 invalid_token', async (_name, token) => {
      expect(await call('/citizen/both', await token())).toMatchObject({
        status: 401,
        challenge: expect.stringMatching(/^Bearer error="invalid_token", error_description="[^"]+"$/),
      });
    });

    it("a token claiming TokenX's iss but signed by ID-porten is judged, and refused, by the TokenX validator", async () => {
      const forged = await idp.mintToken('idporten', {
        iss: idp.tokenx.issuer,
        aud: API,
        pid: PID,
        acr: 'Level4',
        client_id: FRONTEND,
        idp: idp.idporten.issuer,
      });
      expect(await call('/citizen/both', forged)).toMatchObject({ status: 401, challenge: expect.stringMatching(/invalid_token/) });
    });

    it('@Pid() is undefined for an Azure AD principal', async () => {
      expect(await call('/employee', await idp.mintAzureUserToken({ audience: API }))).toMatchObject({ status: 200, body: { pid: null } });
    });
  });

  describe('claims', () => {
    it.each([
      ['no pid', () => idportenToken({ claims: { pid: undefined } })],
      ['a pid that is not a personal id', () => idportenToken({ pid: 'Z990000' })],
      ['for another audience', () => idp.mintIdportenToken({ audience: 'someone-else', pid: PID })],
      ['expired', () => idportenToken({ claims: { exp: Math.floor(Date.now() / 1000) - 120 } })],
    ])('an ID-porten token with %s is 401 invalid_token', async (_name, token) => {
      expect(await call('/citizen/idporten', await token())).toMatchObject({
        status: 401,
        challenge: expect.stringMatching(/^Bearer error="invalid_token"/),
      });
    });

    it.each([
      ['no pid', () => tokenxToken({ claims: { pid: undefined } })],
      ['for another app', () => tokenxToken({ audience: 'dev-gcp:team:other-api' })],
      ['no idp', () => tokenxToken({ claims: { idp: undefined } })],
    ])('a TokenX token with %s is 401 invalid_token', async (_name, token) => {
      expect(await call('/citizen/tokenx', await token())).toMatchObject({
        status: 401,
        challenge: expect.stringMatching(/^Bearer error="invalid_token"/),
      });
    });

    it('a TokenX caller outside tokenx.allowedClients, or outside the route @AllowedClients, is 403 insufficient_scope', async () => {
      const forbidden = { status: 403, challenge: 'Bearer error="insufficient_scope", error_description="client_id not allowed"' };
      // Outside the module's list: refused on every TokenX route, including one trusting both issuers.
      const stranger = await tokenxToken({ clientId: STRANGER });
      expect(await call('/citizen/tokenx', stranger)).toMatchObject(forbidden);
      expect(await call('/citizen/both', stranger)).toMatchObject(forbidden);
      // In the module's list, not in the route's: both lists apply.
      const other = await tokenxToken({ clientId: OTHER });
      expect(await call('/citizen/tokenx', other)).toMatchObject({ status: 200, body: { client: OTHER } });
      expect(await call('/citizen/frontend-only', other)).toMatchObject(forbidden);
      expect(await call('/citizen/frontend-only', await tokenxToken())).toMatchObject({ status: 200, body: { client: FRONTEND } });
    });
  });

  describe('TokenXTokenService', () => {
    it.each([
      ['an ID-porten token', () => idportenToken()],
      ['a TokenX token for this app (re-exchange)', () => tokenxToken()],
    ])('exchange(target) exchanges the request’s %s at the local TokenX', async (_name, token) => {
      expect(await call('/citizen/exchange', await token())).toMatchObject({
        status: 200,
        body: { iss: idp.tokenx.issuer, aud: DOWNSTREAM, clientId: API, pid: PID },
      });
    });
  });

  describe('browser navigation', () => {
    const navigate = { 'sec-fetch-mode': 'navigate' };
    /** The login redirect's query, or `undefined` for a 401 without one. */
    const login = (location: string | null) => {
      if (location === null) return undefined;
      const parsed = new URL(location, 'http://app.invalid');
      return { path: parsed.pathname, level: parsed.searchParams.get('level'), redirect: parsed.searchParams.get('redirect') };
    };

    it('a navigation without a token to an ID-porten route gets the login proxy, at the route level, back to the page', async () => {
      const response = await call('/citizen/idporten?tab=2&q=a%20b', undefined, navigate);
      expect(response).toMatchObject({ status: 401, challenge: 'Bearer' });
      expect(login(response.location)).toEqual({ path: '/oauth2/login', level: HIGH, redirect: '/citizen/idporten?tab=2&q=a%20b' });
      const substantial = await call('/citizen/idporten-substantial', undefined, navigate);
      expect(login(substantial.location)).toEqual({ path: '/oauth2/login', level: SUBSTANTIAL, redirect: '/citizen/idporten-substantial' });
      const both = await call('/citizen/both', undefined, navigate);
      expect(login(both.location)).toMatchObject({ level: HIGH, redirect: '/citizen/both' });
    });

    it('an invalid token or too low a level on a navigation is sent to log in too; a 403 is not', async () => {
      const expired = await call('/citizen/idporten', await idportenToken({ claims: { exp: 1 } }), navigate);
      expect([expired.status, login(expired.location)?.level]).toEqual([401, HIGH]);
      const stepUp = await call('/citizen/idporten', await idportenToken({ acr: SUBSTANTIAL }), navigate);
      expect([stepUp.status, stepUp.challenge, login(stepUp.location)?.level]).toEqual([401, STEP_UP, HIGH]);
      const forbidden = await call('/citizen/both', await tokenxToken({ clientId: STRANGER }), navigate);
      expect([forbidden.status, forbidden.location]).toEqual([403, null]);
    });

    it('fetch/XHR (no Sec-Fetch-Mode: navigate) and routes that do not trust ID-porten get the plain 401', async () => {
      expect((await call('/citizen/idporten')).location).toBeNull();
      expect((await call('/citizen/idporten', undefined, { 'sec-fetch-mode': 'cors' })).location).toBeNull();
      expect(await call('/citizen/tokenx', undefined, navigate)).toMatchObject({ status: 401, location: null });
      expect(await call('/employee', undefined, navigate)).toMatchObject({ status: 401, location: null });
    });

    /** A request with this exact request target, as an attacker's link would make the browser send it. */
    const raw = (target: string) => call(target, undefined, navigate);

    it('passes an ordinary page through as the redirect', async () => {
      const response = await raw('/some/page?x=1&next=%2Fother');
      expect([response.status, login(response.location)]).toEqual([
        401,
        { path: '/oauth2/login', level: HIGH, redirect: '/some/page?x=1&next=%2Fother' },
      ]);
    });

    it.each([
      ['a protocol-relative //host', '//evil.example/steal'],
      ['a backslash, which browsers read as a slash', '/\\evil.example/steal'],
      ['an encoded //', '/%2F%2Fevil.example'],
      ['an encoded /\\', '/%5Cevil.example'],
      ['an encoded CR LF (header injection)', '/page%0d%0aSet-Cookie:%20session=evil'],
      ['an encoded tab, which browsers drop', '/%09/evil.example'],
      ['an encoded NUL', '/page%00'],
      ['invalid percent-encoding', '/page?next=%E0%A4%A'],
      ['an absolute-form target', 'http://evil.example/steal'],
    ])('never sends the browser back to %s: the login link has no redirect', async (_name, target) => {
      const response = await raw(target);
      expect(response.status).toBe(401);
      const query = login(response.location);
      expect(query).toEqual({ path: '/oauth2/login', level: HIGH, redirect: null });
      expect(response.location).not.toMatch(/evil|Set-Cookie/i);
    });
  });
});

describe('citizen routes at startup', () => {
  const unconfigured = { secretsDirs: noSecretFiles, defaultIssuer: 'azure' as const };

  it('a TokenX or ID-porten route without its variables fails startup, naming each variable and the route', async () => {
    @Controller('c')
    class Citizen {
      @Get('tokenx')
      @UseIssuer('tokenx')
      viaApp() {}

      @Get('idporten')
      @UseIssuer('idporten')
      direct() {}
    }
    const error = await startupError(moduleOf({ ...unconfigured, env: azureApp.env }, [Citizen]));
    const variables = error.problems.map((p) => p.variable);
    expect(variables).toEqual(
      expect.arrayContaining(['TOKEN_X_CLIENT_ID', 'TOKEN_X_ISSUER', 'TOKEN_X_JWKS_URI', 'IDPORTEN_AUDIENCE', 'IDPORTEN_ISSUER']),
    );
    expect(error.message).toContain('TokenX, trusted by Citizen.viaApp');
    expect(error.message).toContain('ID-porten, trusted by Citizen.direct');
  });

  it('a route trusting both names the variables of the one that is missing; tokenx: false names the option', async () => {
    @Controller('c')
    class Both {
      @Get()
      @UseIssuer('idporten', 'tokenx')
      both() {}
    }
    const missing = await startupError(moduleOf({ ...unconfigured, env: { ...azureApp.env, ...idporten.env } }, [Both]));
    expect(missing.problems.map((p) => p.variable)).toEqual(expect.arrayContaining(['TOKEN_X_CLIENT_ID']));
    expect(missing.problems.some((p) => p.variable.startsWith('IDPORTEN_'))).toBe(false);
    const off = await startupError(moduleOf({ ...unconfigured, env, tokenx: false }, [Both]));
    expect(off.problems).toEqual([{ variable: 'tokenx', reason: expect.stringContaining('is false in the NavAuthModule options') }]);
  });

  it('decorators that make no sense for an issuer the route names fail startup, naming the route', async () => {
    @Controller('x')
    class Misused {
      @Get('a')
      @RequireLoginLevel('substantial')
      azureLevel() {}

      @Get('b')
      @UseIssuer('idporten')
      @AllowedClients(FRONTEND)
      idportenClients() {}

      @Get('c')
      @UseIssuer('idporten', 'tokenx')
      @AllowedClients(FRONTEND)
      bothClients() {}

      @Get('d')
      @UseIssuer('azure', 'tokenx')
      employeeAndCitizen() {}

      @Get('e')
      @UseIssuer('tokenx')
      @RequireScopes('openid')
      citizenScopes() {}

      @Get('f')
      @UseIssuer('idporten')
      @RequireRoles('admin')
      citizenRoles() {}

      @Get('g')
      @UseIssuer('maskinporten', 'idporten')
      @RequireScopes('nav:x')
      partnerAndCitizen() {}
    }
    const error = await startupError(moduleOf({ ...unconfigured, env }, [Misused]));
    const reasons: Record<string, string> = {};
    for (const { variable, reason } of error.problems) reasons[variable] = variable in reasons ? `${reasons[variable]}; ${reason}` : reason;
    expect(reasons).toEqual({
      'Misused.azureLevel': "@RequireLoginLevel is an ID-porten and TokenX requirement, on a route trusting 'azure'",
      'Misused.idportenClients': expect.stringContaining(
        "@AllowedClients is a TokenX requirement (client_id), on a route trusting 'idporten'",
      ),
      'Misused.bothClients': expect.stringContaining(
        "@AllowedClients is a TokenX requirement (client_id), on a route trusting 'idporten', 'tokenx'",
      ),
      'Misused.employeeAndCitizen': expect.stringContaining("@UseIssuer('azure', 'tokenx'): a route may trust several issuers only among"),
      'Misused.citizenScopes': "@RequireScopes is an Azure AD and Maskinporten requirement, on a route trusting 'tokenx'",
      'Misused.citizenRoles': expect.stringContaining('are Azure AD requirements, on a route trusting'),
      'Misused.partnerAndCitizen': expect.stringMatching(/several issuers only among the citizen issuers.*; @RequireScopes is an Azure AD/),
    });
  });

  it('allowed clients no token could match, and different login levels on class and method, fail startup', async () => {
    @UseIssuer('tokenx')
    @AllowedClients(FRONTEND)
    @RequireLoginLevel('substantial')
    @Controller('x')
    class Narrowed {
      @Get('disjoint')
      @AllowedClients(OTHER)
      disjoint() {}

      @Get('outside-module')
      @AllowedClients(FRONTEND, STRANGER)
      outsideModule() {}

      @Get('levels')
      @RequireLoginLevel('high')
      levels() {}
    }
    @Controller('y')
    class Malformed {
      @Get()
      @UseIssuer('tokenx')
      @AllowedClients('frontend')
      malformed() {}

      @Get('none')
      @UseIssuer('tokenx')
      @AllowedClients()
      none() {}
    }
    const error = await startupError(moduleOf({ ...unconfigured, env, tokenx: { allowedClients: [STRANGER] } }, [Narrowed, Malformed]));
    expect(error.problems.map((p) => `${p.variable}: ${p.reason}`)).toEqual([
      'Narrowed.disjoint: the @AllowedClients of controller and method have no client in common',
      'Narrowed.outsideModule: @AllowedClients and tokenx.allowedClients have no client in common: no token could pass',
      'Narrowed.levels: the controller says login level substantial and the method high',
      'Malformed.malformed: @AllowedClients takes client ids as cluster:namespace:app',
      'Malformed.none: @AllowedClients() names no client: nobody could call the route',
    ]);
  });

  it('two citizen issuers configured with one issuer URL cannot share a route', async () => {
    @Controller('c')
    class Both {
      @Get()
      @UseIssuer('idporten', 'tokenx')
      both() {}
    }
    const sameIssuer = { ...env, IDPORTEN_ISSUER: env.TOKEN_X_ISSUER as string, IDPORTEN_WELL_KNOWN_URL: '' };
    const error = await startupError(moduleOf({ ...unconfigured, env: sameIssuer }, [Both]));
    expect(error.problems).toEqual([{ variable: 'Both.both', reason: expect.stringContaining("a token's iss cannot tell them apart") }]);
  });

  it('an empty or malformed tokenx.allowedClients is an ERR_CONFIG at startup, not a 503 on the first request', () => {
    for (const allowedClients of [[], ['frontend'], [FRONTEND, '']]) {
      expect(() => new NavAuthRuntime({ env, secretsDirs: noSecretFiles, tokenx: { allowedClients } }), String(allowedClients)).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG', problems: [expect.objectContaining({ variable: 'tokenx.allowedClients' })] }),
      );
    }
  });

  it('a loginUrl that is not a same-origin path is an ERR_CONFIG', () => {
    for (const loginUrl of ['https://evil.example/login', '//evil.example', '/\\evil', 'oauth2/login', '/oauth2/login?x=1']) {
      expect(() => new NavAuthRuntime({ env, secretsDirs: noSecretFiles, idporten: { loginUrl } }), loginUrl).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG', problems: [expect.objectContaining({ variable: 'idporten.loginUrl' })] }),
      );
    }
  });
});

describe('TokenXTokenService outside a request', () => {
  const extras = (requestContext: boolean) => ({ isGlobal: false, globalGuard: true, requestContext });

  it('exchange(target) without requestContext is an ERR_CONFIG; outside a citizen request an ERR_INVALID_INPUT', async () => {
    const runtime = new NavAuthRuntime({ env, secretsDirs: noSecretFiles });
    await expect(new TokenXTokenService(runtime, extras(false)).exchange(DOWNSTREAM)).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      problems: [{ variable: 'requestContext', reason: expect.stringContaining('or pass the token to exchangeToken') }],
    });
    await expect(new TokenXTokenService(runtime, extras(true)).exchange(DOWNSTREAM)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('exchangeToken(token, target) exchanges at the local TokenX; without a TokenX client it names TOKEN_X_*', async () => {
    const service = new TokenXTokenService(new NavAuthRuntime({ env, secretsDirs: noSecretFiles }), extras(false));
    const { token } = await service.exchangeToken(await idportenToken(), DOWNSTREAM);
    expect(payloadOf(token)).toMatchObject({ aud: DOWNSTREAM, client_id: API, pid: PID });

    const { TOKEN_X_PRIVATE_JWK: _key, ...validationOnly } = env;
    const withoutKey = new TokenXTokenService(new NavAuthRuntime({ env: validationOnly, secretsDirs: noSecretFiles }), extras(false));
    await expect(withoutKey.exchangeToken('x', DOWNSTREAM)).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      problems: [{ variable: 'TOKEN_X_PRIVATE_JWK', reason: expect.any(String) }],
    });
    const unconfigured = new TokenXTokenService(new NavAuthRuntime({ env: azureApp.env, secretsDirs: noSecretFiles }), extras(false));
    await expect(unconfigured.exchangeToken('x', DOWNSTREAM)).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      problems: [expect.objectContaining({ variable: 'TOKEN_X_CLIENT_ID' }), expect.objectContaining({ variable: 'TOKEN_X_PRIVATE_JWK' })],
    });
  });
});

describe('citizen refusals in the log', () => {
  it('name the claim and the reason, never the pid or the token', async () => {
    const lines: string[] = [];
    const capture = (...parts: unknown[]) => lines.push(parts.map(String).join(' '));
    const logger: LoggerService = { log: capture, error: capture, warn: capture, debug: capture, verbose: capture, fatal: capture };
    const { app, url } = await serve(moduleOf(citizenOptions(), [CitizenController, PagesController]), undefined, logger);
    const tokens = [
      await idportenToken({ acr: SUBSTANTIAL }),
      await idportenToken({ claims: { exp: 1 } }),
      await idportenToken({ acr: 'idporten-loa-low' }),
      await idp.mintIdportenToken({ audience: 'someone-else', pid: PID }),
      await tokenxToken({ clientId: STRANGER }),
      await tokenxToken({ clientId: OTHER }),
      await tokenxToken({ audience: 'dev-gcp:team:other-api' }),
      await idp.mintAzureUserToken({ audience: API }),
    ];
    const paths = ['/citizen/idporten', '/citizen/both', '/citizen/frontend-only', '/citizen/tokenx'];
    try {
      for (const token of tokens) {
        for (const path of paths) {
          await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}`, 'sec-fetch-mode': 'navigate' } });
        }
      }
    } finally {
      await app.close();
    }
    const log = lines.join('\n');
    expect(log).toMatch(/token refused: acr insufficient/);
    expect(log).toMatch(/token refused: client_id not allowed/);
    expect(log).toMatch(/token refused: iss not trusted by this route/);
    expect(log).not.toContain(PID);
    for (const token of tokens) {
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.split('.')[1] as string);
    }
  });
});
