import type { JWK } from './keys/jwk.js';

/** A Maskinporten client registered with the local IdP. */
export interface MaskinportenClientRecord {
  readonly clientId: string;
  /** The client's organisation (becomes `consumer` in its tokens). */
  readonly orgno: string;
  readonly scopes: ReadonlySet<string>;
  readonly publicJwk: JWK;
  /** Organisations that have delegated to this client, accepted as `consumer_org`. */
  readonly delegatedBy: ReadonlySet<string>;
}

/** An Azure AD application registered with the local IdP. */
export interface AzureAppRecord {
  readonly clientId: string;
  /** NAIS name `cluster:namespace:app`; its scope is `api://cluster.namespace.app/.default`. */
  readonly name: string;
  readonly objectId: string;
  readonly clientSecret: string | undefined;
  readonly publicJwk: JWK | undefined;
  /** App roles this app holds on other apps, by target name. */
  readonly roles: ReadonlyMap<string, readonly string[]>;
  /** Names of apps allowed to call this one; `undefined` allows every registered app. */
  readonly inbound: ReadonlySet<string> | undefined;
}

/** An app registered with TokenX (tokendings), as jwker registers a NAIS app there. */
export interface TokenXAppRecord {
  /** NAIS name `cluster:namespace:app`: the app's client id, and the `audience` others exchange for. */
  readonly name: string;
  /** The public half of its `TOKEN_X_PRIVATE_JWK`, which verifies its client assertions. */
  readonly publicJwk: JWK;
  /** Names of the apps allowed to exchange tokens for this one (its `accessPolicy.inbound`). */
  readonly inbound: ReadonlySet<string>;
}

/** A client of the generic authorization server (seed 004), authenticated by keys at its own JWKS URI. */
export interface GenericClientRecord {
  readonly clientId: string;
  readonly jwksUri: string;
  readonly scopes: ReadonlySet<string>;
  /** `aud` of the access tokens it gets. */
  readonly audience: string | undefined;
}

/** An Altinn system user: created by a customer organisation for a vendor's system. */
export interface SystemUserRecord {
  readonly id: string;
  readonly systemId: string;
  readonly customerOrg: string;
  readonly vendorOrg: string;
}

/** An obligation attached to a PDP decision. */
export interface PdpObligation {
  readonly id: string;
  readonly category: string;
  readonly value: string;
  readonly attributeId?: string;
  readonly dataType?: string;
}

/** One row of the PDP's policy table. */
export interface PdpPolicy {
  readonly systemUserId: string;
  readonly resource: string;
  readonly action: string;
  readonly org: string;
  readonly decision: 'Permit' | 'Deny';
  readonly obligations: readonly PdpObligation[];
}

/** Remembers assertion ids until they expire, to refuse a replay (Maskinporten: "a JWT cannot be reused"). */
export class SeenJtis {
  private readonly seen = new Map<string, number>();

  /** Records `jti`; false when it was already used and has not expired. */
  record(jti: string, expiresAt: number, now: number): boolean {
    for (const [id, exp] of this.seen) if (exp < now) this.seen.delete(id);
    if (this.seen.has(jti)) return false;
    this.seen.set(jti, expiresAt);
    return true;
  }
}

const weights = [3, 2, 7, 6, 5, 4, 3, 2];

/** Mod-11 check of a Norwegian organisation number (written here, not imported from core, to stay an independent referee). */
export function isOrgno(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[0-9]{9}$/.test(value)) return false;
  const sum = weights.reduce((acc, weight, i) => acc + weight * Number(value[i]), 0);
  const check = (11 - (sum % 11)) % 11;
  return check !== 10 && check === Number(value[8]);
}
