import { KeyError } from '../error/nav-auth-error.js';
import { decodeBase64Url } from '../jws/base64url.js';
import { REDACTED, withRedactedView } from '../redaction/redacted-view.js';
import { isRocaVulnerableModulus } from './roca.js';

/** JWS algorithms nav-auth signs and verifies with. HS* and `none` are never accepted. */
export type SigningAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256';

/** Every algorithm in {@link SigningAlgorithm}. */
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'];

/** An RSA public key as a JWK (RFC 7518 §6.3.1). */
export interface RsaPublicJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly kid?: string;
  readonly alg?: SigningAlgorithm;
  readonly use?: 'sig';
}

/** A P-256 public key as a JWK (RFC 7518 §6.2.1). */
export interface EcPublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid?: string;
  readonly alg?: 'ES256';
  readonly use?: 'sig';
}

/** A public signing key as a JWK. */
export type PublicJwk = RsaPublicJwk | EcPublicJwk;

/** An RSA private key as a JWK with its CRT parameters. */
export interface RsaPrivateJwk extends RsaPublicJwk {
  readonly d: string;
  readonly p: string;
  readonly q: string;
  readonly dp: string;
  readonly dq: string;
  readonly qi: string;
}

/** A P-256 private key as a JWK. */
export interface EcPrivateJwk extends EcPublicJwk {
  readonly d: string;
}

/** A private signing key as a JWK. */
export type PrivateJwk = RsaPrivateJwk | EcPrivateJwk;

/** Options for {@link parsePublicJwk} and {@link parsePrivateJwk}. */
export interface ParseJwkOptions {
  /** Refuse a key without a `kid` (default: true for private keys, false for public keys). */
  readonly requireKid?: boolean;
}

const MIN_RSA_BITS = 2048;
const RSA_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const ALL_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const RSA_ALGORITHMS: ReadonlySet<string> = new Set(['RS256', 'RS384', 'RS512', 'PS256']);

/**
 * Parses an untrusted public JWK (object or JSON text) and refuses unsafe keys: symmetric
 * keys, RSA under 2048 bits, RSA exponents that are even or below 3, ROCA moduli
 * (CVE-2017-15361), curves other than P-256, and any private member.
 *
 * @throws {@link NavAuthError} `ERR_KEY` when the JWK is malformed, carries private members, is too weak, or is of an unsupported type or algorithm (`reason` says which).
 */
export function parsePublicJwk(input: unknown, options: ParseJwkOptions = {}): PublicJwk {
  const jwk = toRecord(input);
  for (const member of ALL_PRIVATE_MEMBERS) {
    if (member in jwk) throw new KeyError('private_members', `a public key must not contain "${member}"`);
  }
  return readPublicMembers(jwk, options.requireKid ?? false);
}

/**
 * Parses an untrusted private JWK (object or JSON text) with the same rules as
 * {@link parsePublicJwk}, and requires the private members and, by default, a `kid`.
 * `JSON.stringify`, `util.inspect` and `console.log` show it with the private members
 * redacted; spread it (`{ ...jwk }`) for the plain key.
 *
 * @throws {@link NavAuthError} `ERR_KEY` when the JWK is malformed, public, too weak, without `kid` or of an unsupported type or algorithm (`reason` says which).
 */
export function parsePrivateJwk(input: unknown, options: ParseJwkOptions = {}): PrivateJwk {
  const jwk = readPrivateJwk(toRecord(input), options.requireKid ?? true);
  const view: Record<string, unknown> = { ...jwk };
  for (const member of RSA_PRIVATE_MEMBERS) if (member in view) view[member] = REDACTED;
  return withRedactedView(jwk, view);
}

function readPrivateJwk(jwk: Record<string, unknown>, requireKid: boolean): PrivateJwk {
  const publicPart = readPublicMembers(jwk, requireKid);
  if (publicPart.kty === 'EC') {
    const d = readBytes(jwk, 'd', 'not_private');
    if (d.length !== 32) throw new KeyError('malformed', '"d" must be 32 bytes for P-256');
    return { ...publicPart, d: jwk.d as string };
  }
  const members: Record<string, string> = {};
  for (const member of RSA_PRIVATE_MEMBERS) {
    readBytes(jwk, member, 'not_private');
    members[member] = jwk[member] as string;
  }
  if ('oth' in jwk) throw new KeyError('unsupported_type', 'multi-prime RSA keys ("oth") are not supported');
  return { ...publicPart, ...(members as Pick<RsaPrivateJwk, (typeof RSA_PRIVATE_MEMBERS)[number]>) };
}

/** The public half of a private JWK: public members only, never `d`, primes or CRT values. */
export function toPublicJwk(jwk: PublicJwk | PrivateJwk): PublicJwk {
  const common = {
    ...(jwk.kid === undefined ? {} : { kid: jwk.kid }),
    ...(jwk.alg === undefined ? {} : { alg: jwk.alg }),
    ...(jwk.use === undefined ? {} : { use: jwk.use }),
  };
  if (jwk.kty === 'EC') return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y, ...common } as EcPublicJwk;
  return { kty: 'RSA', n: jwk.n, e: jwk.e, ...common } as RsaPublicJwk;
}

function toRecord(input: unknown): Record<string, unknown> {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      // The text may be a private key: say only that it is not JSON.
      throw new KeyError('malformed', 'the JWK is not valid JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeyError('malformed', 'a JWK must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function readPublicMembers(jwk: Record<string, unknown>, requireKid: boolean): PublicJwk {
  const kid = jwk.kid;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0)) {
    throw new KeyError('malformed', '"kid" must be a non-empty string');
  }
  if (requireKid && kid === undefined) throw new KeyError('missing_kid', 'the key has no "kid"');
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new KeyError('unsupported_algorithm', '"use" must be "sig"');
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.every((op) => op === 'sign' || op === 'verify')) {
      throw new KeyError('unsupported_algorithm', '"key_ops" may only contain "sign" and "verify"');
    }
  }
  const alg = jwk.alg;
  if (alg !== undefined && (typeof alg !== 'string' || !(SIGNING_ALGORITHMS as readonly string[]).includes(alg))) {
    throw new KeyError('unsupported_algorithm', `"alg" must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
  }
  const common = {
    ...(kid === undefined ? {} : { kid: kid as string }),
    ...(jwk.use === undefined ? {} : { use: 'sig' as const }),
  };

  switch (jwk.kty) {
    case 'RSA': {
      if (alg !== undefined && !RSA_ALGORITHMS.has(alg as string)) {
        throw new KeyError('unsupported_algorithm', `"alg" ${String(alg)} does not fit an RSA key`);
      }
      const modulus = stripLeadingZeros(readBytes(jwk, 'n', 'malformed'));
      const bits = bitLength(modulus);
      if (bits < MIN_RSA_BITS) throw new KeyError('weak_key', `RSA modulus has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
      const exponent = toBigInt(stripLeadingZeros(readBytes(jwk, 'e', 'malformed')));
      if (exponent < 3n || exponent % 2n === 0n) {
        throw new KeyError('weak_key', 'RSA public exponent must be odd and at least 3');
      }
      if (isRocaVulnerableModulus(toBigInt(modulus))) {
        throw new KeyError('weak_key', 'RSA modulus has the ROCA fingerprint (CVE-2017-15361)');
      }
      return {
        kty: 'RSA',
        n: jwk.n as string,
        e: jwk.e as string,
        ...common,
        ...(alg === undefined ? {} : { alg: alg as SigningAlgorithm }),
      };
    }
    case 'EC': {
      if (jwk.crv !== 'P-256') throw new KeyError('unsupported_type', 'only the P-256 curve is supported');
      if (alg !== undefined && alg !== 'ES256')
        throw new KeyError('unsupported_algorithm', `"alg" ${String(alg)} does not fit a P-256 key`);
      if (readBytes(jwk, 'x', 'malformed').length !== 32 || readBytes(jwk, 'y', 'malformed').length !== 32) {
        throw new KeyError('malformed', '"x" and "y" must be 32 bytes for P-256');
      }
      return {
        kty: 'EC',
        crv: 'P-256',
        x: jwk.x as string,
        y: jwk.y as string,
        ...common,
        ...(alg === undefined ? {} : { alg: 'ES256' as const }),
      };
    }
    case 'oct':
      throw new KeyError('unsupported_type', 'symmetric keys (kty "oct") are not allowed');
    default:
      throw new KeyError('unsupported_type', '"kty" must be "RSA" or "EC"');
  }
}

function readBytes(jwk: Record<string, unknown>, member: string, reasonIfMissing: 'malformed' | 'not_private'): Uint8Array {
  const value = jwk[member];
  if (value === undefined) throw new KeyError(reasonIfMissing, `the key has no "${member}"`);
  const bytes = typeof value === 'string' ? decodeBase64Url(value) : undefined;
  if (bytes === undefined || bytes.length === 0) throw new KeyError('malformed', `"${member}" is not canonical base64url`);
  return bytes;
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

function bitLength(bytes: Uint8Array): number {
  const top = bytes[0] ?? 0;
  return top === 0 ? 0 : (bytes.length - 1) * 8 + (32 - Math.clz32(top));
}

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}
