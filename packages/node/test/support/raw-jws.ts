// Signs arbitrary header and payload text with node:crypto, so tests can build tokens no JWT
// library would produce (duplicate members, BOMs, odd headers).
import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

export function rsaTestKey(kid: string, extra: Record<string, unknown> = {}): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', ...extra } };
}

export function ecTestKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' } };
}

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64url');

/** Signs `headerText.payloadText` (raw JSON text, or bytes) with the algorithm in `alg`. */
export function signRaw(
  alg: 'RS256' | 'PS256' | 'ES256',
  headerText: string | Buffer,
  payloadText: string | Buffer,
  key: KeyObject,
): string {
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), alg === 'PS256' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key);
  return `${input}.${signature.toString('base64url')}`;
}

/** Signs a JWT from objects. */
export function signJwt(
  alg: 'RS256' | 'PS256' | 'ES256',
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  return signRaw(alg, JSON.stringify({ alg, ...header }), JSON.stringify(payload), key);
}
