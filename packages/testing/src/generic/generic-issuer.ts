import { DEFAULT_TOKEN_LIFETIME_SECONDS, type IssuerHost, type IssuerSigner, json } from '../issuer/issuer-host.js';
import type { LocalIdp } from '../local-idp.js';
import { type GenericClientRecord, SeenJtis } from '../registry.js';
import { answerOAuth } from '../server/oauth-error.js';
import { type GenericContext, handleGenericToken } from './generic-token-endpoint.js';

/** The generic authorization server: where it lives, how it signs, and its part of the handle. */
export interface GenericIssuer {
  readonly endpoints: LocalIdp['generic'];
  readonly signer: IssuerSigner;
  readonly api: Pick<LocalIdp, 'registerGenericClient'>;
}

/**
 * The generic authorization server of seed 004 under `<origin>/generic`: discovery (OpenID and
 * RFC 8414), client credentials with keys fetched from each client's JWKS URI
 * (generic-token-endpoint.ts has its rules) and the JWKS.
 */
export async function createGenericIssuer(host: IssuerHost): Promise<GenericIssuer> {
  const { origin, now } = host;
  const endpoints: LocalIdp['generic'] = {
    issuer: `${origin}/generic`,
    wellKnownUrl: `${origin}/generic/.well-known/openid-configuration`,
    tokenEndpoint: `${origin}/generic/token`,
    jwksUri: `${origin}/generic/jwks`,
    defaultResource: `${origin}/generic/default-resource`,
  };
  const signer = { issuer: endpoints.issuer, keys: await host.createKeys() };
  const clients = new Map<string, GenericClientRecord>();
  const context: GenericContext = {
    ...endpoints,
    keys: signer.keys,
    clients,
    seenJtis: new SeenJtis(),
    tokenLifetimeSeconds: host.tokenLifetimeSeconds(DEFAULT_TOKEN_LIFETIME_SECONDS),
    now,
  };

  const metadata = {
    issuer: endpoints.issuer,
    token_endpoint: endpoints.tokenEndpoint,
    jwks_uri: endpoints.jwksUri,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['PS256', 'RS256', 'ES256'],
  };
  host.route(endpoints.wellKnownUrl, 'generic.discovery', ['GET'], () => json(metadata));
  host.route(`${origin}/generic/.well-known/oauth-authorization-server`, 'generic.discovery', ['GET'], () => json(metadata));
  host.route(`${origin}/.well-known/oauth-authorization-server/generic`, 'generic.discovery', ['GET'], () => json(metadata));
  host.route(endpoints.tokenEndpoint, 'generic.token', ['POST'], (request) => answerOAuth(() => handleGenericToken(context, request)));
  host.route(endpoints.jwksUri, 'generic.jwks', ['GET'], () => json(signer.keys.jwks()));

  const api: GenericIssuer['api'] = {
    registerGenericClient(registration) {
      clients.set(registration.clientId, {
        clientId: registration.clientId,
        jwksUri: registration.jwksUri,
        scopes: new Set(registration.scopes),
        audience: registration.audience,
      });
    },
  };
  return { endpoints, signer, api };
}
