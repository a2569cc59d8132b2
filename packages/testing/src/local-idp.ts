import { randomBytes } from 'node:crypto';
import { createAltinnIssuer } from './altinn/altinn-issuer.js';
import { createAzureIssuer } from './azure/azure-issuer.js';
import { createGenericIssuer } from './generic/generic-issuer.js';
import { createIdportenIssuer } from './idporten/idporten-issuer.js';
import { type IssuerHost, type IssuerSigner, type MintOptions, mintAs } from './issuer/issuer-host.js';
import { IssuerKeys } from './keys/issuer-keys.js';
import type { JWK } from './keys/jwk.js';
import { createLoopbackTlsCredentials } from './keys/loopback-tls-credentials.js';
import { createMaskinportenIssuer } from './maskinporten/maskinporten-issuer.js';
import { mintRoutes } from './mint/mint-endpoint.js';
import type { PdpObligation, SystemUserRecord } from './registry.js';
import { type Fault, FaultTable } from './server/faults.js';
import { LocalHttpServer, type RecordedRequest, type Route } from './server/http-server.js';
import { createTokenxIssuer } from './tokenx/tokenx-issuer.js';

export type { MintOptions } from './issuer/issuer-host.js';

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
  | 'idporten.discovery'
  | 'idporten.jwks'
  /** Endpoints ID-porten's discovery document lists that the emulator answers 501 on (authorize, token, ...). */
  | 'idporten.unimplemented'
  | 'tokenx.discovery'
  | 'tokenx.token'
  | 'tokenx.jwks'
  | 'mint';

/** The issuers the IdP signs for. */
export type LocalIssuer = 'maskinporten' | 'azure' | 'generic' | 'altinn' | 'idporten' | 'tokenx';

/** Options for {@link startLocalIdp}. */
export interface LocalIdpOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** The IdP's clock, for tests with a fixed time (default: the system clock). */
  readonly now?: () => Date;
  /** `expires_in` of issued and minted access tokens, in seconds (default 3599, like Maskinporten; TokenX 900, like tokendings). */
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

/** A registered ID-porten client (the one a login proxy such as Wonderwall logs in with), with the environment its app gets. */
export interface RegisteredIdportenClient {
  readonly clientId: string;
  /** `IDPORTEN_AUDIENCE`, `IDPORTEN_WELL_KNOWN_URL`, `IDPORTEN_ISSUER` and `IDPORTEN_JWKS_URI` as NAIS injects them. */
  readonly env: Readonly<Record<string, string>>;
}

/** A registered TokenX app, with the environment it needs to exchange tokens and validate TokenX tokens. */
export interface RegisteredTokenXApp {
  /** The app's name, `cluster:namespace:app`: TokenX client ids are app names. */
  readonly clientId: string;
  /** The generated private JWK; `undefined` when you registered your own public key. */
  readonly privateJwk: JWK | undefined;
  /** `TOKEN_X_*` variables as NAIS injects them. */
  readonly env: Readonly<Record<string, string>>;
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
  /** ID-porten (`<url>/idporten`): its OpenID discovery and JWKS. Tokens are minted; there is no login. */
  readonly idporten: IssuerEndpoints;
  /** TokenX, tokendings (`<url>/tokenx`): RFC 8414 discovery, the token exchange endpoint and the JWKS. */
  readonly tokenx: IssuerEndpoints;

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

  /**
   * Registers an ID-porten client and returns the environment of the app behind it;
   * `clientId` (`IDPORTEN_AUDIENCE`) defaults to a new UUID.
   */
  registerIdportenClient(options?: { readonly clientId?: string }): RegisteredIdportenClient;

  /**
   * Registers an app with TokenX by its name `cluster:namespace:app`, which is its client id;
   * generates its RSA key unless you pass `publicJwk`.
   */
  registerTokenXApp(options: {
    readonly name: string;
    /** Names of the apps allowed to exchange tokens for this one: its inbound access policy (default: none). */
    readonly inbound?: readonly string[];
    readonly publicJwk?: JWK;
  }): Promise<RegisteredTokenXApp>;

  /**
   * A valid ID-porten access token for a client, as the Wonderwall login proxy forwards it: a
   * pairwise `sub`, `pid`, `acr`, `amr`, `client_id`, `client_amr`, `scope`. The client need not
   * be registered: a token for another client is one an app must refuse.
   */
  mintIdportenToken(options: {
    /** The client the token is for (`IDPORTEN_AUDIENCE`): its `aud`. */
    readonly audience: string;
    /** The citizen's national id (default: a synthetic fødselsnummer, 01819012365). */
    readonly pid?: string;
    /** `idporten-loa-high` (default) or `idporten-loa-substantial`. */
    readonly acr?: string;
    /** Default `['BankID']`, or `['MinID']` for `idporten-loa-substantial`. */
    readonly amr?: readonly string[];
    /** `client_id` (default: `audience`). */
    readonly clientId?: string;
    readonly claims?: Readonly<Record<string, unknown>>;
  }): Promise<string>;

  /**
   * A valid TokenX token for an app, as tokendings issues it after `clientId` exchanged a
   * citizen's ID-porten token: the ID-porten claims, `aud` the target, `client_id` the consumer,
   * `idp`, and `acr` mapped to `Level3`/`Level4`. Neither app need be registered.
   */
  mintTokenXToken(options: {
    /** The app the token is for, `cluster:namespace:app` (any string is taken, for negative tests). */
    readonly audience: string;
    /** The consumer that exchanged it, `cluster:namespace:app`: `client_id`. */
    readonly clientId: string;
    readonly pid?: string;
    /** Default `Level4` (tokendings' mapping of `idporten-loa-high`); an `idporten-loa-*` value is mapped too. */
    readonly acr?: string;
    /** Default `idp.idporten.issuer`. */
    readonly idp?: string;
    readonly claims?: Readonly<Record<string, unknown>>;
  }): Promise<string>;

  /** Rotates an issuer's signing key; the old key stays in the JWKS unless `dropPrevious`. */
  rotateKeys(issuer: LocalIssuer, options?: { readonly dropPrevious?: boolean }): Promise<void>;

  /** Arms a fault on an endpoint for the next `times` requests (default: until cleared). */
  injectFault(endpoint: LocalIdpEndpoint, fault: Fault, times?: number): void;
  /** Disarms the faults on an endpoint, or on every endpoint when none is given. */
  clearFaults(endpoint?: LocalIdpEndpoint): void;

  /** Every request received, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /**
   * Every token its issuers signed (access, ID, Altinn and minted tokens), oldest first: with
   * `requests`, every secret a test must find nowhere else (a log, a span, a metric).
   */
  readonly issuedTokens: readonly string[];
  /** Takes the oldest request not taken yet, optionally for one endpoint (like mock-oauth2-server's `takeRequest`). */
  takeRequest(endpoint?: LocalIdpEndpoint): RecordedRequest | undefined;

  /** Stops the server and drops every open connection, hanging ones included. */
  close(): Promise<void>;
}

const DEFAULT_TENANT = '62366534-1ec3-4962-8869-9b5535279d0b';

/**
 * Starts a strict local Maskinporten, Azure AD, generic authorization server, Altinn (token
 * exchange + PDP), ID-porten and TokenX on 127.0.0.1, each issuer with its own path, discovery
 * document, JWKS and key, behind one server. Each issuer's rules live in its own folder
 * (`maskinporten/`, `azure/`, `generic/`, `altinn/`, `idporten/`, `tokenx/`).
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
  const routes = new Map<string, Route>();
  const faults = new FaultTable<LocalIdpEndpoint>();
  const tls = options.https ? createLoopbackTlsCredentials() : undefined;
  const server = new LocalHttpServer(routes, faults, now, tls);
  const origin = (await server.listen(options.port ?? 0, '127.0.0.1')).origin;
  const issuedTokens: string[] = [];
  const host: IssuerHost = {
    origin,
    now,
    tokenLifetimeSeconds: (issuerDefault) => options.tokenLifetimeSeconds ?? issuerDefault,
    route: (url, endpoint, methods, handle) => routes.set(new URL(url).pathname, { endpoint, methods, handle }),
    createKeys: () => IssuerKeys.create((token) => issuedTokens.push(token)),
  };

  // Maskinporten names Altinn's system users in its tokens; Altinn registers them.
  const systemUsers: SystemUserRecord[] = [];
  const maskinporten = await createMaskinportenIssuer(host, systemUsers);
  const azure = await createAzureIssuer(host, options.tenantId ?? DEFAULT_TENANT);
  const generic = await createGenericIssuer(host);
  const altinn = await createAltinnIssuer(host, {
    maskinporten: maskinporten.signer,
    systemUsers,
    subscriptionKey: options.subscriptionKey ?? randomBytes(16).toString('hex'),
    responseCase: options.pdpResponseCase ?? 'camel',
  });
  const idporten = await createIdportenIssuer(host);
  const tokenx = await createTokenxIssuer(host, idporten);
  const signers: Record<LocalIssuer, IssuerSigner> = {
    maskinporten: maskinporten.signer,
    azure: azure.signer,
    generic: generic.signer,
    altinn: altinn.signer,
    idporten: idporten.signer,
    tokenx: tokenx.signer,
  };

  const handle: LocalIdp = {
    url: origin,
    tlsCaPem: tls?.caPem,
    maskinporten: maskinporten.endpoints,
    azure: azure.endpoints,
    generic: generic.endpoints,
    altinn: altinn.endpoints,
    idporten: idporten.endpoints,
    tokenx: tokenx.endpoints,
    ...maskinporten.api,
    ...azure.api,
    ...generic.api,
    ...altinn.api,
    ...idporten.api,
    ...tokenx.api,
    mintToken: (issuer, claims, mintOptions) => mintAs(signers[issuer], now, claims, mintOptions),
    rotateKeys: (issuer, rotation) => signers[issuer].keys.rotate(rotation),
    injectFault: (endpoint, fault, times) => faults.inject(endpoint, fault, times),
    clearFaults: (endpoint) => faults.clear(endpoint),
    requests: server.log,
    issuedTokens,
    takeRequest: (endpoint) => server.takeRequest(endpoint),
    close: () => server.close(),
  };
  // POST /_mint/<kind> for `nav-auth idp mint`: loopback callers only, never a browser (mint/mint-endpoint.ts).
  for (const [mintPath, mintRoute] of mintRoutes({ origin, idp: handle, systemUsers, now })) routes.set(mintPath, mintRoute);
  return handle;
}
