import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { principalOf } from './decorators.js';
import { injectable } from './injectable.js';
import type { NavAuthPrincipal } from './nav-auth.runtime.js';

/** The principal of the request being handled, when the module's `requestContext` extra is on. */
export const requestPrincipal = new AsyncLocalStorage<NavAuthPrincipal>();

/**
 * Runs each guarded handler inside an async context holding its principal, so that
 * `AzureTokenService.onBehalfOf(target)` and `TokenXTokenService.exchange(target)` find the
 * caller's token without it being passed around. Installed only with `requestContext: true`:
 * on Node 20, AsyncLocalStorage turns on promise hooks for the whole process, which cost
 * about 5 % of a guarded route's throughput in `pnpm bench`. An interceptor rather than a middleware, because on Fastify the handler
 * does not run inside a middleware's async context.
 */
export class NavAuthContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = principalOf(context);
    if (principal === undefined) return next.handle();
    return new Observable((subscriber) => requestPrincipal.run(principal, () => next.handle().subscribe(subscriber)));
  }
}
injectable(NavAuthContextInterceptor);
