// The mistakes NavAuthModule stops, each over real HTTP (Express and Fastify) or at a real
// Nest startup: inherited handlers, class/method combinations, a forgotten guard, missing
// configuration, and the errors a new user meets.
import 'reflect-metadata';
import { isNavAuthError } from '@nav-auth/core';
import { type LocalIdp, type RegisteredAzureApp, startLocalIdp } from '@nav-auth/testing';
import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppTokenOnly,
  AuthClaims,
  AzureTokenService,
  NavAuthGuard,
  NavAuthModule,
  type NavAuthModuleExtras,
  type NavAuthModuleOptions,
  NavAuthRuntime,
  NavIdent,
  Public,
  RequireGroups,
  RequireRoles,
  RequireScopes,
  RequireSystemUserAccess,
  UseIssuer,
  UserTokenOnly,
} from '../src/index.js';
import { serve, startupError } from './support/serve.js';

let idp: LocalIdp;
let api: RegisteredAzureApp;
let baseOptions: NavAuthModuleOptions;
beforeAll(async () => {
  idp = await startLocalIdp();
  api = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
  baseOptions = { env: api.env, secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' } };
});
afterAll(() => idp.close());

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

const status = async (url: string, token?: string) =>
  (await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })).status;

// A base controller whose one handler is inherited, unchanged, by controllers with different requirements.
class BaseController {
  data() {
    return { secret: true };
  }
}
Get('data')(BaseController.prototype, 'data', Object.getOwnPropertyDescriptor(BaseController.prototype, 'data') as PropertyDescriptor);

const requirementDecorators = [
  ['@RequireRoles', RequireRoles('admin')],
  ['@RequireScopes', RequireScopes('admin')],
  ['@RequireGroups', RequireGroups('g-admins')],
  ['@AppTokenOnly', AppTokenOnly()],
  ['@UserTokenOnly', UserTokenOnly()],
] as const;

describe.each(platforms)('on %s, an inherited handler is judged by the controller that serves it', (_platform, adapter) => {
  describe.each(requirementDecorators)('%s on the subclass', (_name, decorator) => {
    it.each([
      ['public first', ['/pub/data', '/adm/data']],
      ['guarded first', ['/adm/data', '/pub/data']],
    ])('%s: /adm/data never answers without a token; /pub/data always does', async (_order, paths) => {
      class PubController extends BaseController {}
      Public()(PubController);
      Controller('pub')(PubController);
      class AdminController extends BaseController {}
      decorator(AdminController);
      Controller('adm')(AdminController);
      const { app, url } = await serve(moduleOf({ ...baseOptions, defaultIssuer: 'azure' }, [PubController, AdminController]), adapter());
      try {
        for (const path of paths) expect(await status(`${url}${path}`)).toBe(path === '/pub/data' ? 200 : 401);
        for (const path of paths) expect(await status(`${url}${path}`)).toBe(path === '/pub/data' ? 200 : 401);
        // A token that passes none of the admin requirements but is otherwise valid: refused.
        const token =
          decorator === requirementDecorators[4][1]
            ? await idp.mintAzureAppToken({ caller: api.name, audience: api.name })
            : await idp.mintAzureUserToken({ audience: api.name, scopes: ['defaultaccess'] });
        expect(await status(`${url}/adm/data`, token)).toBe(403);
      } finally {
        await app.close();
      }
    });
  });
});

describe('class and method requirements', () => {
  it.each(platforms)('on %s, a method requirement beats a class @Public(); class and method roles add up', async (platform, adapter) => {
    @Public()
    @Controller('open')
    class OpenController {
      @Get('admin')
      @RequireRoles('admin')
      admin() {
        return { admin: true };
      }

      @Get('free')
      free() {
        return 'free';
      }
    }
    @RequireRoles('read')
    @Controller('both')
    class BothController {
      @Get()
      @RequireRoles('write')
      both() {
        return 'both';
      }
    }
    const { app, url } = await serve(moduleOf({ ...baseOptions, defaultIssuer: 'azure' }, [OpenController, BothController]), adapter());
    try {
      expect(await status(`${url}/open/free`)).toBe(200);
      expect(await status(`${url}/open/admin`)).toBe(401);
      const caller = await idp.registerAzureApp({ name: `dev-gcp:team:reader-${platform.toLowerCase()}`, roles: { [api.name]: ['read'] } });
      const readOnly = await idp.mintAzureAppToken({ caller: caller.name, audience: api.name });
      expect(await status(`${url}/open/admin`, readOnly)).toBe(403);
      expect(await status(`${url}/both`, readOnly)).toBe(403);
      const writer = await idp.registerAzureApp({
        name: `dev-gcp:team:writer-${platform.toLowerCase()}`,
        roles: { [api.name]: ['read', 'write'] },
      });
      expect(await status(`${url}/both`, await idp.mintAzureAppToken({ caller: writer.name, audience: api.name }))).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('@Public() next to a requirement on the same method or class fails startup, naming the route', async () => {
    @Controller('x')
    class SameMethod {
      @Get()
      @Public()
      @RequireRoles('admin')
      both() {}
    }
    @Public()
    @RequireScopes('x')
    @Controller('y')
    class SameClass {
      @Get()
      plain() {}
    }
    const error = await startupError(moduleOf({ ...baseOptions, defaultIssuer: 'azure' }, [SameMethod, SameClass]));
    expect(error.problems.map((p) => p.variable)).toEqual(['SameMethod.both', 'SameClass.plain']);
    expect(error.message).toContain('is @Public() and also requires a token');
  });

  it('different issuers on class and method, or Azure requirements on a Maskinporten route, fail startup', async () => {
    @UseIssuer('azure')
    @Controller('x')
    class Mixed {
      @Get()
      @RequireScopes('nav:arbeid:read')
      @UseIssuer('maskinporten')
      mixed() {}

      @Get('roles')
      @UseIssuer('maskinporten')
      @RequireScopes('nav:arbeid:read')
      @RequireRoles('admin')
      roles() {}
    }
    const error = await startupError(moduleOf({ ...baseOptions, defaultIssuer: 'azure' }, [Mixed]));
    expect(error.message).toContain('Mixed.mixed the controller says issuer azure and the method maskinporten');
    expect(error.message).toContain('Mixed.roles @RequireRoles');
  });
});

describe('a forgotten guard', () => {
  @Controller('batch')
  class BatchController {
    @Get('run')
    @RequireRoles('batch.run')
    run(@NavIdent() navIdent: string | undefined) {
      return { navIdent: navIdent ?? null };
    }
  }

  it.each(platforms)(
    'on %s, the guard is global by default: forRoot({}) refuses a decorated route without a token',
    async (_p, adapter) => {
      const { app, url } = await serve(moduleOf({ ...baseOptions, defaultIssuer: 'azure' }, [BatchController]), adapter());
      try {
        expect(await status(`${url}/batch/run`)).toBe(401);
      } finally {
        await app.close();
      }
    },
  );

  it('opting out of the global guard with decorated routes left unguarded fails startup, naming them', async () => {
    const error = await startupError(moduleOf({ ...baseOptions, defaultIssuer: 'azure', globalGuard: false }, [BatchController]));
    expect(error.problems).toEqual([{ variable: 'BatchController.run', reason: expect.stringContaining('no NavAuthGuard guards it') }]);
  });

  it.each(platforms)('on %s, opted out and guarded with @UseGuards (or a subclass), the routes are checked', async (_p, adapter) => {
    class TeamGuard extends NavAuthGuard {}
    @UseGuards(TeamGuard)
    @Controller('batch')
    class Guarded {
      @Get('run')
      @RequireRoles('batch.run')
      run() {
        return 'ran';
      }
    }
    const { app, url } = await serve(moduleOf({ ...baseOptions, defaultIssuer: 'azure', globalGuard: false }, [Guarded]), adapter());
    try {
      expect(await status(`${url}/batch/run`)).toBe(401);
    } finally {
      await app.close();
    }
  });

  it.each(platforms)(
    'on %s, a parameter decorator on a request no guard checked fails the request, never undefined',
    async (_p, adapter) => {
      @Controller('who')
      class WhoController {
        @Get()
        who(@NavIdent() navIdent: string | undefined) {
          return { navIdent: navIdent ?? 'anonymous' };
        }

        @Get('open')
        @Public()
        open(@AuthClaims() claims: unknown) {
          return { claims: claims ?? 'none' };
        }
      }
      const { app, url } = await serve(
        moduleOf({ ...baseOptions, defaultIssuer: 'azure', globalGuard: false }, [WhoController]),
        adapter(),
      );
      try {
        expect(await status(`${url}/who`)).toBe(500);
        expect(await status(`${url}/who/open`)).toBe(500);
      } finally {
        await app.close();
      }
    },
  );
});

describe('configuration fails at startup', () => {
  @Controller('pub')
  class OnlyPublic {
    @Get()
    @Public()
    health() {
      return 'ok';
    }
  }

  it.each(platforms)('on %s, NavAuthModule.forRoot() takes no argument (and undefined, from JavaScript)', async (_p, adapter) => {
    class AppModule {}
    Module({ imports: [NavAuthModule.forRoot()], controllers: [OnlyPublic] })(AppModule);
    const { app, url } = await serve(AppModule, adapter());
    try {
      expect(await status(`${url}/pub`)).toBe(200);
    } finally {
      await app.close();
    }
    const fromJavaScript = NavAuthModule as unknown as { forRoot(options?: unknown): ReturnType<typeof NavAuthModule.forRoot> };
    expect(fromJavaScript.forRoot(undefined).module).toBe(NavAuthModule);
  });

  @Controller('internal')
  class Internal {
    @Get()
    @RequireScopes('defaultaccess')
    me() {}
  }
  @UseIssuer('maskinporten')
  @Controller('external')
  class External {
    @Get()
    @RequireScopes('nav:arbeid:read')
    read() {}
  }

  it('with no AZURE_* and no MASKINPORTEN_*, startup lists every missing variable of each trusted issuer, by name', async () => {
    const env = { AZURE_APP_CLIENT_SECRET: 'do-not-print-me' };
    const error = await startupError(
      moduleOf({ env, secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' }, defaultIssuer: 'azure' }, [Internal, External]),
    );
    const variables = error.problems.map((p) => p.variable);
    expect(variables).toEqual(expect.arrayContaining(['AZURE_APP_CLIENT_ID', 'MASKINPORTEN_ISSUER']));
    expect(error.message).toContain('trusted by Internal.me');
    expect(error.message).toContain('trusted by External.read');
    expect(error.message).not.toContain('do-not-print-me');
  });

  it('with only Maskinporten configured, Azure routes stay Azure routes and the error names the AZURE_* variables', async () => {
    const consumer = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['x:y'] });
    const error = await startupError(
      moduleOf({ env: consumer.env, secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' }, defaultIssuer: 'azure' }, [
        Internal,
        External,
      ]),
    );
    expect(error.problems.every((p) => p.variable.startsWith('AZURE_'))).toBe(true);
    expect(error.problems.length).toBeGreaterThan(0);
  });

  it('a guarded route that names no issuer, with no defaultIssuer, fails startup', async () => {
    const error = await startupError(moduleOf(baseOptions, [Internal]));
    expect(error.problems).toEqual([{ variable: 'Internal.me', reason: expect.stringContaining('names no issuer') }]);
  });

  it('a Maskinporten route without @RequireScopes, or a system-user route without the PDP, fails startup', async () => {
    const consumer = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['x:y'] });
    @UseIssuer('maskinporten')
    @Controller('m')
    class Unscoped {
      @Get()
      unscoped() {}

      @Get('su')
      @RequireScopes('nav:arbeid:read')
      @RequireSystemUserAccess({ resource: 'r', action: 'read' })
      su() {}
    }
    const error = await startupError(moduleOf({ ...baseOptions, env: { ...api.env, ...consumer.env } }, [Unscoped]));
    expect(error.problems.map((p) => `${p.variable}: ${p.reason}`)).toEqual([
      'Unscoped.unscoped: a Maskinporten route needs @RequireScopes(...)',
      'Unscoped.su: @RequireSystemUserAccess needs the module option pdp',
    ]);
  });

  it('the PDP without a Maskinporten client is an ERR_CONFIG naming the variables', () => {
    let thrown: unknown;
    try {
      new NavAuthRuntime({ ...baseOptions, pdp: { environment: 'test', subscriptionKey: 'k' } });
    } catch (error) {
      thrown = error;
    }
    expect(isNavAuthError(thrown, 'ERR_CONFIG') && thrown.problems.map((p) => p.variable)).toContain('MASKINPORTEN_CLIENT_ID');
  });
});

describe('at home in Nest', () => {
  it.each(platforms)('on %s, requestUser: true also sets request.user', async (_p, adapter) => {
    @Controller('me')
    class Me {
      @Get()
      @UserTokenOnly()
      me(@Req() request: { user?: { issuer: string; claims: { kind: string } } }) {
        return { issuer: request.user?.issuer, kind: request.user?.claims.kind };
      }
    }
    const { app, url } = await serve(moduleOf({ ...baseOptions, defaultIssuer: 'azure', requestUser: true }, [Me]), adapter());
    try {
      const token = await idp.mintAzureUserToken({ audience: api.name });
      const response = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(await response.json()).toEqual({ issuer: 'azure', kind: 'user' });
    } finally {
      await app.close();
    }
  });

  it('onBehalfOf(target) without requestContext is an ERR_CONFIG, not a TypeError', async () => {
    const service = new AzureTokenService(new NavAuthRuntime({ ...baseOptions, defaultIssuer: 'azure' }), {
      isGlobal: false,
      globalGuard: true,
      requestContext: false,
    });
    await expect(service.onBehalfOf('dev-gcp:team:downstream')).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  });

  it('class names are the real ones', () => {
    expect([NavAuthModule.name, NavAuthGuard.name, AzureTokenService.name]).toEqual(['NavAuthModule', 'NavAuthGuard', 'AzureTokenService']);
  });
});
