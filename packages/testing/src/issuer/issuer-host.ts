import { randomUUID } from 'node:crypto';
import type { IssuerKeys, SignOptions } from '../keys/issuer-keys.js';
import type { LocalIdpEndpoint } from '../local-idp.js';
import type { Reply, Route } from '../server/http-server.js';

/** `expires_in` of access tokens when neither the IdP's options nor the issuer say otherwise: Maskinporten's. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3599;

/** What the one server lends each issuer: its origin, its clock, token lifetimes and a way to serve routes. */
export interface IssuerHost {
  /** `http://127.0.0.1:<port>` (or `https://`): every issuer lives under a path of it. */
  readonly origin: string;
  readonly now: () => Date;
  /** The IdP's `tokenLifetimeSeconds` option when it was given, else the issuer's own default. */
  readonly tokenLifetimeSeconds: (issuerDefault: number) => number;
  /** Serves `handle` at the path of `url`; requests are logged and faults armed under `endpoint`. */
  readonly route: (url: string, endpoint: LocalIdpEndpoint, methods: readonly string[], handle: Route['handle']) => void;
  /** A new key set for an issuer, whose every signed token the IdP records (`LocalIdp.issuedTokens`). */
  readonly createKeys: () => Promise<IssuerKeys>;
}

/** An issuer's identifier and signing keys: what it takes to sign as that issuer. */
export interface IssuerSigner {
  readonly issuer: string;
  readonly keys: IssuerKeys;
}

/** Options for {@link LocalIdp.mintToken}. */
export interface MintOptions extends SignOptions {
  /** Lifetime when `claims` sets no `exp` (default 300 s). */
  readonly expiresInSeconds?: number;
}

/** Whole seconds since the epoch on the IdP's clock. */
export function epochSeconds(now: () => Date): number {
  return Math.floor(now().getTime() / 1000);
}

/** Signs `claims` as `signer`, with `iss`, `iat`, `exp` and `jti` filled in unless `claims` sets them. */
export function mintAs(
  signer: IssuerSigner,
  now: () => Date,
  claims: Readonly<Record<string, unknown>>,
  options: MintOptions = {},
): Promise<string> {
  const iat = epochSeconds(now);
  return signer.keys.sign({ iss: signer.issuer, iat, exp: iat + (options.expiresInSeconds ?? 300), jti: randomUUID(), ...claims }, options);
}

/** A 200 answer with a JSON body. */
export function json(body: unknown): Reply {
  return { status: 200, body };
}

/** A NAIS application name, `cluster:namespace:app`, as Azure AD and TokenX register apps. */
export function isNaisAppName(name: unknown): name is string {
  return typeof name === 'string' && /^[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]+$/.test(name);
}
