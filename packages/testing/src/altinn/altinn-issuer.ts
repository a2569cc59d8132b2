import { randomUUID } from 'node:crypto';
import type { IssuerHost, IssuerSigner } from '../issuer/issuer-host.js';
import type { LocalIdp } from '../local-idp.js';
import { isOrgno, type PdpPolicy, type SystemUserRecord } from '../registry.js';
import { type AltinnContext, handleAltinnExchange, handlePdp } from './altinn-endpoints.js';

/** Altinn: where its exchange and PDP live, how it signs, and its part of the handle. */
export interface AltinnIssuer {
  readonly endpoints: LocalIdp['altinn'];
  readonly signer: IssuerSigner;
  readonly api: Pick<LocalIdp, 'registerSystemUser' | 'addPdpPolicy'>;
}

/** What Altinn needs besides the host. */
export interface AltinnIssuerOptions {
  /** The Maskinporten issuer whose tokens the exchange takes. */
  readonly maskinporten: IssuerSigner;
  /** The system users, shared with Maskinporten (which names them in tokens); registering one adds to it. */
  readonly systemUsers: SystemUserRecord[];
  readonly subscriptionKey: string;
  readonly responseCase: 'camel' | 'pascal';
}

/**
 * Altinn under `<origin>/altinn`: the Maskinporten token exchange and the PDP (altinn-endpoints.ts
 * has their rules), with the system users and the PDP's policy table they decide from.
 */
export async function createAltinnIssuer(host: IssuerHost, options: AltinnIssuerOptions): Promise<AltinnIssuer> {
  const { origin, now } = host;
  const endpoints: LocalIdp['altinn'] = {
    issuer: `${origin}/altinn/`,
    exchangeUrl: `${origin}/altinn/authentication/api/v1/exchange/maskinporten`,
    pdpUrl: `${origin}/altinn/authorization/api/v1/authorize`,
    subscriptionKey: options.subscriptionKey,
  };
  const signer = { issuer: endpoints.issuer, keys: await host.createKeys() };
  const policies: PdpPolicy[] = [];
  const context: AltinnContext = {
    issuer: endpoints.issuer,
    keys: signer.keys,
    maskinporten: options.maskinporten,
    subscriptionKey: options.subscriptionKey,
    policies,
    responseCase: options.responseCase,
    now,
  };
  host.route(endpoints.exchangeUrl, 'altinn.exchange', ['GET'], (request) => handleAltinnExchange(context, request));
  host.route(endpoints.pdpUrl, 'altinn.pdp', ['POST'], (request) => handlePdp(context, request));

  const api: AltinnIssuer['api'] = {
    registerSystemUser(registration) {
      if (!isOrgno(registration.customerOrg) || !isOrgno(registration.vendorOrg))
        throw new TypeError('customerOrg and vendorOrg must be valid organisation numbers');
      const record = {
        id: registration.id ?? randomUUID(),
        systemId: registration.systemId,
        customerOrg: registration.customerOrg,
        vendorOrg: registration.vendorOrg,
      };
      options.systemUsers.push(record);
      return record;
    },

    addPdpPolicy(policy) {
      policies.push({ ...policy, decision: policy.decision ?? 'Permit', obligations: policy.obligations ?? [] });
    },
  };
  return { endpoints, signer, api };
}
