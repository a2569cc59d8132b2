import { timingSafeEqual } from 'node:crypto';
import type { JWK } from '../keys/jwk.js';
import { readUnverifiedJwt, type UnverifiedJwt, verifiedClaims } from '../keys/unverified-jwt.js';
import type { SeenJtis } from '../registry.js';
import { OAuthFailure } from '../server/oauth-error.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A registered client as client authentication sees it. */
export interface AuthenticatableClient {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly publicJwk: JWK | undefined;
}

/** How the caller proved who it is. */
export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';

/** Rules for verifying a client assertion (RFC 7523 §3). */
export interface AssertionRules<Client extends AuthenticatableClient> {
  /** Accepted `aud` values; the assertion's `aud` must be one of them (as a string or a one-element array). */
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  readonly maxLifetimeSeconds: number;
  /**
   * Assertion ids seen, to refuse a replay (RFC 7523 §3 item 7 lets a server do so). Without
   * it an assertion may be used again until it expires, as Entra allows.
   */
  readonly seenJtis?: SeenJtis;
  readonly now: () => Date;
  /**
   * Finds the key to verify with (by `kid`, or by any other header member such as `x5t`); by
   * default the client's registered JWK. May throw an {@link OAuthFailure} to say why none fits.
   */
  readonly keyFor?: (client: Client, kid: string | undefined, header: UnverifiedJwt['header']) => Promise<JWK | undefined>;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (header === undefined || !/^Basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthFailure('invalid_client', 'malformed Basic credentials', 401);
  // RFC 6749 §2.3.1: both halves are form-urlencoded.
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

/**
 * Authenticates the client of a token request by exactly one method (RFC 6749 §2.3: never
 * more than one): `client_secret_post`, `client_secret_basic` or `private_key_jwt`.
 */
export async function authenticateClient<Client extends AuthenticatableClient>(
  form: Readonly<Record<string, string>>,
  authorization: string | undefined,
  clients: (clientId: string) => Client | undefined,
  rules: AssertionRules<Client>,
): Promise<{ client: Client; method: ClientAuthMethod }> {
  const basic = basicCredentials(authorization);
  const methods = [basic !== undefined, form.client_secret !== undefined, form.client_assertion !== undefined].filter(Boolean).length;
  if (methods > 1) throw new OAuthFailure('invalid_request', 'use exactly one client authentication method');
  if (methods === 0) throw new OAuthFailure('invalid_client', 'client authentication is required', 401);

  if (form.client_assertion !== undefined) {
    if (form.client_assertion_type !== ASSERTION_TYPE)
      throw new OAuthFailure('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
    return { client: await verifyClientAssertion(form.client_assertion, form.client_id, clients, rules), method: 'private_key_jwt' };
  }
  const id = basic?.id ?? form.client_id;
  const secret = basic?.secret ?? form.client_secret;
  if (basic !== undefined && form.client_id !== undefined && form.client_id !== basic.id) {
    throw new OAuthFailure('invalid_request', 'client_id does not match the Basic credentials');
  }
  const client = id === undefined ? undefined : clients(id);
  if (client?.clientSecret === undefined || secret === undefined || !sameSecret(secret, client.clientSecret)) {
    throw new OAuthFailure('invalid_client', 'invalid client or secret', 401);
  }
  return { client, method: basic === undefined ? 'client_secret_post' : 'client_secret_basic' };
}

async function verifyClientAssertion<Client extends AuthenticatableClient>(
  assertion: string,
  formClientId: string | undefined,
  clients: (clientId: string) => Client | undefined,
  rules: AssertionRules<Client>,
): Promise<Client> {
  const fail = (why: string) => new OAuthFailure('invalid_client', `client assertion: ${why}`, 401);
  const read = readUnverifiedJwt(assertion);
  if (read === undefined) throw fail('not a signed JWT');
  const { header, claims: unverified } = read;
  if (typeof header.alg !== 'string' || !rules.algorithms.includes(header.alg))
    throw fail(`alg must be one of ${rules.algorithms.join(', ')}`);
  if (header.jwk !== undefined || header.jku !== undefined || header.x5u !== undefined)
    throw fail('jwk, jku and x5u headers are not accepted');
  const clientId = unverified.iss;
  if (typeof clientId !== 'string' || unverified.sub !== clientId) throw fail('iss and sub must both be the client_id');
  if (formClientId !== undefined && formClientId !== clientId) throw fail('client_id does not match iss');
  const client = clients(clientId);
  if (client === undefined) throw fail('unknown client');
  const jwk = rules.keyFor ? await rules.keyFor(client, header.kid, header) : client.publicJwk;
  if (jwk === undefined || (header.kid !== undefined && jwk.kid !== undefined && jwk.kid !== header.kid))
    throw fail('no registered key with that kid');
  if (jwk.alg !== undefined && jwk.alg !== header.alg) throw fail('alg does not match the key');

  const claims = await verifiedClaims(assertion, jwk, header.alg, rules.algorithms);
  if (claims === undefined) throw fail('signature is not valid');
  const audiences = Array.isArray(claims.aud) && claims.aud.length === 1 ? claims.aud : [claims.aud];
  if (audiences.length !== 1 || typeof audiences[0] !== 'string' || !rules.audiences.includes(audiences[0])) {
    throw fail(`aud must be one of ${rules.audiences.join(', ')}`);
  }
  const now = rules.now().getTime() / 1000;
  const { exp, nbf, iat, jti } = claims;
  if (typeof exp !== 'number' || exp <= now) throw fail('expired or without exp');
  const start = typeof nbf === 'number' ? nbf : iat;
  if (typeof start !== 'number') throw fail('nbf or iat is required');
  if (start > now + 10) throw fail('not valid yet');
  if (exp - start > rules.maxLifetimeSeconds) throw fail(`lifetime is longer than ${rules.maxLifetimeSeconds} seconds`);
  if (typeof jti !== 'string' || jti.length === 0) throw fail('jti is required');
  if (rules.seenJtis !== undefined && !rules.seenJtis.record(`${clientId}:${jti}`, exp, now)) throw fail('jti has been used before');
  return client;
}
