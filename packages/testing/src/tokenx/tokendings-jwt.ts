import { compactVerify, importJWK } from 'jose';
import type { JWK } from '../keys/jwk.js';
import { readUnverifiedJwt, type UnverifiedJwt } from '../keys/unverified-jwt.js';

/**
 * Nimbus's default clock skew, which tokendings keeps (`DefaultJWTClaimsVerifier`): 60 s for
 * `exp` and `nbf`, and for the client assertion's `iat` (`ClientAssertionJwtClaimsVerifier`).
 */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** A JWT tokendings refuses; the message is the one nimbus gives, which tokendings puts in `error_description`. */
export class JwtRejected extends Error {}

/** What a verified JWT must hold. */
export interface TokendingsJwtRules {
  /** Claims that must be present (nimbus `requiredClaims`). */
  readonly required: readonly string[];
  /** Claims that must have exactly this value (nimbus `exactMatchClaims`). */
  readonly exact: Readonly<Record<string, string>>;
  readonly nowSeconds: number;
}

/**
 * Reads a compact JWS as tokendings' `SignedJWT.parse` does: `undefined` for anything else, an
 * unsecured (`alg: none`) JWT or a JWE among them ("invalid request, cannot parse token").
 */
export function parseSignedJwt(token: string): UnverifiedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[2] === '') return undefined;
  const read = readUnverifiedJwt(token);
  if (read === undefined || typeof read.header.alg !== 'string' || read.header.alg === 'none') return undefined;
  return read;
}

const claimsOf = (payload: Uint8Array): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new JwtRejected('Payload of JWS object is not a valid JSON object');
  }
  return parsed as Record<string, unknown>;
};

/**
 * Verifies a JWT the way tokendings does, in nimbus's order and with nimbus's messages: `typ`
 * "JWT" or none (`DefaultJOSEObjectTypeVerifier.JWT`, so never `at+jwt`); an RS256 key from
 * `jwks` picked as `JWSVerificationKeySelector` does (the header's `kid` when it has one, an RSA
 * key for signing); the signature; then the required and exactly matched claims, `exp` and
 * `nbf` within {@link MAX_CLOCK_SKEW_SECONDS}. Throws {@link JwtRejected}.
 */
export async function verifyTokendingsJwt(
  token: string,
  header: UnverifiedJwt['header'],
  jwks: readonly JWK[],
  rules: TokendingsJwtRules,
): Promise<Record<string, unknown>> {
  if (header.typ !== undefined && String(header.typ).toLowerCase() !== 'jwt') {
    throw new JwtRejected(`JOSE header typ (type) ${String(header.typ)} not allowed`);
  }
  const candidates =
    header.alg !== 'RS256'
      ? []
      : jwks.filter(
          (key) =>
            key.kty === 'RSA' &&
            (header.kid === undefined || key.kid === header.kid) &&
            (key.alg === undefined || key.alg === 'RS256') &&
            (key.use === undefined || key.use === 'sig'),
        );
  if (candidates.length === 0) throw new JwtRejected('Signed JWT rejected: Another algorithm expected, or no matching key(s) found');
  let payload: Uint8Array | undefined;
  for (const key of candidates) {
    try {
      payload = (await compactVerify(token, await importJWK(key, 'RS256'), { algorithms: ['RS256'] })).payload;
      break;
    } catch {
      // the next candidate, as nimbus tries every matching key
    }
  }
  if (payload === undefined) throw new JwtRejected('Signed JWT rejected: Invalid signature');
  const claims = claimsOf(payload);

  for (const name of ['exp', 'nbf', 'iat']) {
    if (claims[name] !== undefined && typeof claims[name] !== 'number') {
      throw new JwtRejected(`Unexpected type of JSON object member with key ${name}`);
    }
  }
  const missing = rules.required.filter((name) => claims[name] === undefined || claims[name] === null).sort();
  if (missing.length > 0) throw new JwtRejected(`JWT missing required claims: [${missing.join(', ')}]`);
  for (const [name, expected] of Object.entries(rules.exact)) {
    if (claims[name] !== expected) throw new JwtRejected(`JWT ${name} claim has value ${String(claims[name])}, must be ${expected}`);
  }
  const { exp, nbf } = claims as { exp?: number; nbf?: number };
  if (exp !== undefined && !(exp > rules.nowSeconds - MAX_CLOCK_SKEW_SECONDS)) throw new JwtRejected('Expired JWT');
  if (nbf !== undefined && !(nbf < rules.nowSeconds + MAX_CLOCK_SKEW_SECONDS)) throw new JwtRejected('JWT before use time');
  return claims;
}
