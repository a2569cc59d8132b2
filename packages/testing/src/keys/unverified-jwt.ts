import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import type { JWK } from './jwk.js';

/** Header and claims of a JWT read before its signature is checked: only to find the client and key. */
export interface UnverifiedJwt {
  readonly header: ReturnType<typeof decodeProtectedHeader>;
  readonly claims: ReturnType<typeof decodeJwt>;
}

/** Reads a compact JWT without verifying it, or `undefined` when it is not one. */
export function readUnverifiedJwt(token: string): UnverifiedJwt | undefined {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return undefined;
  }
}

/** Verifies a JWS with one key and returns its claims, or `undefined` when the signature does not hold. */
export async function verifiedClaims(
  token: string,
  jwk: JWK,
  alg: string,
  algorithms: readonly string[],
): Promise<Record<string, unknown> | undefined> {
  try {
    const { payload } = await compactVerify(token, await importJWK(jwk, alg), { algorithms: [...algorithms] });
    return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
