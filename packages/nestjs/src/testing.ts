/**
 * @nav-auth/nestjs/testing: points an app's own `NavAuthModule` at a local identity provider
 * from `@nav-auth/testing` in a `Test.createTestingModule` test, and mints tokens for the app.
 *
 * @example
 * ```ts
 * import { localIdpAuth } from '@nav-auth/nestjs/testing';
 * import { startLocalIdp } from '@nav-auth/testing';
 * import { Test } from '@nestjs/testing';
 *
 * const idp = await startLocalIdp();
 * const auth = await localIdpAuth(idp, { azure: 'dev-gcp:team:my-api' });
 * const moduleRef = await auth.override(Test.createTestingModule({ imports: [AppModule] })).compile();
 * const token = await auth.azureUserToken({ navIdent: 'Z990000' });
 * // Citizens: ID-porten (through the login proxy) and TokenX.
 * const citizen = await localIdpAuth(idp, { idporten: true, tokenx: 'dev-gcp:team:my-api' });
 * const idportenToken = await citizen.idportenToken({ acr: 'idporten-loa-substantial' });
 * const tokenxToken = await citizen.tokenxToken({ clientId: 'dev-gcp:team:frontend' });
 * ```
 *
 * @packageDocumentation
 */
import { InvalidInputError } from '@nav-auth/core';
import type {
  LocalIdp,
  RegisteredAzureApp,
  RegisteredIdportenClient,
  RegisteredMaskinportenClient,
  RegisteredTokenXApp,
} from '@nav-auth/testing';
import type { NavAuthModuleOptions } from './nav-auth.options.js';
import { NAV_AUTH_CONFIG_SOURCE } from './tokens.js';

/** What the app is, at the local IdP. */
export interface LocalIdpAuthOptions {
  /** The app's Azure AD name (`cluster:namespace:app`), or its registration: its `AZURE_*` configure the module. */
  readonly azure?: string | Parameters<LocalIdp['registerAzureApp']>[0];
  /**
   * Maskinporten: `true` to validate its tokens (`MASKINPORTEN_ISSUER`, `MASKINPORTEN_JWKS_URI`),
   * or a client registration to also get tokens (`MaskinportenTokenService`, the PDP).
   */
  readonly maskinporten?: true | Parameters<LocalIdp['registerMaskinportenClient']>[0];
  /**
   * The app's TokenX name (`cluster:namespace:app`), or its registration (`inbound`: the apps that
   * may exchange tokens for it): its `TOKEN_X_*`, private key included, configure validation
   * and `TokenXTokenService`.
   */
  readonly tokenx?: string | Parameters<LocalIdp['registerTokenXApp']>[0];
  /** ID-porten: `true`, or a client registration, for the client the login proxy logs in with (`IDPORTEN_*`). */
  readonly idporten?: true | NonNullable<Parameters<LocalIdp['registerIdportenClient']>[0]>;
}

/** Anything with Nest's `overrideProvider(token).useValue(value)`, as `TestingModuleBuilder` has. */
export interface ProviderOverrides<Builder> {
  /** Starts overriding the provider of `token`. */
  overrideProvider(token: unknown): {
    /** Replaces the provider with `value` and returns the builder. */
    useValue(value: unknown): Builder;
  };
}

type UserTokenOptions = Omit<Parameters<LocalIdp['mintAzureUserToken']>[0], 'audience'>;
type MaskinportenTokenOptions = Omit<Parameters<LocalIdp['mintMaskinportenToken']>[0], 'audience'> & { readonly audience?: string };
type IdportenTokenOptions = Omit<Parameters<LocalIdp['mintIdportenToken']>[0], 'audience'>;
type TokenXTokenOptions = Omit<Parameters<LocalIdp['mintTokenXToken']>[0], 'audience'>;

/** The app's configuration at the local IdP, and tokens for it. */
export interface LocalIdpAuth {
  /** The variables NAIS would inject: `AZURE_*`, `MASKINPORTEN_*`, `TOKEN_X_*`, `IDPORTEN_*`. Test values only. */
  readonly env: Readonly<Record<string, string>>;
  readonly azureApp: RegisteredAzureApp | undefined;
  readonly maskinportenClient: RegisteredMaskinportenClient | undefined;
  readonly tokenxApp: RegisteredTokenXApp | undefined;
  readonly idportenClient: RegisteredIdportenClient | undefined;
  /** Makes the app's `NavAuthModule`, whatever its own options, read this configuration (and no secret files). */
  override<Builder extends ProviderOverrides<Builder>>(builder: Builder): Builder;
  /** A user token (`NAVident`, `groups`, `scp`) for the app. */
  azureUserToken(options?: UserTokenOptions): Promise<string>;
  /** An app token for the app from `caller` (an app registered at the IdP), with the roles `caller` holds on the app. */
  azureAppToken(caller: string, claims?: Readonly<Record<string, unknown>>): Promise<string>;
  /** A Maskinporten token for a consumer. */
  maskinportenToken(options: MaskinportenTokenOptions): Promise<string>;
  /** A citizen's ID-porten access token for the app, as the login proxy forwards it (login level high unless `acr` says otherwise). */
  idportenToken(options?: IdportenTokenOptions): Promise<string>;
  /** A TokenX token for the app, as if `clientId` (`cluster:namespace:app`) had exchanged a citizen's token for it. */
  tokenxToken(options: TokenXTokenOptions): Promise<string>;
}

/**
 * Registers the app at `idp` and returns its configuration and token makers. `override`
 * replaces only where the module reads configuration, so the app's own options (issuer
 * defaults, guard, PDP) stay as they are.
 */
export async function localIdpAuth(idp: LocalIdp, options: LocalIdpAuthOptions): Promise<LocalIdpAuth> {
  const azure = typeof options.azure === 'string' ? { name: options.azure } : options.azure;
  const azureApp = azure === undefined ? undefined : await idp.registerAzureApp(azure);
  const maskinporten = options.maskinporten;
  const maskinportenClient =
    maskinporten === undefined || maskinporten === true ? undefined : await idp.registerMaskinportenClient(maskinporten);
  const tokenx = typeof options.tokenx === 'string' ? { name: options.tokenx } : options.tokenx;
  const tokenxApp = tokenx === undefined ? undefined : await idp.registerTokenXApp(tokenx);
  const idportenClient =
    options.idporten === undefined ? undefined : idp.registerIdportenClient(options.idporten === true ? {} : options.idporten);
  const env: Record<string, string> = {
    ...azureApp?.env,
    ...(maskinporten === undefined
      ? {}
      : { MASKINPORTEN_ISSUER: idp.maskinporten.issuer, MASKINPORTEN_JWKS_URI: idp.maskinporten.jwksUri }),
    ...maskinportenClient?.env,
    ...tokenxApp?.env,
    ...idportenClient?.env,
  };
  // No secret files: a developer machine or CI runner must not leak its own into the test.
  const source: Pick<NavAuthModuleOptions, 'env' | 'secretsDirs'> = {
    env,
    secretsDirs: { azure: '/nonexistent/nav-auth-testing', maskinporten: '/nonexistent/nav-auth-testing' },
  };
  const appName = () => {
    if (azureApp === undefined) throw new InvalidInputError('azure', 'is needed to mint Azure AD tokens for the app');
    return azureApp.name;
  };
  const tokenxAudience = () => {
    if (tokenxApp === undefined) throw new InvalidInputError('tokenx', 'is needed to mint TokenX tokens for the app');
    return tokenxApp.clientId;
  };
  const idportenAudience = () => {
    if (idportenClient === undefined) throw new InvalidInputError('idporten', 'is needed to mint ID-porten tokens for the app');
    return idportenClient.clientId;
  };
  return {
    env,
    azureApp,
    maskinportenClient,
    tokenxApp,
    idportenClient,
    override: (builder) => builder.overrideProvider(NAV_AUTH_CONFIG_SOURCE).useValue(source),
    azureUserToken: (userOptions = {}) => idp.mintAzureUserToken({ ...userOptions, audience: appName() }),
    azureAppToken: (caller, claims) => idp.mintAzureAppToken({ caller, audience: appName(), ...(claims === undefined ? {} : { claims }) }),
    maskinportenToken: (tokenOptions) => idp.mintMaskinportenToken(tokenOptions),
    idportenToken: (tokenOptions = {}) => idp.mintIdportenToken({ ...tokenOptions, audience: idportenAudience() }),
    tokenxToken: (tokenOptions) => idp.mintTokenXToken({ ...tokenOptions, audience: tokenxAudience() }),
  };
}
