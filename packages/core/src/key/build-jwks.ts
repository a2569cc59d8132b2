import { InvalidInputError } from '../error/nav-auth-error.js';
import { type PrivateJwk, type PublicJwk, parsePublicJwk, toPublicJwk } from './jwk.js';

/** A JSON Web Key Set (RFC 7517 §5) holding public keys only. */
export interface Jwks {
  readonly keys: readonly PublicJwk[];
}

/**
 * Builds the JWKS document to serve at a client's JWKS URI. Private keys may be passed in:
 * only their public members are emitted. Every key needs a unique `kid`, since verifiers
 * pick the key by it (RFC 7515 §4.1.4).
 */
export function buildJwks(keys: readonly (PublicJwk | PrivateJwk)[]): Jwks {
  const seen = new Set<string>();
  const publicKeys = keys.map((key, index) => {
    const publicKey = parsePublicJwk(toPublicJwk(key), { requireKid: true });
    const kid = publicKey.kid as string;
    if (seen.has(kid)) throw new InvalidInputError(`keys[${index}].kid`, 'duplicate kid in one key set');
    seen.add(kid);
    return publicKey;
  });
  return { keys: publicKeys };
}
