/** Injection token of the module's runtime (validators, clients, PDP). */
export const NAV_AUTH_RUNTIME = Symbol.for('@nav-auth/nestjs/runtime');

/**
 * Injection token of where the module reads its configuration: `env` and `secretsDirs` of the
 * module options by default. Tests point an app's own module at a local identity provider by
 * overriding it (`@nav-auth/nestjs/testing` does), without touching the app's options.
 */
export const NAV_AUTH_CONFIG_SOURCE = Symbol.for('@nav-auth/nestjs/config-source');

/** Injection token of the module's extras, as `forRoot` or `forRootAsync` received them. */
export const NAV_AUTH_EXTRAS = Symbol.for('@nav-auth/nestjs/extras');

/** Options of `forRoot`/`forRootAsync` that shape the module rather than configure the providers. */
export interface NavAuthModuleExtras {
  /** Make the module's services injectable everywhere (default `false`). */
  readonly isGlobal: boolean;
  /**
   * Install `NavAuthGuard` as `APP_GUARD`: every route needs a valid token unless `@Public()`
   * (default `true`). With `false`, startup fails if any route carrying a nav-auth decorator
   * is not under `@UseGuards(NavAuthGuard)` or an `APP_GUARD` of yours.
   */
  readonly globalGuard: boolean;
  /**
   * Keep the caller's principal in an AsyncLocalStorage, for `AzureTokenService.onBehalfOf(target)`
   * and `TokenXTokenService.exchange(target)` (default `false`).
   */
  readonly requestContext: boolean;
}
