import { randomBytes, randomUUID } from 'node:crypto';
import {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  epochSeconds,
  type IssuerHost,
  type IssuerSigner,
  isNaisAppName,
  json,
  mintAs,
} from '../issuer/issuer-host.js';
import { generateClientKey } from '../keys/client-key.js';
import type { LocalIdp } from '../local-idp.js';
import { answerOAuth } from '../server/oauth-error.js';
import { type AzureApp, generateAzureCertificate, parseAzureCertificate } from './azure-certificate-credential.js';
import { azureUnimplementedEndpoints, buildAzureDiscoveryDocument, notImplementedReply } from './azure-discovery.js';
import { type AzureContext, azureAccessTokenClaims, azureAppClaims, handleAzureToken } from './azure-token-endpoint.js';

/** The Azure AD issuer: where its tenant lives, how it signs, and its part of the handle. */
export interface AzureIssuer {
  readonly endpoints: LocalIdp['azure'];
  readonly signer: IssuerSigner;
  readonly api: Pick<LocalIdp, 'registerAzureApp' | 'mintAzureUserToken' | 'mintAzureAppToken'>;
}

/**
 * Azure AD (Entra ID) v2 for one tenant under `<origin>/azure/<tenant id>`: Entra's discovery
 * document (its unimplemented endpoints answer 501), the token endpoint (azure-token-endpoint.ts
 * has its rules) and the JWKS.
 */
export async function createAzureIssuer(host: IssuerHost, tenantId: string): Promise<AzureIssuer> {
  const { origin, now } = host;
  const authority = `${origin}/azure/${tenantId}`;
  const endpoints: LocalIdp['azure'] = {
    issuer: `${authority}/v2.0`,
    wellKnownUrl: `${authority}/v2.0/.well-known/openid-configuration`,
    tokenEndpoint: `${authority}/oauth2/v2.0/token`,
    jwksUri: `${authority}/discovery/v2.0/keys`,
    tenantId,
    authority,
  };
  const signer = { issuer: endpoints.issuer, keys: await host.createKeys() };
  const apps = new Map<string, AzureApp>();
  const lifetime = host.tokenLifetimeSeconds(DEFAULT_TOKEN_LIFETIME_SECONDS);
  const context: AzureContext = { ...endpoints, keys: signer.keys, apps, tokenLifetimeSeconds: lifetime, now };

  const metadata = buildAzureDiscoveryDocument(endpoints, authority);
  host.route(endpoints.wellKnownUrl, 'azure.discovery', ['GET'], () => json(metadata));
  for (const { url, why } of Object.values(azureUnimplementedEndpoints(authority))) {
    host.route(url, 'azure.unimplemented', ['GET', 'POST'], () => notImplementedReply(why));
  }
  host.route(endpoints.tokenEndpoint, 'azure.token', ['POST'], (request) => answerOAuth(() => handleAzureToken(context, request)));
  host.route(endpoints.jwksUri, 'azure.jwks', ['GET'], () => json(signer.keys.jwks()));

  const findApp = (nameOrId: string) => apps.get(nameOrId) ?? [...apps.values()].find((app) => app.clientId === nameOrId);

  const api: AzureIssuer['api'] = {
    async registerAzureApp(registration) {
      if (!isNaisAppName(registration.name)) throw new TypeError('name must be cluster:namespace:app');
      const clientSecret = registration.secret === false ? undefined : randomBytes(24).toString('base64url');
      const generated = registration.key === false ? undefined : await generateClientKey();
      const clientId = registration.clientId ?? randomUUID();
      const ownPem = typeof registration.certificate === 'string' ? registration.certificate : undefined;
      const newCertificate = registration.certificate === true ? await generateAzureCertificate(registration.name, now()) : undefined;
      const certificatePem = ownPem ?? newCertificate?.pem;
      const parsed = certificatePem === undefined ? undefined : parseAzureCertificate(certificatePem);
      apps.set(registration.name, {
        clientId,
        name: registration.name,
        objectId: randomUUID(),
        clientSecret,
        publicJwk: generated?.publicJwk,
        certificates: parsed === undefined ? [] : [parsed.credential],
        roles: new Map(Object.entries(registration.roles ?? {})),
        inbound: registration.inbound === undefined ? undefined : new Set(registration.inbound),
      });
      return {
        clientId,
        name: registration.name,
        clientSecret,
        privateJwk: generated?.privateJwk,
        certificate:
          certificatePem === undefined || parsed === undefined
            ? undefined
            : {
                pem: certificatePem,
                privateKeyPem: newCertificate?.privateKeyPem,
                thumbprint: parsed.thumbprint,
                thumbprintSha256: parsed.thumbprintSha256,
              },
        env: {
          AZURE_APP_CLIENT_ID: clientId,
          ...(clientSecret === undefined ? {} : { AZURE_APP_CLIENT_SECRET: clientSecret }),
          ...(generated === undefined ? {} : { AZURE_APP_JWK: JSON.stringify(generated.privateJwk) }),
          AZURE_APP_TENANT_ID: tenantId,
          AZURE_APP_WELL_KNOWN_URL: endpoints.wellKnownUrl,
          AZURE_OPENID_CONFIG_ISSUER: endpoints.issuer,
          AZURE_OPENID_CONFIG_TOKEN_ENDPOINT: endpoints.tokenEndpoint,
          AZURE_OPENID_CONFIG_JWKS_URI: endpoints.jwksUri,
        },
      };
    },

    mintAzureAppToken(request) {
      const caller = findApp(request.caller);
      const target = findApp(request.audience);
      if (caller === undefined || target === undefined) throw new TypeError('caller and audience must be registered Azure apps');
      return mintAs(
        signer,
        now,
        {
          ...azureAccessTokenClaims(
            context,
            target.clientId,
            { clientId: caller.clientId, name: caller.name, azpacr: '1' },
            epochSeconds(now),
          ),
          ...azureAppClaims(caller, target),
          ...request.claims,
        },
        { expiresInSeconds: lifetime },
      );
    },

    mintAzureUserToken(request) {
      const app = findApp(request.audience);
      if (app === undefined) throw new TypeError(`no Azure app ${request.audience} is registered`);
      const oid = randomUUID();
      const frontend = { clientId: randomUUID(), name: 'local:frontend:login', azpacr: '0' } as const;
      return mintAs(
        signer,
        now,
        {
          ...azureAccessTokenClaims(context, app.clientId, frontend, epochSeconds(now)),
          sub: oid,
          oid,
          scp: (request.scopes ?? ['defaultaccess']).join(' '),
          ...(request.navIdent === undefined ? {} : { NAVident: request.navIdent }),
          ...(request.groups === undefined ? {} : { groups: [...request.groups] }),
          ...(request.name === undefined ? {} : { name: request.name }),
          ...request.claims,
        },
        { expiresInSeconds: lifetime },
      );
    },
  };
  return { endpoints, signer, api };
}
