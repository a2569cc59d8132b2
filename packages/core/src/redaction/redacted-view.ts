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
/**
 * C0 and C1 controls, DEL, the line and paragraph separators U+2028/U+2029, and the bidi
 * embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make a log line
 * read other than it is.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What {@link sanitizeServerText} removes besides token-shaped text. */
export interface SanitizeOptions {
  /** Secrets the caller holds, in every form it sent them; each is cut out wherever it appears. */
  readonly secrets?: readonly string[];
  /** Longest text kept (default 200 characters). */
  readonly maxLength?: number;
}

/**
 * Makes untrusted server text safe to put in an error message, an event or a log: no secret
 * of the caller's, no token-shaped runs, no control or bidi characters, capped length.
 */
export function sanitizeServerText(text: string, options: SanitizeOptions = {}): string {
  let cleaned = text;
  // Longest first, so a secret inside a longer form of itself cannot leave the rest behind.
  const secrets = [...(options.secrets ?? [])].filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
  for (const secret of secrets) cleaned = cleaned.replaceAll(secret, REDACTED);
  cleaned = cleaned.replace(tokenShaped, REDACTED).replace(unsafeCharacters, ' ');
  const maxLength = options.maxLength ?? 200;
  return cleaned.length > maxLength ? `${cleaned.slice(0, maxLength)}…` : cleaned;
}
