import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { JWK } from './jwk.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

interface KeyPair {
  readonly kid: string;
  readonly privateKey: PrivateKey;
  readonly publicJwk: JWK;
}

async function newKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Options for {@link IssuerKeys.sign}. */
export interface SignOptions {
  /** Extra or overriding protected header members (`typ`, `kid`, even `alg` for negative tests). */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Sign with a key that is not in the JWKS (a forged or unknown-key token). */
  readonly unpublishedKey?: boolean;
}

/** One issuer's signing keys: a current key, keys kept published after a rotation, and its JWKS. */
export class IssuerKeys {
  private retired: KeyPair[] = [];
  private outsider: KeyPair | undefined;

  private constructor(
    private current: KeyPair,
    private readonly onSigned: ((token: string) => void) | undefined,
  ) {}

  /** New keys; `onSigned` is told every token they sign. */
  static async create(onSigned?: (token: string) => void): Promise<IssuerKeys> {
    return new IssuerKeys(await newKeyPair(), onSigned);
  }

  /** The JWKS document: the current key first, then keys kept after rotations. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.current.publicJwk, ...this.retired.map((k) => k.publicJwk)] };
  }

  /** Starts signing with a new key; the old one stays in the JWKS unless `dropPrevious`. */
  async rotate(options: { dropPrevious?: boolean } = {}): Promise<void> {
    const next = await newKeyPair();
    this.retired = options.dropPrevious ? [] : [this.current, ...this.retired];
    this.current = next;
  }

  async sign(payload: JWTPayload, options: SignOptions = {}): Promise<string> {
    if (options.unpublishedKey && this.outsider === undefined) this.outsider = await newKeyPair();
    const key = options.unpublishedKey ? (this.outsider as KeyPair) : this.current;
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...options.header } as { alg: string })
      .sign(key.privateKey);
    this.onSigned?.(token);
    return token;
  }

  /** Verifies a token this issuer signed (any published key), with jose. */
  async verify(token: string, issuer: string, now: Date): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks()), {
      issuer,
      algorithms: ['RS256'],
      currentDate: now,
      clockTolerance: 0,
    });
    return payload;
  }
}
