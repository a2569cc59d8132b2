const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/**
 * Gives an object holding a secret a safe face for `JSON.stringify`, `console.log` and
 * `util.inspect`: they show `view` instead. The secret stays readable as a property.
 */
export function withRedactedView<T extends object>(target: T, view: Record<string, unknown>): T {
  const safe = () => view;
  Object.defineProperty(target, 'toJSON', { value: safe, enumerable: false });
  Object.defineProperty(target, inspectCustom, { value: safe, enumerable: false });
  Object.defineProperty(target, 'toString', { value: () => JSON.stringify(view), enumerable: false });
  return target;
}

/** Placeholder shown where a secret was. */
export const REDACTED = '[redacted]';

const tokenShaped = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
const controlCharacters = /[\u0000-\u001f\u007f]/g;

/** Makes untrusted server text safe to put in an error message: no token-shaped runs, no control characters, capped length. */
export function sanitizeServerText(text: string, maxLength = 200): string {
  const cleaned = text.replace(tokenShaped, REDACTED).replace(controlCharacters, ' ');
  return cleaned.length > maxLength ? `${cleaned.slice(0, maxLength)}…` : cleaned;
}
