import type { IdportenIssuer } from '../idporten/idporten-issuer.js';
import { epochSeconds, type IssuerHost, type IssuerSigner, isNaisAppName, json, mintAs } from '../issuer/issuer-host.js';
import { generateClientKey } from '../keys/client-key.js';
import type { JWK } from '../keys/jwk.js';
import type { IssuerEndpoints, LocalIdp } from '../local-idp.js';
import { SeenJtis, type TokenXAppRecord } from '../registry.js';
import { answerOAuth } from '../server/oauth-error.js';
import { handleTokenxToken, IDPORTEN_ACR_MAPPING, mapAcr, type TokenxContext } from './tokenx-token-endpoint.js';

/** tokendings' `DEFAULT_TOKEN_EXPIRY_SECONDS`. */
const TOKENDINGS_TOKEN_LIFETIME_SECONDS = 900;

/** The TokenX issuer: where it lives, how it signs, and its part of the handle. */
export interface TokenxIssuer {
  readonly endpoints: IssuerEndpoints;
  readonly signer: IssuerSigner;
  readonly api: Pick<LocalIdp, 'registerTokenXApp' | 'mintTokenXToken'>;
}

/**
 * TokenX (tokendings) under `<origin>/tokenx`: its RFC 8414 metadata at the path tokendings
 * serves (plus the OpenID alias and RFC 8414 §3.1's path-inserted form), the token exchange
 * endpoint (tokenx-token-endpoint.ts has its rules) and the JWKS. It exchanges tokens of
 * `idporten`, this IdP's ID-porten, and its own.
 */
export async function createTokenxIssuer(host: IssuerHost, idporten: Pick<IdportenIssuer, 'signer' | 'userClaims'>): Promise<TokenxIssuer> {
  const { origin, now } = host;
  const base = `${origin}/tokenx`;
  const endpoints: IssuerEndpoints = {
    issuer: base,
    wellKnownUrl: `${base}/.well-known/oauth-authorization-server`,
    tokenEndpoint: `${base}/token`,
    jwksUri: `${base}/jwks`,
  };
  const signer = { issuer: endpoints.issuer, keys: await host.createKeys() };
  const apps = new Map<string, TokenXAppRecord>();
  const lifetime = host.tokenLifetimeSeconds(TOKENDINGS_TOKEN_LIFETIME_SECONDS);
  const context: TokenxContext = {
    issuer: endpoints.issuer,
    tokenEndpoint: endpoints.tokenEndpoint,
    keys: signer.keys,
    apps,
    subjectIssuers: [{ signer: idporten.signer, acrMapping: IDPORTEN_ACR_MAPPING }],
    seenJtis: new SeenJtis(),
    tokenLifetimeSeconds: lifetime,
    now,
  };

  // tokendings' WellKnown, member for member; its authorization_endpoint is listed but not served, there or here.
  const metadata = {
    issuer: endpoints.issuer,
    authorization_endpoint: `${base}/authorization`,
    token_endpoint: endpoints.tokenEndpoint,
    jwks_uri: endpoints.jwksUri,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    subject_types_supported: ['public'],
  };
  host.route(endpoints.wellKnownUrl, 'tokenx.discovery', ['GET'], () => json(metadata));
  host.route(`${base}/.well-known/openid-configuration`, 'tokenx.discovery', ['GET'], () => json(metadata));
  host.route(`${origin}/.well-known/oauth-authorization-server/tokenx`, 'tokenx.discovery', ['GET'], () => json(metadata));
  host.route(endpoints.tokenEndpoint, 'tokenx.token', ['POST'], (request) => answerOAuth(() => handleTokenxToken(context, request)));
  host.route(endpoints.jwksUri, 'tokenx.jwks', ['GET'], () => json(signer.keys.jwks()));

  const api: TokenxIssuer['api'] = {
    async registerTokenXApp(registration) {
      if (!isNaisAppName(registration.name)) throw new TypeError('name must be cluster:namespace:app');
      const generated = registration.publicJwk === undefined ? await generateClientKey() : undefined;
      const publicJwk = registration.publicJwk ?? (generated as { publicJwk: JWK }).publicJwk;
      if (publicJwk.kty !== 'RSA' || typeof publicJwk.kid !== 'string') {
        throw new TypeError('publicJwk must be an RSA key with a kid: tokendings verifies RS256 assertions');
      }
      apps.set(registration.name, { name: registration.name, publicJwk, inbound: new Set(registration.inbound ?? []) });
      return {
        clientId: registration.name,
        privateJwk: generated?.privateJwk,
        env: {
          TOKEN_X_CLIENT_ID: registration.name,
          ...(generated === undefined ? {} : { TOKEN_X_PRIVATE_JWK: JSON.stringify(generated.privateJwk) }),
          TOKEN_X_WELL_KNOWN_URL: endpoints.wellKnownUrl,
          TOKEN_X_ISSUER: endpoints.issuer,
          TOKEN_X_JWKS_URI: endpoints.jwksUri,
          TOKEN_X_TOKEN_ENDPOINT: endpoints.tokenEndpoint,
        },
      };
    },

    async mintTokenXToken(request) {
      // Any audience, registered or not: a token for someone else is what an app must refuse. The
      // consumer is always an app, as TokenX only exchanges for registered apps.
      if (!isNaisAppName(request.clientId)) throw new TypeError('clientId must be cluster:namespace:app');
      // The ID-porten token the consumer exchanged, with what tokendings replaces and adds.
      const user = idporten.userClaims({ clientId: request.clientId, pid: request.pid, acr: request.acr ?? 'idporten-loa-high' });
      const iat = epochSeconds(now);
      return mintAs(signer, now, {
        ...user,
        acr: mapAcr(user.acr, IDPORTEN_ACR_MAPPING),
        aud: request.audience,
        client_id: request.clientId,
        idp: request.idp ?? idporten.signer.issuer,
        iat,
        nbf: iat,
        exp: iat + lifetime,
        ...request.claims,
      });
    },
  };
  return { endpoints, signer, api };
}
