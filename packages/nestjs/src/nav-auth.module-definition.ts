import { ConfigurableModuleBuilder } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { NavAuthGuard } from './nav-auth.guard.js';
import type { NavAuthModuleOptions } from './nav-auth.options.js';
import { NavAuthContextInterceptor } from './request-context.js';
import { NAV_AUTH_EXTRAS, type NavAuthModuleExtras } from './tokens.js';

const defaultExtras: NavAuthModuleExtras = { isGlobal: false, globalGuard: true, requestContext: false };

/**
 * The module's configurable base: `forRoot`, `forRootAsync`, and the extras of
 * {@link NavAuthModuleExtras}. The guard is global unless `globalGuard: false`: deny by default.
 */
export const {
  ConfigurableModuleClass,
  /** Injection token of the {@link NavAuthModuleOptions} the module was given. */
  MODULE_OPTIONS_TOKEN: NAV_AUTH_OPTIONS,
  OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<NavAuthModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<Partial<NavAuthModuleExtras>>(defaultExtras, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
    providers: [
      ...(definition.providers ?? []),
      { provide: NAV_AUTH_EXTRAS, useValue: { ...defaultExtras, ...extras } },
      ...(extras.globalGuard === false ? [] : [{ provide: APP_GUARD, useExisting: NavAuthGuard }]),
      ...(extras.requestContext === true ? [{ provide: APP_INTERCEPTOR, useClass: NavAuthContextInterceptor }] : []),
    ],
  }))
  .build();
