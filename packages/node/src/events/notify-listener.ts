/**
 * Calls an optional event listener and ignores anything it throws: reporting (metrics,
 * logs) must never change the outcome of the operation it reports on.
 */
export function notifyListener<E>(listener: ((event: E) => void) | undefined, event: E): void {
  try {
    listener?.(event);
  } catch {
    // Deliberately ignored; see above.
  }
}
