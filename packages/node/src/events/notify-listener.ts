/**
 * Calls an optional event listener and ignores anything it throws: reporting (metrics,
 * logs) must never change the outcome of the operation it reports on.
 *
 * @internal Not part of the public API: for `@nav-auth` packages only; may change in any release.
 */
export function notifyListener<E>(listener: ((event: E) => void) | undefined, event: E): void {
  try {
    listener?.(event);
  } catch {
    // Deliberately ignored; see above.
  }
}
