import { randomUUID } from 'node:crypto';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, type IssuerHost, type IssuerSigner, json, mintAs } from '../issuer/issuer-host.js';
import { generateClientKey } from '../keys/client-key.js';
import type { JWK } from '../keys/jwk.js';
import type { IssuerEndpoints, LocalIdp } from '../local-idp.js';
import { isOrgno, type MaskinportenClientRecord, SeenJtis, type SystemUserRecord } from '../registry.js';
import { answerOAuth } from '../server/oauth-error.js';
import { handleMaskinportenToken } from './maskinporten-token-endpoint.js';

/** The Maskinporten issuer: where it lives, how it signs, and its part of the handle. */
export interface MaskinportenIssuer {
  readonly endpoints: IssuerEndpoints;
  readonly signer: IssuerSigner;
  readonly api: Pick<LocalIdp, 'registerMaskinportenClient' | 'mintMaskinportenToken'>;
}

/**
 * Maskinporten under `<origin>/maskinporten`: discovery (at the issuer's path and at RFC 8414's),
 * the JWT-bearer token endpoint (maskinporten-token-endpoint.ts has its rules) and the JWKS.
 * `systemUsers` are the Altinn system users a grant's `authorization_details` may name.
 */
export async function createMaskinportenIssuer(host: IssuerHost, systemUsers: readonly SystemUserRecord[]): Promise<MaskinportenIssuer> {
  const { origin, now } = host;
  const endpoints: IssuerEndpoints = {
    issuer: `${origin}/maskinporten/`,
    wellKnownUrl: `${origin}/maskinporten/.well-known/oauth-authorization-server`,
    tokenEndpoint: `${origin}/maskinporten/token`,
    jwksUri: `${origin}/maskinporten/jwk`,
  };
  const signer = { issuer: endpoints.issuer, keys: await host.createKeys() };
  const clients = new Map<string, MaskinportenClientRecord>();
  const lifetime = host.tokenLifetimeSeconds(DEFAULT_TOKEN_LIFETIME_SECONDS);
  const context = {
    issuer: endpoints.issuer,
    keys: signer.keys,
    clients,
    systemUsers,
    seenJtis: new SeenJtis(),
    tokenLifetimeSeconds: lifetime,
    now,
  };

  const metadata = {
    issuer: endpoints.issuer,
    token_endpoint: endpoints.tokenEndpoint,
    jwks_uri: endpoints.jwksUri,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'RS512'],
    authorization_details_types_supported: ['urn:altinn:systemuser'],
  };
  host.route(endpoints.wellKnownUrl, 'maskinporten.discovery', ['GET'], () => json(metadata));
  host.route(`${origin}/maskinporten/.well-known/openid-configuration`, 'maskinporten.discovery', ['GET'], () => json(metadata));
  // RFC 8414 §3.1, which Digdir's well-known page cites: the suffix goes before the issuer's path.
  host.route(`${origin}/.well-known/oauth-authorization-server/maskinporten`, 'maskinporten.discovery', ['GET'], () => json(metadata));
  host.route(endpoints.tokenEndpoint, 'maskinporten.token', ['POST'], (request) =>
    answerOAuth(() => handleMaskinportenToken(context, request)),
  );
  host.route(endpoints.jwksUri, 'maskinporten.jwks', ['GET'], () => json(signer.keys.jwks()));

  const api: MaskinportenIssuer['api'] = {
    async registerMaskinportenClient(registration) {
      if (!isOrgno(registration.orgno)) throw new TypeError('orgno must be a valid 9-digit organisation number');
      const generated = registration.publicJwk === undefined ? await generateClientKey() : undefined;
      const publicJwk = registration.publicJwk ?? (generated as { publicJwk: JWK }).publicJwk;
      if (typeof publicJwk.kid !== 'string') throw new TypeError('publicJwk needs a kid');
      const clientId = registration.clientId ?? randomUUID();
      clients.set(clientId, {
        clientId,
        orgno: registration.orgno,
        scopes: new Set(registration.scopes),
        publicJwk,
        delegatedBy: new Set(registration.delegatedBy ?? []),
      });
      return {
        clientId,
        privateJwk: generated?.privateJwk,
        env: {
          MASKINPORTEN_CLIENT_ID: clientId,
          ...(generated === undefined ? {} : { MASKINPORTEN_CLIENT_JWK: JSON.stringify(generated.privateJwk) }),
          MASKINPORTEN_SCOPES: registration.scopes.join(' '),
          MASKINPORTEN_WELL_KNOWN_URL: endpoints.wellKnownUrl,
          MASKINPORTEN_ISSUER: endpoints.issuer,
          MASKINPORTEN_TOKEN_ENDPOINT: endpoints.tokenEndpoint,
          MASKINPORTEN_JWKS_URI: endpoints.jwksUri,
        },
      };
    },

    mintMaskinportenToken(request) {
      const consumer = { authority: 'iso6523-actorid-upis', ID: `0192:${request.consumerOrg}` };
      const user = request.systemUser;
      return mintAs(
        signer,
        now,
        {
          client_amr: 'private_key_jwt',
          token_type: 'Bearer',
          scope: request.scopes.join(' '),
          client_id: randomUUID(),
          consumer,
          ...(request.audience === undefined ? {} : { aud: request.audience }),
          ...(user === undefined
            ? {}
            : {
                authorization_details: [
                  {
                    type: 'urn:altinn:systemuser',
                    systemuser_org: { authority: 'iso6523-actorid-upis', id: `0192:${user.customerOrg}` },
                    systemuser_id: [user.id],
                    system_id: user.systemId,
                  },
                ],
              }),
          ...request.claims,
        },
        { expiresInSeconds: lifetime },
      );
    },
  };
  return { endpoints, signer, api };
}
