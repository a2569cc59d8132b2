import { createHash } from 'node:crypto';

/** Claims that identify a person or a token; none may reach a log, span or metric. */
const IDENTIFYING_CLAIMS = ['sub', 'oid', 'pid', 'NAVident', 'jti', 'sid'] as const;

/** The claims of `jwt`, or `undefined` when it is no JWT. */
function claimsOf(jwt: string): Record<string, unknown> | undefined {
  try {
    const claims: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every form in which `secrets` could leak: each whole, a JWT by segment and by its identifying
 * claims (`sub`, `oid`, `pid`, `NAVident`, `jti`, `sid`), and the SHA-256 of each in hex,
 * base64url and base64 (what a cache key or a careless log might hold). Forms shorter than 6
 * characters are left out: they would match by chance.
 */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    forms.add(secret);
    const claims = secret.startsWith('eyJ') ? claimsOf(secret) : undefined;
    if (claims !== undefined) {
      for (const segment of secret.split('.')) forms.add(segment);
      for (const claim of IDENTIFYING_CLAIMS) if (typeof claims[claim] === 'string') forms.add(claims[claim]);
    }
    const sha256 = createHash('sha256').update(secret).digest();
    for (const encoding of ['hex', 'base64url', 'base64'] as const) forms.add(sha256.toString(encoding));
  }
  return [...forms].filter((form) => form.length >= 6);
}

/** The forms of `secrets` (see {@link secretForms}) that `exported` contains: a test expects none. */
export function leakedSecrets(exported: string, secrets: readonly string[]): string[] {
  return secretForms(secrets).filter((form) => exported.includes(form));
}
