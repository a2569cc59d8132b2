// An independent JWS verifier on node:crypto, sharing no code with @nav-auth/core or jose,
// so that a bug in our signing path cannot also pass verification.
import { constants, createPublicKey, verify } from 'node:crypto';

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  headerJson: string;
  payloadJson: string;
  signature: Buffer;
}

export function decodeJws(jws: string): DecodedJws {
  const parts = jws.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  const headerJson = Buffer.from(h, 'base64url').toString('utf8');
  const payloadJson = Buffer.from(p, 'base64url').toString('utf8');
  return {
    header: JSON.parse(headerJson),
    payload: JSON.parse(payloadJson),
    headerJson,
    payloadJson,
    signature: Buffer.from(s, 'base64url'),
  };
}

/** Verifies a compact JWS with node:crypto under the exact rules of RFC 7518 §3.3-3.5. */
export function verifyWithNodeCrypto(jws: string, publicJwk: object): boolean {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const { header } = decodeJws(jws);
  const key = createPublicKey({ key: publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  switch (header.alg) {
    case 'RS256':
    case 'RS384':
    case 'RS512':
      return verify(`sha${String(header.alg).slice(2)}`, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    case 'PS256':
      // RFC 7518 §3.5: the salt is exactly as long as the hash (32 bytes).
      return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    case 'ES256':
      // RFC 7518 §3.4: R||S, 64 bytes, not DER.
      return signature.length === 64 && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    default:
      return false;
  }
}
