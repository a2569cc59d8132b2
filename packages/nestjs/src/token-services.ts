import type { AccessToken, AzureTokenOptions, MaskinportenTokenOptions } from '@nav-auth/node';
import { Inject, Injectable } from '@nestjs/common';
import type { NavAuthRuntime } from './nav-auth.runtime.js';
import { requestPrincipal } from './request-context.js';
import { NAV_AUTH_RUNTIME } from './tokens.js';

/** Maskinporten tokens for calling other organisations' APIs. */
@Injectable()
export class MaskinportenTokenService {
  constructor(@Inject(NAV_AUTH_RUNTIME) private readonly runtime: NavAuthRuntime) {}

  /** A token for `scopes` (cached; see `@nav-auth/node`'s Maskinporten client). */
  getToken(scopes: string | readonly string[], options?: MaskinportenTokenOptions): Promise<AccessToken> {
    const client = this.runtime.maskinportenClient;
    if (client === undefined)
      return Promise.reject(new TypeError('Maskinporten is not configured: set MASKINPORTEN_CLIENT_ID or maskinporten.client'));
    return client.getToken(scopes, options);
  }
}

/** Azure AD tokens: client credentials, and on-behalf-of the user of the current request. */
@Injectable()
export class AzureTokenService {
  constructor(@Inject(NAV_AUTH_RUNTIME) private readonly runtime: NavAuthRuntime) {}

  private client() {
    const client = this.runtime.azureClient;
    if (client === undefined) throw new TypeError('Azure AD is not configured: set AZURE_APP_CLIENT_ID or azure.config');
    return client;
  }

  /** An app token for `target` (`cluster:namespace:app` or an `api://…/.default` scope). */
  async clientCredentials(target: string, options?: AzureTokenOptions): Promise<AccessToken> {
    return this.client().clientCredentials(target, options);
  }

  /**
   * A token for `target` on behalf of the user who called this request: the guarded request's
   * own Azure AD user token is used, so handlers need not pass it along. Needs the module's
   * `requestContext: true`.
   */
  async onBehalfOf(target: string, options?: AzureTokenOptions): Promise<AccessToken> {
    const principal = requestPrincipal.getStore();
    if (principal?.issuer !== 'azure' || principal.claims.kind !== 'user') {
      throw new TypeError('on-behalf-of without a token needs requestContext: true and a guarded request with an Azure AD user token');
    }
    return this.client().onBehalfOf(principal.token, target, options);
  }

  /** A token for `target` on behalf of the user whose token you pass (see `@BearerToken()`). */
  async onBehalfOfToken(subjectToken: string, target: string, options?: AzureTokenOptions): Promise<AccessToken> {
    return this.client().onBehalfOf(subjectToken, target, options);
  }
}
