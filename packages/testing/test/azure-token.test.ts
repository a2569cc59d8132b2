import { createLocalJWKSet, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, type RegisteredAzureApp, startLocalIdp } from '../src/index.js';
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

  it.each<[string, () => Promise<string>]>([
    ['aud = the issuer', () => signJwt(caller.privateJwk as JWK, assertionClaims({ aud: idp.azure.issuer }))],
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

  it('refuses a replayed assertion', async () => {
    const assertion = await signJwt(caller.privateJwk as JWK, assertionClaims());
    expect((await withAssertion(assertion)).status).toBe(200);
    expect((await withAssertion(assertion)).body).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringContaining('jti'),
    });
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
});
