import type {
  AzureConfig,
  EnvironmentRecord,
  IdportenConfig,
  MaskinportenConfig,
  MaskinportenValidationConfig,
  TokenXConfig,
} from '@nav-auth/core';
import type {
  AzureClientOptions,
  MaskinportenClientOptions,
  SharedTokenStore,
  TokenValidatorOptions,
  TokenXClientOptions,
} from '@nav-auth/node';
import type { PdpClientOptions } from '@nav-auth/pdp';

/**
 * Which identity provider a route trusts: Azure AD and Maskinporten for NAV's employees and
 * partners, ID-porten (through the login proxy) and TokenX for citizens.
 */
export type NavAuthIssuer = 'azure' | 'maskinporten' | 'tokenx' | 'idporten';

/** Validator settings a provider's options may carry; issuer, JWKS and audience come from its configuration. */
export type NavAuthValidatorSettings = Pick<
  TokenValidatorOptions,
  'clockToleranceSeconds' | 'maxTokenAgeSeconds' | 'cacheMaxEntries' | 'jwks'
>;

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
        readonly validator?: NavAuthValidatorSettings;
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
        readonly validator?: NavAuthValidatorSettings;
        readonly client?: Omit<MaskinportenClientOptions, 'config'> & { readonly config?: MaskinportenConfig };
      };
  /**
   * TokenX: citizens' tokens exchanged for this app by another app. Validation is on when
   * `TOKEN_X_CLIENT_ID` is set in `env` (or these options are given), the token client
   * (`TokenXTokenService`) when `TOKEN_X_PRIVATE_JWK` is too. `false` turns both off.
   */
  readonly tokenx?:
    | false
    | {
        readonly config?: TokenXConfig;
        readonly validator?: NavAuthValidatorSettings;
        /**
         * The `client_id`s (`cluster:namespace:app`) accepted on every TokenX token. Defence in
         * depth behind TokenX's inbound access policy; `@AllowedClients` narrows it per route.
         */
        readonly allowedClients?: readonly string[];
        readonly client?: Omit<TokenXClientOptions, 'config'>;
      };
  /**
   * ID-porten: citizens' access tokens, as the login proxy (Wonderwall) forwards them. On when
   * `IDPORTEN_AUDIENCE` is set in `env` (or these options are given). `false` turns it off.
   */
  readonly idporten?:
    | false
    | {
        readonly config?: IdportenConfig;
        readonly validator?: NavAuthValidatorSettings;
        /**
         * The login proxy's login path (`/oauth2/login`). When set, a browser navigation
         * (`Sec-Fetch-Mode: navigate`) to an ID-porten route without a usable token gets, with
         * its 401, `Location: <loginUrl>?level=<acr>&redirect=<path and query>`.
         */
        readonly loginUrl?: string;
      };
  /** The Altinn PDP, for `@RequireSystemUserAccess`; its Maskinporten client is the module's. */
  readonly pdp?: Omit<PdpClientOptions, 'maskinporten'>;
  /**
   * A token cache shared by every replica, under each client's own (`createValkeyTokenStore`
   * from `@nav-auth/valkey`, on NAIS' Valkey): the Maskinporten, Azure AD and TokenX clients all
   * use it unless their own `client` options name another. Opt-in; tokens never depend on it.
   */
  readonly sharedStore?: SharedTokenStore;
  /**
   * Started when the module is created and stopped when the application shuts down: pass
   * `instrumentNavAuth` from `@nav-auth/otel` (or `() => createPrometheusCollector()`). nav-auth's
   * events are process-wide, so it sees every client, validator and PDP call of the module.
   */
  readonly observability?: () => {
    /** Stops the instrumentation on application shutdown. */
    stop(): void;
  };
  /**
   * Where configuration is read (default `process.env`, then the NAIS secret files for Azure AD
   * and Maskinporten; TokenX and ID-porten come from the environment only, as NAIS gives them).
   */
  readonly env?: EnvironmentRecord;
  /** Where the NAIS secret files are read from, per provider (default: the NAIS mount paths). */
  readonly secretsDirs?: { readonly azure?: string; readonly maskinporten?: string };
}
