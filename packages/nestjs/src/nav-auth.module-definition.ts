import { ConfigurableModuleBuilder } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { NavAuthGuard } from './nav-auth.guard.js';
import type { NavAuthModuleOptions } from './nav-auth.options.js';
import { NavAuthContextInterceptor } from './request-context.js';

/**
 * The module's configurable base: `forRoot`, `forRootAsync`, and three extras: `isGlobal`
 * (services injectable everywhere), `globalGuard` (the guard as `APP_GUARD`, so every route
 * needs a valid token unless `@Public()`) and `requestContext` (the caller's principal in an
 * AsyncLocalStorage, for `AzureTokenService.onBehalfOf(target)`).
 */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: NAV_AUTH_OPTIONS } = new ConfigurableModuleBuilder<NavAuthModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false, globalGuard: false, requestContext: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [
      ...(definition.providers ?? []),
      ...(extras.globalGuard ? [{ provide: APP_GUARD, useExisting: NavAuthGuard }] : []),
      ...(extras.requestContext ? [{ provide: APP_INTERCEPTOR, useClass: NavAuthContextInterceptor }] : []),
    ],
  }))
  .build();
