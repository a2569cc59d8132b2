import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  buildJwks,
  type GeneratedSigningKey,
  generateSigningKey,
  InvalidInputError,
  importSigningKey,
  type Jwks,
  type PrivateJwk,
  parsePrivateJwk,
  type SigningAlgorithm,
  type SigningKey,
  toPublicJwk,
} from '@nav-auth/core';

/**
 * Generates a key pair for `private_key_jwt` client authentication (seed 004): PS256 by
 * default, `kid` the RFC 7638 thumbprint unless given. Keep `privateJwk` secret; publish
 * `publicJwk` through your JWKS URI.
 *
 * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when `alg` is not one nav-auth signs with or `kid` is empty.
 */
export function generateClientKey(options: { readonly alg?: SigningAlgorithm; readonly kid?: string } = {}): Promise<GeneratedSigningKey> {
  return generateSigningKey({ alg: options.alg ?? 'PS256', ...(options.kid === undefined ? {} : { kid: options.kid }) });
}

/** Options for {@link createJwksHandler}. */
export interface JwksHandlerOptions {
  /** `Cache-Control: max-age` in seconds (default 300): how long servers may keep the keys. */
  readonly maxAgeSeconds?: number;
}

/**
 * A `node:http` (and Express) request handler serving a JWKS: GET and HEAD only, public
 * members only, with cache headers. `jwks` is called per request, so rotation shows at once.
 *
 * @example
 * const rotation = createClientKeyRotation({ current: privateJwk });
 * http.createServer(createJwksHandler(() => rotation.jwks())).listen(3000);
 */
export function createJwksHandler(jwks: () => Jwks, options: JwksHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const maxAge = options.maxAgeSeconds ?? 300;
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const body = JSON.stringify(buildJwks(jwks().keys));
    res.writeHead(200, {
      'content-type': 'application/jwk-set+json',
      'cache-control': `public, max-age=${maxAge}`,
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

interface RetiringKey {
  readonly jwk: PrivateJwk;
  readonly until: number;
}

/** Client keys through a rotation: publish the next key, sign with the current one, keep retired keys published a while. */
export interface ClientKeyRotation {
  /** The key to sign client assertions with now. */
  signingKey(): Promise<SigningKey>;
  /** The JWKS to serve: current, next (if staged) and retired keys still inside their grace period. */
  jwks(): Jwks;
  /** Publishes `next` without signing with it yet, so servers can fetch it first. */
  stage(next: PrivateJwk | unknown): void;
  /** Starts signing with the staged key; the old one stays published for `retireAfterSeconds` (default 900). */
  promote(options?: { readonly retireAfterSeconds?: number }): void;
}

/**
 * Manages a client's keys through a rotation the safe way round: publish the new key before
 * signing with it (servers cache JWKS), and keep the old key published until every assertion
 * it signed has expired.
 *
 * @throws {@link NavAuthError} `ERR_KEY` when the current key is not a usable private JWK.
 */
export function createClientKeyRotation(options: {
  readonly current: PrivateJwk | unknown;
  readonly clock?: () => number;
}): ClientKeyRotation {
  const clock = options.clock ?? Date.now;
  let current = parsePrivateJwk(options.current);
  let next: PrivateJwk | undefined;
  let retiring: RetiringKey[] = [];
  let imported: Promise<SigningKey> | undefined;

  return {
    signingKey() {
      imported ??= importSigningKey(current);
      return imported;
    },
    jwks() {
      const now = clock();
      retiring = retiring.filter((key) => key.until > now);
      return { keys: [current, ...(next === undefined ? [] : [next]), ...retiring.map((key) => key.jwk)].map(toPublicJwk) };
    },
    stage(candidate) {
      const parsed = parsePrivateJwk(candidate);
      if (parsed.kid === current.kid) throw new InvalidInputError('next', 'the next key needs its own kid');
      next = parsed;
    },
    promote(promotion = {}) {
      if (next === undefined) throw new InvalidInputError('next', 'stage a key before promoting it');
      retiring.push({ jwk: current, until: clock() + (promotion.retireAfterSeconds ?? 900) * 1000 });
      current = next;
      next = undefined;
      imported = undefined;
    },
  };
}
