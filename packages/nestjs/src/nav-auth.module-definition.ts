import { ConfigurableModuleBuilder } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { NavAuthGuard } from './nav-auth.guard.js';
import type { NavAuthModuleOptions } from './nav-auth.options.js';

/**
 * The module's configurable base: `forRoot`, `forRootAsync`, and two extras: `isGlobal`
 * (services injectable everywhere) and `globalGuard` (the guard as `APP_GUARD`, so every
 * route needs a valid token unless `@Public()`).
 */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: NAV_AUTH_OPTIONS } = new ConfigurableModuleBuilder<NavAuthModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false, globalGuard: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [...(definition.providers ?? []), ...(extras.globalGuard ? [{ provide: APP_GUARD, useExisting: NavAuthGuard }] : [])],
  }))
  .build();
