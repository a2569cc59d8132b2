import type { Reply } from '../server/http-server.js';

/** The Azure AD endpoints the discovery document names and the emulator implements. */
export interface AzureImplementedEndpoints {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
}

/**
 * Endpoints Entra publishes that the emulator lists but does not implement, under the tenant's
 * path, each with the sentence its 501 answer gives. Entra's userinfo endpoint lives on Microsoft
 * Graph; the emulator keeps it under the tenant so it never names a host it does not serve.
 */
export function azureUnimplementedEndpoints(tenantBase: string) {
  return {
    authorization_endpoint: {
      url: `${tenantBase}/oauth2/v2.0/authorize`,
      why: 'the local IdP has no login page: mint user tokens with mintAzureUserToken()',
    },
    device_authorization_endpoint: {
      url: `${tenantBase}/oauth2/v2.0/devicecode`,
      why: 'the local IdP does not implement the device code flow',
    },
    end_session_endpoint: { url: `${tenantBase}/oauth2/v2.0/logout`, why: 'the local IdP has no sessions to end' },
    userinfo_endpoint: { url: `${tenantBase}/oidc/userinfo`, why: 'the local IdP does not implement userinfo' },
    kerberos_endpoint: { url: `${tenantBase}/kerberos`, why: 'the local IdP does not implement Kerberos' },
  } as const;
}

/**
 * The v2.0 OpenID configuration with every member Entra publishes for a tenant (as
 * `https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration` answers),
 * pointing at the emulator. The `cloud_*`, `msgraph_host` and `rbac_url` members keep Entra's
 * public-cloud values: they name Microsoft services, which the emulator does not stand in for.
 */
export function buildAzureDiscoveryDocument(endpoints: AzureImplementedEndpoints, tenantBase: string): Record<string, unknown> {
  const unimplemented = azureUnimplementedEndpoints(tenantBase);
  return {
    token_endpoint: endpoints.tokenEndpoint,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: endpoints.jwksUri,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: endpoints.issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: unimplemented.userinfo_endpoint.url,
    authorization_endpoint: unimplemented.authorization_endpoint.url,
    device_authorization_endpoint: unimplemented.device_authorization_endpoint.url,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: unimplemented.end_session_endpoint.url,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: unimplemented.kerberos_endpoint.url,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** The answer of a listed but unimplemented endpoint: 501 with an OAuth-shaped error (RFC 6749 §11.4 allows extension codes). */
export function notImplementedReply(why: string): Reply {
  return { status: 501, body: { error: 'not_implemented', error_description: why } };
}
