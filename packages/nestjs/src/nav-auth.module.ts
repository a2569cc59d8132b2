import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { NavAuthGuard } from './nav-auth.guard.js';
import { ConfigurableModuleClass, NAV_AUTH_OPTIONS, type OPTIONS_TYPE } from './nav-auth.module-definition.js';
import type { NavAuthModuleOptions } from './nav-auth.options.js';
import { NavAuthRuntime } from './nav-auth.runtime.js';
import { NavAuthStartupCheck } from './startup-check.js';
import { AzureTokenService, MaskinportenTokenService, TokenXTokenService } from './token-services.js';
import { NAV_AUTH_CONFIG_SOURCE, NAV_AUTH_RUNTIME } from './tokens.js';

type ConfigSource = Pick<NavAuthModuleOptions, 'env' | 'secretsDirs'>;

const providers: Provider[] = [
  {
    provide: NAV_AUTH_CONFIG_SOURCE,
    inject: [NAV_AUTH_OPTIONS],
    useFactory: ({ env, secretsDirs }: NavAuthModuleOptions = {}): ConfigSource => ({
      ...(env === undefined ? {} : { env }),
      ...(secretsDirs === undefined ? {} : { secretsDirs }),
    }),
  },
  {
    provide: NAV_AUTH_RUNTIME,
    inject: [NAV_AUTH_OPTIONS, NAV_AUTH_CONFIG_SOURCE],
    useFactory: (options: NavAuthModuleOptions | undefined, source: ConfigSource) => {
      const { env: _env, secretsDirs: _secretsDirs, ...rest } = options ?? {};
      return new NavAuthRuntime({ ...rest, ...source });
    },
  },
  NavAuthGuard,
  NavAuthStartupCheck,
  MaskinportenTokenService,
  AzureTokenService,
  TokenXTokenService,
];

/**
 * Maskinporten, Azure AD, Altinn system-user, ID-porten and TokenX auth for NestJS. `NavAuthModule.forRoot()`
 * reads the NAIS environment; `forRootAsync({ imports, inject, useFactory })` takes options
 * from your config module. Every route needs a valid token unless `@Public()` (the guard is
 * global unless `globalGuard: false`), and startup fails on a route that could be served
 * unchecked or could never authorize anyone. Extras: `isGlobal`, `globalGuard` and
 * `requestContext` (for `AzureTokenService.onBehalfOf(target)` and `TokenXTokenService.exchange(target)`
 * without passing the token).
 *
 * @property forRootAsync - The module with options from your config module (`useFactory` with `imports` and `inject`, or `useClass`/`useExisting`), with the same extras as `forRoot`.
 *
 * @example
 * ```ts
 * @Module({ imports: [NavAuthModule.forRoot({ defaultIssuer: 'azure', isGlobal: true })] })
 * export class AppModule {}
 *
 * @Controller('api')
 * export class ApiController {
 *   @Get('me') @RequireScopes('defaultaccess') me(@NavIdent() navIdent: string) { return { navIdent }; }
 *   @Get('health') @Public() health() { return 'ok'; }
 * }
 * ```
 */
export class NavAuthModule extends ConfigurableModuleClass {
  /** The module with options read from the NAIS environment where not given; `forRoot()` alone works. */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: the builder's forRoot makes the module of `this`, so it must be called on NavAuthModule.
    return super.forRoot(options);
  }
}
// Applied by a call, not as `@Module`, so that the class keeps its name (see injectable.ts).
Module({
  imports: [DiscoveryModule],
  providers,
  exports: [NAV_AUTH_RUNTIME, NavAuthGuard, MaskinportenTokenService, AzureTokenService, TokenXTokenService],
})(NavAuthModule);
