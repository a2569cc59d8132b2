import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { type AltinnContext, handleAltinnExchange, handlePdp } from './altinn/altinn-endpoints.js';
import { type AzureApp, generateAzureCertificate, parseAzureCertificate } from './azure/azure-certificate-credential.js';
import { azureUnimplementedEndpoints, buildAzureDiscoveryDocument, notImplementedReply } from './azure/azure-discovery.js';
import { type AzureContext, azureAccessTokenClaims, azureAppClaims, handleAzureToken } from './azure/azure-token-endpoint.js';
import { type GenericContext, handleGenericToken } from './generic/generic-token-endpoint.js';
import { IssuerKeys, type SignOptions } from './keys/issuer-keys.js';
import { createLoopbackTlsCredentials } from './keys/loopback-tls-credentials.js';
import { handleMaskinportenToken, type MaskinportenContext } from './maskinporten/maskinporten-token-endpoint.js';
import { mintRoutes } from './mint/mint-endpoint.js';
import {
  type GenericClientRecord,
  isOrgno,
  type MaskinportenClientRecord,
  type PdpObligation,
  type PdpPolicy,
  SeenJtis,
  type SystemUserRecord,
} from './registry.js';
import { type Fault, FaultTable } from './server/faults.js';
import { LocalHttpServer, type RecordedRequest, type Reply, type Route } from './server/http-server.js';
import { answerOAuth } from './server/oauth-error.js';

/** The endpoints faults can be injected on and requests are logged under. */
export type LocalIdpEndpoint =
  | 'maskinporten.discovery'
  | 'maskinporten.token'
  | 'maskinporten.jwks'
  | 'azure.discovery'
  | 'azure.token'
  | 'azure.jwks'
  /** Endpoints Entra's discovery document lists that the emulator answers 501 on (authorize, logout, ...). */
  | 'azure.unimplemented'
  | 'generic.discovery'
  | 'generic.token'
  | 'generic.jwks'
  | 'altinn.exchange'
  | 'altinn.pdp'
  | 'mint';

/** The issuers the IdP signs for. */
export type LocalIssuer = 'maskinporten' | 'azure' | 'generic' | 'altinn';

/** Options for {@link startLocalIdp}. */
export interface LocalIdpOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** The IdP's clock, for tests with a fixed time (default: the system clock). */
  readonly now?: () => Date;
  /** `expires_in` of issued access tokens, in seconds (default 3599, like Maskinporten). */
  readonly tokenLifetimeSeconds?: number;
  /** Azure AD tenant id (default: a fixed GUID). */
  readonly tenantId?: string;
  /** The `Ocp-Apim-Subscription-Key` the PDP requires (default: random). */
  readonly subscriptionKey?: string;
  /** Answer the PDP in camelCase like the real service (default) or PascalCase like its docs. */
  readonly pdpResponseCase?: 'camel' | 'pascal';
  /**
   * Serve https instead of http (default false), with a certificate for 127.0.0.1 and localhost
   * from a CA generated at startup and exposed as {@link LocalIdp.tlsCaPem}. Clients that insist
   * on an https authority, such as msal-node, need it.
   */
  readonly https?: boolean;
}

/** Where an issuer lives. */
export interface IssuerEndpoints {
  readonly issuer: string;
  readonly wellKnownUrl: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
}

/** A registered Maskinporten client, with the environment an app needs to use it. */
export interface RegisteredMaskinportenClient {
  readonly clientId: string;
  /** The generated private JWK; `undefined` when you registered your own public key. */
  readonly privateJwk: JWK | undefined;
  /** `MASKINPORTEN_*` variables as NAIS injects them. */
  readonly env: Readonly<Record<string, string>>;
}

/** A certificate registered on an Azure AD app, with what msal-node's `clientCertificate` takes. */
export interface RegisteredAzureCertificate {
  /** The X.509 certificate, PEM. */
  readonly pem: string;
  /** Its private key, PKCS #8 PEM; `undefined` when you registered your own certificate. */
  readonly privateKeyPem: string | undefined;
  /** SHA-1 thumbprint, upper-case hex, as the Entra admin center shows it: assertions name it as `x5t`. */
  readonly thumbprint: string;
  /** SHA-256 thumbprint, upper-case hex: assertions name it as `x5t#S256`. */
  readonly thumbprintSha256: string;
}

/** A registered Azure AD app, with the environment an app needs to use it. */
export interface RegisteredAzureApp {
  readonly clientId: string;
  readonly name: string;
  readonly clientSecret: string | undefined;
  readonly privateJwk: JWK | undefined;
  /** The registered certificate, when `certificate` was asked for. */
  readonly certificate: RegisteredAzureCertificate | undefined;
  /** `AZURE_*` variables as NAIS injects them. */
  readonly env: Readonly<Record<string, string>>;
}

/** Options for {@link LocalIdp.mintToken}. */
export interface MintOptions extends SignOptions {
  /** Lifetime when `claims` sets no `exp` (default 300 s). */
  readonly expiresInSeconds?: number;
}

/** A running local identity provider. */
export interface LocalIdp {
  /** Base URL, `http://127.0.0.1:<port>` (`https://` with the `https` option). */
  readonly url: string;
  /**
   * With the `https` option, the PEM of the throwaway CA that issued the IdP's certificate (else
   * `undefined`). Trust it in the client: a file named by `NODE_EXTRA_CA_CERTS` when the client's
   * process starts, or undici's `new Agent({ connect: { ca } })`.
   */
  readonly tlsCaPem: string | undefined;
  readonly maskinporten: IssuerEndpoints;
  readonly azure: IssuerEndpoints & {
    readonly tenantId: string;
    /** The tenant's authority, `<url>/azure/<tenant id>`: msal-node's `auth.authority` (it needs the `https` option). */
    readonly authority: string;
  };
  readonly generic: IssuerEndpoints & {
    /**
     * `aud` of generic access tokens when the client registered no `audience` and sent no
     * `resource`: RFC 9068 §3 wants a default resource indicator then. `<url>/generic/default-resource`.
     */
    readonly defaultResource: string;
  };
  readonly altinn: { readonly issuer: string; readonly exchangeUrl: string; readonly pdpUrl: string; readonly subscriptionKey: string };

  /** Registers a Maskinporten client; generates its RSA key unless you pass `publicJwk`. */
  registerMaskinportenClient(options: {
    readonly orgno: string;
    readonly scopes: readonly string[];
    readonly clientId?: string;
    readonly publicJwk?: JWK;
    /** Organisations that delegated to this client (accepted as `consumer_org`). */
    readonly delegatedBy?: readonly string[];
  }): Promise<RegisteredMaskinportenClient>;

  /** Registers an Azure AD app named `cluster:namespace:app`, with a secret and a key unless turned off. */
  registerAzureApp(options: {
    readonly name: string;
    readonly clientId?: string;
    readonly secret?: boolean;
    readonly key?: boolean;
    /** App roles this app holds on other apps, by target name. */
    readonly roles?: Readonly<Record<string, readonly string[]>>;
    /** Names of the only apps allowed to call this one (default: every registered app). */
    readonly inbound?: readonly string[];
    /**
     * A certificate credential: `true` generates a self-signed RSA certificate and returns its
     * private key; a PEM string registers your own certificate. Assertions signed with its key
     * (RS256 or PS256) name it by its `x5t` or `x5t#S256` thumbprint. Default: none.
     */
    readonly certificate?: boolean | string;
  }): Promise<RegisteredAzureApp>;

  /** Registers a client of the generic authorization server, whose keys the IdP fetches from `jwksUri`. */
  registerGenericClient(options: {
    readonly clientId: string;
    readonly jwksUri: string;
    readonly scopes: readonly string[];
    /**
     * `aud` of its tokens and the only `resource` it may ask for; without it, `aud` is the
     * `resource` asked for, else `generic.defaultResource`.
     */
    readonly audience?: string;
  }): void;

  /** Registers an Altinn system user a vendor's Maskinporten client can ask tokens for. */
  registerSystemUser(options: {
    readonly id?: string;
    readonly systemId: string;
    readonly customerOrg: string;
    readonly vendorOrg: string;
  }): SystemUserRecord;

  /** Adds a row to the PDP's policy table; requests matching no row get `NotApplicable`. */
  addPdpPolicy(options: {
    readonly systemUserId: string;
    readonly resource: string;
    readonly action: string;
    readonly org: string;
    readonly decision?: 'Permit' | 'Deny';
    readonly obligations?: readonly PdpObligation[];
  }): void;

  /** Signs any claims with an issuer's key: `iss`, `iat`, `exp` and `jti` are filled in unless given. */
  mintToken(issuer: LocalIssuer, claims: Readonly<Record<string, unknown>>, options?: MintOptions): Promise<string>;

  /** A valid Azure AD v2 user access token (as after login or on-behalf-of) for a registered app. */
  mintAzureUserToken(options: {
    /** The app the token is for, by name or client id. */
    readonly audience: string;
    readonly navIdent?: string;
    readonly groups?: readonly string[];
    readonly scopes?: readonly string[];
    readonly name?: string;
    readonly claims?: Readonly<Record<string, unknown>>;
  }): Promise<string>;

  /**
   * A valid Azure AD v2 app token from `caller` to `audience` (both registered apps, by name or
   * client id), with the roles the caller holds there, as client credentials would give it.
   */
  mintAzureAppToken(options: {
    readonly caller: string;
    readonly audience: string;
    readonly claims?: Readonly<Record<string, unknown>>;
  }): Promise<string>;

  /** A valid Maskinporten access token as an API provider receives it. */
  mintMaskinportenToken(options: {
    readonly consumerOrg: string;
    readonly scopes: readonly string[];
    readonly audience?: string;
    readonly systemUser?: SystemUserRecord;
    readonly claims?: Readonly<Record<string, unknown>>;
  }): Promise<string>;

  /** Rotates an issuer's signing key; the old key stays in the JWKS unless `dropPrevious`. */
  rotateKeys(issuer: LocalIssuer, options?: { readonly dropPrevious?: boolean }): Promise<void>;

  /** Arms a fault on an endpoint for the next `times` requests (default: until cleared). */
  injectFault(endpoint: LocalIdpEndpoint, fault: Fault, times?: number): void;
  clearFaults(endpoint?: LocalIdpEndpoint): void;

  /** Every request received, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Takes the oldest request not taken yet, optionally for one endpoint (like mock-oauth2-server's `takeRequest`). */
  takeRequest(endpoint?: LocalIdpEndpoint): RecordedRequest | undefined;

  /** Stops the server and drops every open connection, hanging ones included. */
  close(): Promise<void>;
}

const DEFAULT_TENANT = '62366534-1ec3-4962-8869-9b5535279d0b';

async function generatedClientKey(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = randomUUID();
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

function json(body: unknown): Reply {
  return { status: 200, body };
}

/**
 * Starts a strict local Maskinporten, Azure AD, generic authorization server and Altinn
 * (token exchange + PDP) on 127.0.0.1, each issuer with its own path, discovery document,
 * JWKS and key.
 *
 * @example
 * const idp = await startLocalIdp();
 * const client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
 * Object.assign(process.env, client.env);
 * // ... run the code under test ...
 * await idp.close();
 */
export async function startLocalIdp(options: LocalIdpOptions = {}): Promise<LocalIdp> {
  const now = options.now ?? (() => new Date());
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  const tenantId = options.tenantId ?? DEFAULT_TENANT;
  const subscriptionKey = options.subscriptionKey ?? randomBytes(16).toString('hex');
  const keys: Record<LocalIssuer, IssuerKeys> = {
    maskinporten: await IssuerKeys.create(),
    azure: await IssuerKeys.create(),
    generic: await IssuerKeys.create(),
    altinn: await IssuerKeys.create(),
  };
  const maskinportenClients = new Map<string, MaskinportenClientRecord>();
  const azureApps = new Map<string, AzureApp>();
  const genericClients = new Map<string, GenericClientRecord>();
  const systemUsers: SystemUserRecord[] = [];
  const policies: PdpPolicy[] = [];
  const routes = new Map<string, Route>();
  const faults = new FaultTable<LocalIdpEndpoint>();
  const tls = options.https ? createLoopbackTlsCredentials() : undefined;
  const server = new LocalHttpServer(routes, faults, now, tls);
  const base = (await server.listen(options.port ?? 0, '127.0.0.1')).origin;

  const maskinporten: IssuerEndpoints = {
    issuer: `${base}/maskinporten/`,
    wellKnownUrl: `${base}/maskinporten/.well-known/oauth-authorization-server`,
    tokenEndpoint: `${base}/maskinporten/token`,
    jwksUri: `${base}/maskinporten/jwk`,
  };
  const azurePath = `/azure/${tenantId}`;
  const azure = {
    issuer: `${base}${azurePath}/v2.0`,
    wellKnownUrl: `${base}${azurePath}/v2.0/.well-known/openid-configuration`,
    tokenEndpoint: `${base}${azurePath}/oauth2/v2.0/token`,
    jwksUri: `${base}${azurePath}/discovery/v2.0/keys`,
    tenantId,
    authority: `${base}${azurePath}`,
  };
  const generic = {
    issuer: `${base}/generic`,
    wellKnownUrl: `${base}/generic/.well-known/openid-configuration`,
    tokenEndpoint: `${base}/generic/token`,
    jwksUri: `${base}/generic/jwks`,
    defaultResource: `${base}/generic/default-resource`,
  };
  const altinn = {
    issuer: `${base}/altinn/`,
    exchangeUrl: `${base}/altinn/authentication/api/v1/exchange/maskinporten`,
    pdpUrl: `${base}/altinn/authorization/api/v1/authorize`,
    subscriptionKey,
  };

  const maskinportenContext: MaskinportenContext = {
    issuer: maskinporten.issuer,
    keys: keys.maskinporten,
    clients: maskinportenClients,
    systemUsers,
    seenJtis: new SeenJtis(),
    tokenLifetimeSeconds: lifetime,
    now,
  };
  const azureContext: AzureContext = {
    ...azure,
    keys: keys.azure,
    apps: azureApps,
    tokenLifetimeSeconds: lifetime,
    now,
  };
  const genericContext: GenericContext = {
    ...generic,
    keys: keys.generic,
    clients: genericClients,
    seenJtis: new SeenJtis(),
    tokenLifetimeSeconds: lifetime,
    now,
  };
  const altinnContext: AltinnContext = {
    issuer: altinn.issuer,
    keys: keys.altinn,
    maskinporten: { issuer: maskinporten.issuer, keys: keys.maskinporten },
    subscriptionKey,
    policies,
    responseCase: options.pdpResponseCase ?? 'camel',
    now,
  };

  const path = (url: string) => new URL(url).pathname;
  const route = (url: string, endpoint: LocalIdpEndpoint, methods: readonly string[], handle: Route['handle']) =>
    routes.set(path(url), { endpoint, methods, handle });

  const maskinportenMetadata = {
    issuer: maskinporten.issuer,
    token_endpoint: maskinporten.tokenEndpoint,
    jwks_uri: maskinporten.jwksUri,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'RS512'],
    authorization_details_types_supported: ['urn:altinn:systemuser'],
  };
  route(maskinporten.wellKnownUrl, 'maskinporten.discovery', ['GET'], () => json(maskinportenMetadata));
  route(`${base}/maskinporten/.well-known/openid-configuration`, 'maskinporten.discovery', ['GET'], () => json(maskinportenMetadata));
  // RFC 8414 §3.1, which Digdir's well-known page cites: the suffix goes before the issuer's path.
  route(`${base}/.well-known/oauth-authorization-server/maskinporten`, 'maskinporten.discovery', ['GET'], () => json(maskinportenMetadata));
  route(maskinporten.tokenEndpoint, 'maskinporten.token', ['POST'], (request) =>
    answerOAuth(() => handleMaskinportenToken(maskinportenContext, request)),
  );
  route(maskinporten.jwksUri, 'maskinporten.jwks', ['GET'], () => json(keys.maskinporten.jwks()));

  const azureMetadata = buildAzureDiscoveryDocument(azure, azure.authority);
  route(azure.wellKnownUrl, 'azure.discovery', ['GET'], () => json(azureMetadata));
  for (const { url, why } of Object.values(azureUnimplementedEndpoints(azure.authority))) {
    route(url, 'azure.unimplemented', ['GET', 'POST'], () => notImplementedReply(why));
  }
  route(azure.tokenEndpoint, 'azure.token', ['POST'], (request) => answerOAuth(() => handleAzureToken(azureContext, request)));
  route(azure.jwksUri, 'azure.jwks', ['GET'], () => json(keys.azure.jwks()));

  const genericMetadata = {
    issuer: generic.issuer,
    token_endpoint: generic.tokenEndpoint,
    jwks_uri: generic.jwksUri,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['PS256', 'RS256', 'ES256'],
  };
  route(generic.wellKnownUrl, 'generic.discovery', ['GET'], () => json(genericMetadata));
  route(`${base}/generic/.well-known/oauth-authorization-server`, 'generic.discovery', ['GET'], () => json(genericMetadata));
  route(`${base}/.well-known/oauth-authorization-server/generic`, 'generic.discovery', ['GET'], () => json(genericMetadata));
  route(generic.tokenEndpoint, 'generic.token', ['POST'], (request) => answerOAuth(() => handleGenericToken(genericContext, request)));
  route(generic.jwksUri, 'generic.jwks', ['GET'], () => json(keys.generic.jwks()));

  route(altinn.exchangeUrl, 'altinn.exchange', ['GET'], (request) => handleAltinnExchange(altinnContext, request));
  route(altinn.pdpUrl, 'altinn.pdp', ['POST'], (request) => handlePdp(altinnContext, request));

  const seconds = () => Math.floor(now().getTime() / 1000);
  const issuerUrl: Record<LocalIssuer, string> = {
    maskinporten: maskinporten.issuer,
    azure: azure.issuer,
    generic: generic.issuer,
    altinn: altinn.issuer,
  };
  const mintToken: LocalIdp['mintToken'] = (issuer, claims, mintOptions = {}) => {
    const iat = seconds();
    return keys[issuer].sign(
      { iss: issuerUrl[issuer], iat, exp: iat + (mintOptions.expiresInSeconds ?? 300), jti: randomUUID(), ...claims },
      mintOptions,
    );
  };

  const findApp = (nameOrId: string) => azureApps.get(nameOrId) ?? [...azureApps.values()].find((app) => app.clientId === nameOrId);

  const handle: LocalIdp = {
    url: base,
    tlsCaPem: tls?.caPem,
    maskinporten,
    azure,
    generic,
    altinn,

    async registerMaskinportenClient(registration) {
      if (!isOrgno(registration.orgno)) throw new TypeError('orgno must be a valid 9-digit organisation number');
      const generated = registration.publicJwk === undefined ? await generatedClientKey() : undefined;
      const publicJwk = registration.publicJwk ?? (generated as { publicJwk: JWK }).publicJwk;
      if (typeof publicJwk.kid !== 'string') throw new TypeError('publicJwk needs a kid');
      const clientId = registration.clientId ?? randomUUID();
      maskinportenClients.set(clientId, {
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
          MASKINPORTEN_WELL_KNOWN_URL: maskinporten.wellKnownUrl,
          MASKINPORTEN_ISSUER: maskinporten.issuer,
          MASKINPORTEN_TOKEN_ENDPOINT: maskinporten.tokenEndpoint,
          MASKINPORTEN_JWKS_URI: maskinporten.jwksUri,
        },
      };
    },

    async registerAzureApp(registration) {
      if (!/^[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]+$/.test(registration.name)) throw new TypeError('name must be cluster:namespace:app');
      const clientSecret = registration.secret === false ? undefined : randomBytes(24).toString('base64url');
      const generated = registration.key === false ? undefined : await generatedClientKey();
      const clientId = registration.clientId ?? randomUUID();
      const ownPem = typeof registration.certificate === 'string' ? registration.certificate : undefined;
      const newCertificate = registration.certificate === true ? await generateAzureCertificate(registration.name, now()) : undefined;
      const certificatePem = ownPem ?? newCertificate?.pem;
      const parsed = certificatePem === undefined ? undefined : parseAzureCertificate(certificatePem);
      azureApps.set(registration.name, {
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
          AZURE_APP_WELL_KNOWN_URL: azure.wellKnownUrl,
          AZURE_OPENID_CONFIG_ISSUER: azure.issuer,
          AZURE_OPENID_CONFIG_TOKEN_ENDPOINT: azure.tokenEndpoint,
          AZURE_OPENID_CONFIG_JWKS_URI: azure.jwksUri,
        },
      };
    },

    registerGenericClient(registration) {
      genericClients.set(registration.clientId, {
        clientId: registration.clientId,
        jwksUri: registration.jwksUri,
        scopes: new Set(registration.scopes),
        audience: registration.audience,
      });
    },

    registerSystemUser(registration) {
      if (!isOrgno(registration.customerOrg) || !isOrgno(registration.vendorOrg))
        throw new TypeError('customerOrg and vendorOrg must be valid organisation numbers');
      const record = {
        id: registration.id ?? randomUUID(),
        systemId: registration.systemId,
        customerOrg: registration.customerOrg,
        vendorOrg: registration.vendorOrg,
      };
      systemUsers.push(record);
      return record;
    },

    addPdpPolicy(policy) {
      policies.push({ ...policy, decision: policy.decision ?? 'Permit', obligations: policy.obligations ?? [] });
    },

    mintToken,

    mintAzureAppToken(request) {
      const caller = findApp(request.caller);
      const target = findApp(request.audience);
      if (caller === undefined || target === undefined) throw new TypeError('caller and audience must be registered Azure apps');
      return mintToken(
        'azure',
        {
          ...azureAccessTokenClaims(
            azureContext,
            target.clientId,
            { clientId: caller.clientId, name: caller.name, azpacr: '1' },
            seconds(),
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
      return mintToken(
        'azure',
        {
          ...azureAccessTokenClaims(azureContext, app.clientId, frontend, seconds()),
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

    mintMaskinportenToken(request) {
      const consumer = { authority: 'iso6523-actorid-upis', ID: `0192:${request.consumerOrg}` };
      const user = request.systemUser;
      return mintToken(
        'maskinporten',
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

    rotateKeys: (issuer, rotation) => keys[issuer].rotate(rotation),
    injectFault: (endpoint, fault, times) => faults.inject(endpoint, fault, times),
    clearFaults: (endpoint) => faults.clear(endpoint),
    requests: server.log,
    takeRequest: (endpoint) => server.takeRequest(endpoint),
    close: () => server.close(),
  };
  // POST /_mint/<kind> for `nav-auth idp mint`: loopback callers only, never a browser (mint/mint-endpoint.ts).
  for (const [mintPath, mintRoute] of mintRoutes({ origin: base, idp: handle, systemUsers, now })) routes.set(mintPath, mintRoute);
  return handle;
}
