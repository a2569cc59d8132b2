import { AsyncLocalStorage } from 'node:async_hooks';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { principalOf } from './decorators.js';
import type { NavAuthPrincipal } from './nav-auth.runtime.js';

/** The principal of the request being handled, for services that act on the caller's behalf. */
export const requestPrincipal = new AsyncLocalStorage<NavAuthPrincipal>();

/**
 * Runs each guarded handler inside an async context holding its principal, so that
 * `AzureTokenService.onBehalfOf(target)` finds the caller's token without it being passed
 * around, and without request-scoped providers.
 */
@Injectable()
export class NavAuthContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.getType() === 'http' ? principalOf(context) : undefined;
    if (principal === undefined) return next.handle();
    return new Observable((subscriber) => requestPrincipal.run(principal, () => next.handle().subscribe(subscriber)));
  }
}
