import type { AzureConfig, EnvironmentRecord, MaskinportenConfig, MaskinportenValidationConfig } from '@nav-auth/core';
import type { AzureClientOptions, MaskinportenClientOptions, TokenValidatorOptions } from '@nav-auth/node';
import type { PdpClientOptions } from '@nav-auth/pdp';

/** Which identity provider a route trusts. */
export type NavAuthIssuer = 'azure' | 'maskinporten';

/** Options of {@link NavAuthModule}. Everything defaults to the NAIS environment. */
export interface NavAuthModuleOptions {
  /**
   * Issuer of routes that name none with `@UseIssuer`. There is no implicit default: a guarded
   * route that names no issuer, with this unset, fails startup.
   */
  readonly defaultIssuer?: NavAuthIssuer;
  /** Also set `request.user` to the principal, as `@nestjs/passport` and keycloak-connect do (default `false`). */
  readonly requestUser?: boolean;
  /**
   * Azure AD. Default: on when `AZURE_APP_CLIENT_ID` is set (environment or NAIS secret files).
   * `false` turns it off.
   */
  readonly azure?:
    | false
    | {
        readonly config?: AzureConfig;
        /** Tenants and other validator settings (issuer, JWKS and audience come from `config`). */
        readonly validator?: Pick<TokenValidatorOptions, 'clockToleranceSeconds' | 'maxTokenAgeSeconds' | 'cacheMaxEntries' | 'jwks'>;
        readonly client?: Omit<AzureClientOptions, 'config'>;
      };
  /**
   * Maskinporten. Validation is on when `MASKINPORTEN_ISSUER` is set, the token client when
   * `MASKINPORTEN_CLIENT_ID` is. `false` turns both off.
   */
  readonly maskinporten?:
    | false
    | {
        readonly validation?: MaskinportenValidationConfig;
        /** Require audience-restricted tokens with this `aud` on every Maskinporten route. */
        readonly audience?: string;
        readonly allowedConsumerOrgs?: readonly string[];
        readonly validator?: Pick<TokenValidatorOptions, 'clockToleranceSeconds' | 'maxTokenAgeSeconds' | 'cacheMaxEntries' | 'jwks'>;
        readonly client?: Omit<MaskinportenClientOptions, 'config'> & { readonly config?: MaskinportenConfig };
      };
  /** The Altinn PDP, for `@RequireSystemUserAccess`; its Maskinporten client is the module's. */
  readonly pdp?: Omit<PdpClientOptions, 'maskinporten'>;
  /** Where configuration is read (default `process.env`, then the NAIS secret files). */
  readonly env?: EnvironmentRecord;
  readonly secretsDirs?: { readonly azure?: string; readonly maskinporten?: string };
}
