import { Inject, Injectable, type InjectionToken } from '@nestjs/common';

/**
 * `@Injectable()` with `@Inject(token)` for each constructor parameter, applied by a call. The
 * decorator syntax compiles to `let X = class X {}`, which the bundler renames to `X$1`: the
 * name Nest would then print in its logs and DI errors, and V8 in stack traces.
 */
// biome-ignore lint/suspicious/noExplicitAny: any constructor; Nest's own decorators take the same.
export function injectable(target: abstract new (...args: any[]) => unknown, ...tokens: readonly InjectionToken[]): void {
  Injectable()(target);
  for (const [index, token] of tokens.entries()) Inject(token)(target, undefined, index);
}
