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
 * ```
 */
import { InvalidInputError } from '@nav-auth/core';
import type { LocalIdp, RegisteredAzureApp, RegisteredMaskinportenClient } from '@nav-auth/testing';
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
}

/** Anything with Nest's `overrideProvider(token).useValue(value)`, as `TestingModuleBuilder` has. */
export interface ProviderOverrides<Builder> {
  overrideProvider(token: unknown): { useValue(value: unknown): Builder };
}

type UserTokenOptions = Omit<Parameters<LocalIdp['mintAzureUserToken']>[0], 'audience'>;
type MaskinportenTokenOptions = Omit<Parameters<LocalIdp['mintMaskinportenToken']>[0], 'audience'> & { readonly audience?: string };

/** The app's configuration at the local IdP, and tokens for it. */
export interface LocalIdpAuth {
  /** The variables NAIS would inject: `AZURE_*`, `MASKINPORTEN_*`. Test values only. */
  readonly env: Readonly<Record<string, string>>;
  readonly azureApp: RegisteredAzureApp | undefined;
  readonly maskinportenClient: RegisteredMaskinportenClient | undefined;
  /** Makes the app's `NavAuthModule`, whatever its own options, read this configuration (and no secret files). */
  override<Builder extends ProviderOverrides<Builder>>(builder: Builder): Builder;
  /** A user token (`NAVident`, `groups`, `scp`) for the app. */
  azureUserToken(options?: UserTokenOptions): Promise<string>;
  /** An app token for the app from `caller` (an app registered at the IdP), with the roles `caller` holds on the app. */
  azureAppToken(caller: string, claims?: Readonly<Record<string, unknown>>): Promise<string>;
  /** A Maskinporten token for a consumer. */
  maskinportenToken(options: MaskinportenTokenOptions): Promise<string>;
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
  const env: Record<string, string> = {
    ...azureApp?.env,
    ...(maskinporten === undefined
      ? {}
      : { MASKINPORTEN_ISSUER: idp.maskinporten.issuer, MASKINPORTEN_JWKS_URI: idp.maskinporten.jwksUri }),
    ...maskinportenClient?.env,
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
  return {
    env,
    azureApp,
    maskinportenClient,
    override: (builder) => builder.overrideProvider(NAV_AUTH_CONFIG_SOURCE).useValue(source),
    azureUserToken: (userOptions = {}) => idp.mintAzureUserToken({ ...userOptions, audience: appName() }),
    azureAppToken: (caller, claims) => idp.mintAzureAppToken({ caller, audience: appName(), ...(claims === undefined ? {} : { claims }) }),
    maskinportenToken: (tokenOptions) => idp.mintMaskinportenToken(tokenOptions),
  };
}
