import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { createLocalJWKSet, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, type RegisteredAzureApp, startLocalIdp } from '../src/index.js';
import { buildX509Certificate } from '../src/keys/x509-certificate.js';
import { nowSeconds, postForm, signJwt, uuid } from './support/http.js';

let idp: LocalIdp;
let caller: RegisteredAzureApp;
let api: RegisteredAzureApp;
let guarded: RegisteredAzureApp;
const apiScope = 'api://dev-gcp.team.api/.default';

beforeAll(async () => {
  idp = await startLocalIdp();
  caller = await idp.registerAzureApp({ name: 'dev-gcp:team:caller', roles: { 'dev-gcp:team:api': ['read'] } });
  api = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
  guarded = await idp.registerAzureApp({ name: 'dev-gcp:other:guarded', inbound: ['dev-gcp:team:api'] });
});
afterAll(() => idp.close());

async function verify(token: string): Promise<JWTPayload> {
  const jwks = (await (await fetch(idp.azure.jwksUri)).json()) as { keys: JWK[] };
  return (await jwtVerify(token, createLocalJWKSet(jwks), { issuer: idp.azure.issuer, algorithms: ['RS256'] })).payload;
}

function assertionClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const iat = nowSeconds();
  return {
    iss: caller.clientId,
    sub: caller.clientId,
    aud: idp.azure.tokenEndpoint,
    jti: uuid(),
    iat,
    nbf: iat,
    exp: iat + 60,
    ...overrides,
  };
}

async function withAssertion(assertion: string, extra: Record<string, string> = {}) {
  return postForm(idp.azure.tokenEndpoint, {
    grant_type: 'client_credentials',
    scope: apiScope,
    client_id: caller.clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    ...extra,
  });
}

describe('Azure AD token endpoint: client credentials', () => {
  it('issues an app token with roles, idtyp app and azp for a client secret (post)', async () => {
    const response = await postForm(idp.azure.tokenEndpoint, {
      grant_type: 'client_credentials',
      scope: apiScope,
      client_id: caller.clientId,
      client_secret: caller.clientSecret as string,
    });
    expect(response.status).toBe(200);
    const claims = await verify(response.body.access_token as string);
    expect(claims).toMatchObject({
      aud: api.clientId,
      azp: caller.clientId,
      azp_name: 'dev-gcp:team:caller',
      idtyp: 'app',
      roles: ['access_as_application', 'read'],
      tid: idp.azure.tenantId,
      ver: '2.0',
      azpacr: '1',
    });
    expect(claims.scp).toBeUndefined();
  });

  it('accepts client_secret_basic and resolves api://<client id>/.default', async () => {
    const basic = Buffer.from(`${encodeURIComponent(caller.clientId)}:${encodeURIComponent(caller.clientSecret as string)}`).toString(
      'base64',
    );
    const response = await postForm(
      idp.azure.tokenEndpoint,
      { grant_type: 'client_credentials', scope: `api://${api.clientId}/.default` },
      { authorization: `Basic ${basic}` },
    );
    expect(response.status).toBe(200);
    expect((await verify(response.body.access_token as string)).aud).toBe(api.clientId);
  });

  it('accepts a client assertion signed with the app key whose aud is the token endpoint', async () => {
    const response = await withAssertion(await signJwt(caller.privateJwk as JWK, assertionClaims()));
    expect(response.status).toBe(200);
    expect((await verify(response.body.access_token as string)).azpacr).toBe('2');
  });

  it('accepts a client assertion whose aud is the issuer, as Texas sends it and Entra accepts it', async () => {
    const response = await withAssertion(await signJwt(caller.privateJwk as JWK, assertionClaims({ aud: idp.azure.issuer })));
    expect(response.status).toBe(200);
  });

  it.each<[string, () => Promise<string>]>([
    ['aud = the JWKS URI', () => signJwt(caller.privateJwk as JWK, assertionClaims({ aud: idp.azure.jwksUri }))],
    ['sub different from iss', () => signJwt(caller.privateJwk as JWK, assertionClaims({ sub: 'someone' }))],
    ['a lifetime over 10 minutes', () => signJwt(caller.privateJwk as JWK, assertionClaims({ exp: nowSeconds() + 601 }))],
    ['an expired assertion', () => signJwt(caller.privateJwk as JWK, assertionClaims({ exp: nowSeconds() - 1 }))],
    ['another app key', () => signJwt(api.privateJwk as JWK, assertionClaims(), { kid: (caller.privateJwk as JWK).kid })],
    ['an embedded jwk header', () => signJwt(caller.privateJwk as JWK, assertionClaims(), { jwk: { kty: 'RSA' } })],
  ])('refuses an assertion with %s (401 invalid_client)', async (_name, assertion) => {
    const response = await withAssertion(await assertion());
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
  });

  it('accepts the same assertion again until it expires, as Entra does (msal-node reuses its certificate assertion)', async () => {
    const assertion = await signJwt(caller.privateJwk as JWK, assertionClaims());
    expect((await withAssertion(assertion)).status).toBe(200);
    expect((await withAssertion(assertion)).status).toBe(200);
  });

  it('accepts PS256 as well as RS256 with the app key, as Entra does for any RSA key', async () => {
    const response = await withAssertion(await signJwt(caller.privateJwk as JWK, assertionClaims(), { alg: 'PS256' }));
    expect(response.status).toBe(200);
  });

  it('ignores the parameters and headers msal-node adds, as Entra does', async () => {
    const response = await postForm(
      idp.azure.tokenEndpoint,
      {
        grant_type: 'client_credentials',
        scope: apiScope,
        client_id: caller.clientId,
        client_secret: caller.clientSecret as string,
        'x-client-SKU': 'msal.js.node',
        'x-client-VER': '7.2.1',
        'x-client-OS': 'linux',
        'x-client-CPU': 'x64',
        'x-ms-lib-capability': 'retry-after, h429',
        'x-client-current-telemetry': '5|771,2,,,|,',
        'x-client-last-telemetry': '5|0|||0,0',
        'client-request-id': uuid(),
        claims: JSON.stringify({ access_token: { xms_cc: { values: ['cp1'] } } }),
      },
      { 'x-client-sku': 'msal.js.node', 'x-ms-lib-capability': 'retry-after, h429', 'client-request-id': uuid() },
    );
    expect(response.status).toBe(200);
  });

  it('refuses a wrong secret, no authentication and two methods at once', async () => {
    const base = { grant_type: 'client_credentials', scope: apiScope, client_id: caller.clientId };
    expect((await postForm(idp.azure.tokenEndpoint, { ...base, client_secret: 'wrong' })).status).toBe(401);
    expect((await postForm(idp.azure.tokenEndpoint, base)).body.error).toBe('invalid_client');
    const both = await withAssertion(await signJwt(caller.privateJwk as JWK, assertionClaims()), {
      client_secret: caller.clientSecret as string,
    });
    expect(both.body.error).toBe('invalid_request');
  });

  it('refuses unknown targets, several scopes and callers the target has not pre-authorized', async () => {
    const auth = { grant_type: 'client_credentials', client_id: caller.clientId, client_secret: caller.clientSecret as string };
    expect((await postForm(idp.azure.tokenEndpoint, { ...auth, scope: 'api://dev-gcp.team.nobody/.default' })).body.error).toBe(
      'invalid_scope',
    );
    expect((await postForm(idp.azure.tokenEndpoint, { ...auth, scope: `${apiScope} openid` })).body.error).toBe('invalid_scope');
    expect((await postForm(idp.azure.tokenEndpoint, { ...auth, scope: 'api://dev-gcp.team.api/read' })).body.error).toBe('invalid_scope');
    const refused = await postForm(idp.azure.tokenEndpoint, { ...auth, scope: 'api://dev-gcp.other.guarded/.default' });
    expect(refused.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('AADSTS501051') });
    const allowed = await postForm(idp.azure.tokenEndpoint, {
      grant_type: 'client_credentials',
      client_id: api.clientId,
      client_secret: api.clientSecret as string,
      scope: 'api://dev-gcp.other.guarded/.default',
    });
    expect((await verify(allowed.body.access_token as string)).aud).toBe(guarded.clientId);
  });
});

describe('mintAzureAppToken', () => {
  it('mints the app token client credentials would give: roles, idtyp app, azp', async () => {
    const claims = await verify(await idp.mintAzureAppToken({ caller: 'dev-gcp:team:caller', audience: api.clientId }));
    expect(claims).toMatchObject({
      aud: api.clientId,
      azp: caller.clientId,
      azp_name: 'dev-gcp:team:caller',
      idtyp: 'app',
      roles: ['access_as_application', 'read'],
      ver: '2.0',
    });
    expect(() => idp.mintAzureAppToken({ caller: 'nobody', audience: api.name })).toThrow(TypeError);
  });
});

describe('Azure AD token endpoint: on-behalf-of', () => {
  const obo = (assertion: string, app: RegisteredAzureApp, scope = 'api://dev-gcp.other.guarded/.default') =>
    postForm(idp.azure.tokenEndpoint, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      assertion,
      scope,
      client_id: app.clientId,
      client_secret: app.clientSecret as string,
    });

  it('exchanges a user token for one to the target, keeping NAVident and groups', async () => {
    const userToken = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api', navIdent: 'Z990000', groups: ['g1'] });
    const response = await obo(userToken, api);
    expect(response.status).toBe(200);
    const claims = await verify(response.body.access_token as string);
    expect(claims).toMatchObject({
      aud: guarded.clientId,
      azp: api.clientId,
      NAVident: 'Z990000',
      groups: ['g1'],
      scp: 'defaultaccess',
      ver: '2.0',
    });
    expect(claims.idtyp).toBeUndefined();
    expect(claims.sub).not.toBe((await verify(userToken)).sub);
  });

  it('refuses a user token for another audience, an app token and a token from elsewhere', async () => {
    const forCaller = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:caller', navIdent: 'Z990000' });
    expect((await obo(forCaller, api)).body.error).toBe('invalid_grant');
    const appToken = await idp.mintToken('azure', { aud: api.clientId, idtyp: 'app', roles: ['access_as_application'], oid: uuid() });
    expect((await obo(appToken, api)).body.error).toBe('invalid_grant');
    const foreign = await idp.mintToken('maskinporten', { aud: api.clientId, scp: 'defaultaccess', oid: uuid() });
    expect((await obo(foreign, api)).body.error).toBe('invalid_grant');
    const expired = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api', claims: { exp: nowSeconds() - 5 } });
    expect((await obo(expired, api)).body.error).toBe('invalid_grant');
  });

  it('accepts openid, profile and offline_access beside the .default scope, as msal-node sends them', async () => {
    const userToken = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api', navIdent: 'Z990000' });
    for (const extra of ['openid profile offline_access', 'offline_access', 'openid']) {
      const response = await obo(userToken, api, `api://dev-gcp.other.guarded/.default ${extra}`);
      expect(response.status).toBe(200);
      expect((await verify(response.body.access_token as string)).aud).toBe(guarded.clientId);
    }
    const withOidcFirst = await obo(userToken, api, 'openid profile offline_access api://dev-gcp.other.guarded/.default');
    expect(withOidcFirst.status).toBe(200);
  });

  it('answers without refresh_token or id_token, with client_info only when client_info=1 asks for it', async () => {
    const userToken = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api', navIdent: 'Z990000' });
    const user = await verify(userToken);
    const plain = await obo(userToken, api, 'api://dev-gcp.other.guarded/.default offline_access');
    expect(Object.keys(plain.body).sort()).toEqual(['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    const withClientInfo = await postForm(idp.azure.tokenEndpoint, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      assertion: userToken,
      scope: 'api://dev-gcp.other.guarded/.default openid profile offline_access',
      client_id: api.clientId,
      client_secret: api.clientSecret as string,
      client_info: '1',
    });
    expect(withClientInfo.body.refresh_token).toBeUndefined();
    expect(withClientInfo.body.id_token).toBeUndefined();
    expect(JSON.parse(Buffer.from(withClientInfo.body.client_info as string, 'base64url').toString('utf8'))).toEqual({
      uid: user.oid,
      utid: idp.azure.tenantId,
    });
  });

  it('still refuses other scopes: email, no .default, two resources, a delegated scope beside .default', async () => {
    const userToken = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api', navIdent: 'Z990000' });
    for (const scope of [
      'api://dev-gcp.other.guarded/.default email',
      'openid profile offline_access',
      'api://dev-gcp.other.guarded/.default api://dev-gcp.team.caller/.default openid',
      'api://dev-gcp.other.guarded/.default api://dev-gcp.other.guarded/read',
    ]) {
      expect((await obo(userToken, api, scope)).body).toMatchObject({ error: 'invalid_scope' });
    }
  });
});

describe('Azure AD discovery document', () => {
  it('publishes every member Entra publishes, pointing at the emulator', async () => {
    const document = (await (await fetch(idp.azure.wellKnownUrl)).json()) as Record<string, unknown>;
    const tenant = `${idp.url}/azure/${idp.azure.tenantId}`;
    expect(Object.keys(document)).toEqual([
      'token_endpoint',
      'token_endpoint_auth_methods_supported',
      'jwks_uri',
      'response_modes_supported',
      'subject_types_supported',
      'id_token_signing_alg_values_supported',
      'response_types_supported',
      'scopes_supported',
      'issuer',
      'request_uri_parameter_supported',
      'userinfo_endpoint',
      'authorization_endpoint',
      'device_authorization_endpoint',
      'http_logout_supported',
      'frontchannel_logout_supported',
      'end_session_endpoint',
      'claims_supported',
      'kerberos_endpoint',
      'tenant_region_scope',
      'cloud_instance_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'rbac_url',
    ]);
    expect(document).toMatchObject({
      issuer: idp.azure.issuer,
      token_endpoint: idp.azure.tokenEndpoint,
      jwks_uri: idp.azure.jwksUri,
      authorization_endpoint: `${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${tenant}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${tenant}/oauth2/v2.0/logout`,
      userinfo_endpoint: `${tenant}/oidc/userinfo`,
      kerberos_endpoint: `${tenant}/kerberos`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      subject_types_supported: ['pairwise'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      id_token_signing_alg_values_supported: ['RS256'],
      request_uri_parameter_supported: false,
    });
    expect(idp.azure.authority).toBe(tenant);
  });

  it('answers 501 with an OAuth-shaped error on the endpoints it lists but does not implement', async () => {
    const document = (await (await fetch(idp.azure.wellKnownUrl)).json()) as Record<string, string>;
    for (const member of [
      'authorization_endpoint',
      'device_authorization_endpoint',
      'end_session_endpoint',
      'userinfo_endpoint',
      'kerberos_endpoint',
    ]) {
      const response = await fetch(document[member] as string);
      expect(response.status, member).toBe(501);
      expect(await response.json()).toMatchObject({ error: 'not_implemented', error_description: expect.any(String) });
    }
    expect(idp.requests.filter((r) => r.endpoint === 'azure.unimplemented')).toHaveLength(5);
  });
});

describe('Azure AD certificate credentials', () => {
  const rsaCertificate = (notBefore: Date, notAfter: Date) => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = buildX509Certificate(
      { commonName: 'own certificate', publicKey: keys.publicKey, notBefore, notAfter },
      { commonName: 'own certificate', ...keys },
    );
    return { pem, privateKey: keys.privateKey };
  };
  const hour = 60 * 60 * 1000;

  async function certificateAssertion(
    clientId: string,
    privateKey: KeyObject,
    header: Record<string, unknown>,
    alg: 'RS256' | 'PS256',
    claims: JWTPayload = {},
  ): Promise<string> {
    const iat = nowSeconds();
    return new SignJWT({
      iss: clientId,
      sub: clientId,
      aud: idp.azure.tokenEndpoint,
      jti: uuid(),
      iat,
      nbf: iat,
      exp: iat + 600,
      ...claims,
    })
      .setProtectedHeader({ alg, typ: 'JWT', ...header })
      .sign(privateKey);
  }

  const tokenWith = (clientId: string, assertion: string) =>
    postForm(idp.azure.tokenEndpoint, {
      grant_type: 'client_credentials',
      scope: apiScope,
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });

  it('registers your own certificate: thumbprints of its DER, RS256 with x5t and PS256 with x5t#S256', async () => {
    const own = rsaCertificate(new Date(Date.now() - hour), new Date(Date.now() + hour));
    const app = await idp.registerAzureApp({ name: 'dev-gcp:team:own-certificate', secret: false, key: false, certificate: own.pem });
    const x509 = new X509Certificate(own.pem);
    expect(app.certificate).toEqual({
      pem: own.pem,
      privateKeyPem: undefined,
      thumbprint: x509.fingerprint.replaceAll(':', ''),
      thumbprintSha256: x509.fingerprint256.replaceAll(':', ''),
    });
    const x5t = createHash('sha1').update(x509.raw).digest('base64url');
    const x5tS256 = createHash('sha256').update(x509.raw).digest('base64url');
    for (const [header, alg] of [
      [{ x5t }, 'RS256'],
      [{ 'x5t#S256': x5tS256 }, 'PS256'],
      [{ x5t }, 'PS256'],
      [{ 'x5t#S256': x5tS256, x5t }, 'RS256'],
    ] as const) {
      const response = await tokenWith(app.clientId, await certificateAssertion(app.clientId, own.privateKey, header, alg));
      expect(response.status, `${alg} ${JSON.stringify(header)}`).toBe(200);
      expect((await verify(response.body.access_token as string)).azpacr).toBe('2');
    }
  });

  it('generates a certificate whose private key and thumbprints msal-node takes', async () => {
    const app = await idp.registerAzureApp({ name: 'dev-gcp:team:generated-certificate', certificate: true });
    const certificate = app.certificate;
    if (certificate?.privateKeyPem === undefined) throw new Error('no generated certificate');
    const x509 = new X509Certificate(certificate.pem);
    expect(x509.publicKey.asymmetricKeyType).toBe('rsa');
    expect(x509.checkPrivateKey(createPrivateKey(certificate.privateKeyPem))).toBe(true);
    expect(certificate.thumbprint).toBe(x509.fingerprint.replaceAll(':', ''));
    const assertion = await certificateAssertion(
      app.clientId,
      createPrivateKey(certificate.privateKeyPem),
      { 'x5t#S256': Buffer.from(certificate.thumbprintSha256, 'hex').toString('base64url') },
      'PS256',
    );
    expect((await tokenWith(app.clientId, assertion)).status).toBe(200);
  });

  it('refuses an unregistered thumbprint, x5t and x5t#S256 naming different certificates, and an expired certificate', async () => {
    const first = rsaCertificate(new Date(Date.now() - hour), new Date(Date.now() + hour));
    const second = rsaCertificate(new Date(Date.now() - hour), new Date(Date.now() + hour));
    const expired = rsaCertificate(new Date(Date.now() - 3 * hour), new Date(Date.now() - hour));
    const app = await idp.registerAzureApp({ name: 'dev-gcp:team:refused-certificate', secret: false, key: false, certificate: first.pem });
    const expiredApp = await idp.registerAzureApp({
      name: 'dev-gcp:team:expired-certificate',
      secret: false,
      key: false,
      certificate: expired.pem,
    });
    const sha1 = (pem: string) => createHash('sha1').update(new X509Certificate(pem).raw).digest('base64url');
    const sha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
    const refusals = [
      [
        'no certificate with that thumbprint',
        app.clientId,
        await certificateAssertion(app.clientId, second.privateKey, { 'x5t#S256': sha256(second.pem) }, 'PS256'),
      ],
      [
        'no certificate with that thumbprint',
        app.clientId,
        await certificateAssertion(app.clientId, first.privateKey, { 'x5t#S256': sha256(first.pem), x5t: sha1(second.pem) }, 'PS256'),
      ],
      [
        'signature is not valid',
        app.clientId,
        await certificateAssertion(app.clientId, second.privateKey, { x5t: sha1(first.pem) }, 'RS256'),
      ],
      [
        'expired or not valid yet',
        expiredApp.clientId,
        await certificateAssertion(expiredApp.clientId, expired.privateKey, { x5t: sha1(expired.pem) }, 'RS256'),
      ],
    ] as const;
    for (const [why, clientId, assertion] of refusals) {
      const response = await tokenWith(clientId, assertion);
      expect(response.status, why).toBe(401);
      expect(response.body, why).toMatchObject({ error: 'invalid_client', error_description: expect.stringContaining(why) });
    }
  });

  it('registers only RSA certificates in PEM', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const ecPem = buildX509Certificate(
      { commonName: 'ec', publicKey: ec.publicKey, notBefore: new Date(Date.now() - hour), notAfter: new Date(Date.now() + hour) },
      { commonName: 'ec', ...ec },
    );
    await expect(idp.registerAzureApp({ name: 'dev-gcp:team:ec-certificate', certificate: ecPem })).rejects.toThrow(TypeError);
    await expect(idp.registerAzureApp({ name: 'dev-gcp:team:no-certificate', certificate: 'not a certificate' })).rejects.toThrow(
      TypeError,
    );
  });
});
