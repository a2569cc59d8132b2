import { Module, type Provider } from '@nestjs/common';
import { NavAuthGuard } from './nav-auth.guard.js';
import { ConfigurableModuleClass, NAV_AUTH_OPTIONS } from './nav-auth.module-definition.js';
import type { NavAuthModuleOptions } from './nav-auth.options.js';
import { NavAuthRuntime } from './nav-auth.runtime.js';
import { AzureTokenService, MaskinportenTokenService } from './token-services.js';
import { NAV_AUTH_RUNTIME } from './tokens.js';

const providers: Provider[] = [
  {
    provide: NAV_AUTH_RUNTIME,
    inject: [NAV_AUTH_OPTIONS],
    useFactory: (options: NavAuthModuleOptions | undefined) => new NavAuthRuntime(options ?? {}),
  },
  NavAuthGuard,
  MaskinportenTokenService,
  AzureTokenService,
];

/**
 * Maskinporten, Azure AD and Altinn system-user auth for NestJS. `NavAuthModule.forRoot()`
 * reads the NAIS environment; `forRootAsync({ imports, inject, useFactory })` takes options
 * from your config module. Extras: `isGlobal`, `globalGuard` (deny by default) and
 * `requestContext` (for `AzureTokenService.onBehalfOf(target)` without passing the token).
 *
 * @example
 * ```ts
 * @Module({ imports: [NavAuthModule.forRoot({ globalGuard: true, isGlobal: true })] })
 * export class AppModule {}
 *
 * @Controller('api')
 * export class ApiController {
 *   @Get('me') @RequireScopes('defaultaccess') me(@NavIdent() navIdent: string) { return { navIdent }; }
 *   @Get('health') @Public() health() { return 'ok'; }
 * }
 * ```
 */
@Module({ providers, exports: [NAV_AUTH_RUNTIME, NavAuthGuard, MaskinportenTokenService, AzureTokenService] })
export class NavAuthModule extends ConfigurableModuleClass {}
