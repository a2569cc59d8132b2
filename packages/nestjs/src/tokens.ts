/** Injection token of the module's runtime (validators, clients, PDP). */
export const NAV_AUTH_RUNTIME = Symbol.for('@nav-auth/nestjs/runtime');
