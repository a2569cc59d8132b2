// The local TokenX (tokendings) over real HTTP, with a fixed clock. Client assertions and
// subject tokens are built by hand with jose, never with @nav-auth/core: the emulator must not
// agree with our client by construction. Rules and texts follow nais/tokendings
// (TokenRequestContext.kt, ClientAssertionJwtClaimsVerifier.kt, TokenRequestAuthorizer.kt, TokenIssuer.kt).
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, type RegisteredTokenXApp, startLocalIdp } from '../src/index.js';
import { type FormResponse, postForm, signJwt, uuid } from './support/http.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const API = 'dev-gcp:team:api';
const FRONTEND = 'dev-gcp:team:frontend';
const OTHER = 'dev-gcp:team:other';

// 400 ms past the second: tokendings' expires_in is the whole seconds left, so 899.
const NOW = new Date('2026-06-01T12:00:00.400Z');
const T = Math.floor(NOW.getTime() / 1000);

let idp: LocalIdp;
let api: RegisteredTokenXApp;
let frontend: RegisteredTokenXApp;
let other: RegisteredTokenXApp;
let idportenClient: string;

beforeAll(async () => {
  idp = await startLocalIdp({ now: () => NOW });
  api = await idp.registerTokenXApp({ name: API, inbound: [FRONTEND, OTHER] });
  frontend = await idp.registerTokenXApp({ name: FRONTEND });
  other = await idp.registerTokenXApp({ name: OTHER, inbound: [API] });
  idportenClient = idp.registerIdportenClient({ clientId: 'frontend-idporten-client' }).clientId;
});
afterAll(() => idp.close());

/** A client assertion as nais/doc describes it: iss = sub = the app, aud = the token endpoint, 30 s. */
function assertion(app: RegisteredTokenXApp, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const payload: JWTPayload = {
    iss: app.clientId,
    sub: app.clientId,
    aud: idp.tokenx.tokenEndpoint,
    iat: T,
    nbf: T,
    exp: T + 30,
    jti: uuid(),
  };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  return signJwt(app.privateJwk as JWK, payload, header);
}

const citizenToken = (claims: Record<string, unknown> = {}) => idp.mintIdportenToken({ audience: idportenClient, claims });

async function exchange(
  caller: RegisteredTokenXApp,
  subjectToken: string,
  audience: string,
  options: { assertion?: string; params?: Record<string, string> } = {},
): Promise<FormResponse> {
  return postForm(idp.tokenx.tokenEndpoint, {
    grant_type: TOKEN_EXCHANGE,
    client_assertion_type: JWT_BEARER,
    client_assertion: options.assertion ?? (await assertion(caller)),
    subject_token_type: JWT_TOKEN_TYPE,
    subject_token: subjectToken,
    audience,
    ...options.params,
  });
}

async function verifyTokenX(token: string) {
  const jwks = (await (await fetch(idp.tokenx.jwksUri)).json()) as { keys: JWK[] };
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: idp.tokenx.issuer, algorithms: ['RS256'], currentDate: NOW });
}

async function exchanged(caller: RegisteredTokenXApp, subjectToken: string, audience: string): Promise<JWTPayload> {
  const response = await exchange(caller, subjectToken, audience);
  expect(response.status, response.text).toBe(200);
  return (await verifyTokenX(response.body.access_token as string)).payload;
}

function expectError(response: FormResponse, status: number, error: string, description: string | RegExp) {
  expect(response.status, response.text).toBe(status);
  expect(response.body.error).toBe(error);
  if (typeof description === 'string') expect(response.body.error_description).toBe(description);
  else expect(response.body.error_description).toMatch(description);
  expect(response.body.access_token).toBeUndefined();
}

describe('TokenX discovery and keys', () => {
  it('serves tokendings’ metadata at its well-known path, the OpenID alias and RFC 8414 §3.1’s form', async () => {
    for (const url of [
      idp.tokenx.wellKnownUrl,
      `${idp.tokenx.issuer}/.well-known/openid-configuration`,
      `${idp.url}/.well-known/oauth-authorization-server/tokenx`,
    ]) {
      expect(await (await fetch(url)).json()).toEqual({
        issuer: `${idp.url}/tokenx`,
        authorization_endpoint: `${idp.url}/tokenx/authorization`,
        token_endpoint: `${idp.url}/tokenx/token`,
        jwks_uri: `${idp.url}/tokenx/jwks`,
        grant_types_supported: [TOKEN_EXCHANGE],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['public'],
      });
    }
    expect(idp.tokenx.wellKnownUrl).toBe(`${idp.url}/tokenx/.well-known/oauth-authorization-server`);
  });

  it('publishes RS256 public keys only', async () => {
    const { keys } = (await (await fetch(idp.tokenx.jwksUri)).json()) as { keys: JWK[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });
});

describe('registerTokenXApp', () => {
  it('returns the TOKEN_X_* variables NAIS injects, with an RS256 private JWK named by kid', () => {
    expect(api.clientId).toBe(API);
    expect(api.env).toEqual({
      TOKEN_X_CLIENT_ID: API,
      TOKEN_X_PRIVATE_JWK: JSON.stringify(api.privateJwk),
      TOKEN_X_WELL_KNOWN_URL: idp.tokenx.wellKnownUrl,
      TOKEN_X_ISSUER: idp.tokenx.issuer,
      TOKEN_X_JWKS_URI: idp.tokenx.jwksUri,
      TOKEN_X_TOKEN_ENDPOINT: idp.tokenx.tokenEndpoint,
    });
    expect(JSON.parse(api.env.TOKEN_X_PRIVATE_JWK as string)).toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      kid: expect.any(String),
      d: expect.any(String),
    });
  });

  it('takes your own public key, and then hands out no private one', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const own = await idp.registerTokenXApp({ name: 'dev-gcp:team:own-key', publicJwk: { ...(await exportJWK(publicKey)), kid: 'own' } });
    expect(own.privateJwk).toBeUndefined();
    expect(own.env.TOKEN_X_PRIVATE_JWK).toBeUndefined();
    const ownApp = { ...own, privateJwk: { ...(await exportJWK(privateKey)), kid: 'own', alg: 'RS256' } };
    await idp.registerTokenXApp({ name: 'dev-gcp:team:own-target', inbound: ['dev-gcp:team:own-key'] });
    expect((await exchanged(ownApp, await citizenToken(), 'dev-gcp:team:own-target')).client_id).toBe('dev-gcp:team:own-key');
  });

  it('refuses a name that is not cluster:namespace:app, and a public key TokenX could not verify with', async () => {
    await expect(idp.registerTokenXApp({ name: 'api' })).rejects.toThrow('name must be cluster:namespace:app');
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    await expect(
      idp.registerTokenXApp({ name: 'dev-gcp:team:ec', publicJwk: { ...(await exportJWK(publicKey)), kid: 'ec' } }),
    ).rejects.toThrow(/RSA key with a kid/);
  });
});

describe('TokenX token exchange', () => {
  it('exchanges an ID-porten token: every claim copied, then iss, aud, client_id, idp, acr and fresh times', async () => {
    const subject = await citizenToken({ sid: 'session-1', locale: 'nb' });
    const original = decodeJwt(subject);
    const response = await exchange(frontend, subject, API);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      access_token: expect.any(String),
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 899,
    });
    const { payload, protectedHeader } = await verifyTokenX(response.body.access_token as string);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toEqual({
      sub: original.sub,
      pid: original.pid,
      amr: original.amr,
      client_amr: original.client_amr,
      scope: original.scope,
      sid: 'session-1',
      locale: 'nb',
      iss: idp.tokenx.issuer,
      aud: API,
      client_id: FRONTEND,
      idp: idp.idporten.issuer,
      acr: 'Level4',
      iat: T,
      nbf: T,
      exp: T + 900,
      jti: expect.any(String),
    });
    expect(payload.jti).not.toBe(original.jti);
  });

  it('maps idporten-loa-substantial to Level3, and leaves an acr it has no mapping for as it is', async () => {
    expect((await exchanged(frontend, await citizenToken({ acr: 'idporten-loa-substantial' }), API)).acr).toBe('Level3');
    expect((await exchanged(frontend, await citizenToken({ acr: 'eidas-loa-low' }), API)).acr).toBe('eidas-loa-low');
  });

  it('keeps an idp claim the subject token already had', async () => {
    expect((await exchanged(frontend, await citizenToken({ idp: 'https://original-idp.example' }), API)).idp).toBe(
      'https://original-idp.example',
    );
  });

  it('echoes scope when the request has one, as tokendings does', async () => {
    const response = await exchange(frontend, await citizenToken(), API, { params: { scope: 'openid' } });
    expect(response.body.scope).toBe('openid');
  });

  it('ignores a client_id parameter, as tokendings does: the assertion names the client', async () => {
    const same = await exchange(frontend, await citizenToken(), API, { params: { client_id: FRONTEND } });
    expect(same.status, same.text).toBe(200);
    const different = await exchange(frontend, await citizenToken(), API, { params: { client_id: OTHER } });
    expect(different.status, different.text).toBe(200);
    expect((await verifyTokenX(different.body.access_token as string)).payload.client_id).toBe(FRONTEND);
  });

  it('takes its own subject tokens too: a TokenX token whose aud is the caller is exchanged again', async () => {
    const first = await exchange(frontend, await citizenToken(), API);
    const chained = await exchanged(api, first.body.access_token as string, OTHER);
    expect(chained).toMatchObject({ aud: OTHER, client_id: API, idp: idp.idporten.issuer, acr: 'Level4' });
  });

  it('refuses to re-exchange a TokenX token issued to another app (nais/tokendings chained-exchange rule)', async () => {
    const forApi = (await exchange(frontend, await citizenToken(), API)).body.access_token as string;
    expectError(
      await exchange(other, forApi, API),
      400,
      'invalid_request',
      `invalid subject_token: audience does not match client_id=${OTHER}`,
    );
    const minted = await idp.mintTokenXToken({ audience: API, clientId: FRONTEND });
    expectError(
      await exchange(frontend, minted, API),
      400,
      'invalid_request',
      `invalid subject_token: audience does not match client_id=${FRONTEND}`,
    );
  });
});

describe('TokenX refuses the target', () => {
  it('when the target has no inbound policy for the caller, with tokendings’ text', async () => {
    expectError(
      await exchange(other, await citizenToken(), FRONTEND),
      400,
      'invalid_request',
      `client '${OTHER}' is not authorized to get token with aud=${FRONTEND}`,
    );
  });

  it('when the target is no registered app', async () => {
    expectError(
      await exchange(frontend, await citizenToken(), 'dev-gcp:team:nobody'),
      400,
      'invalid_request',
      'token exchange audience dev-gcp:team:nobody is invalid',
    );
  });
});

describe('TokenX refuses the client assertion with invalid_client', () => {
  const refused = async (client_assertion: string, description: string | RegExp) =>
    expectError(await exchange(frontend, await citizenToken(), API, { assertion: client_assertion }), 401, 'invalid_client', description);

  it('accepts aud as the token endpoint or, in tokendings’ grace period, the issuer; as a string or one-element array', async () => {
    for (const aud of [idp.tokenx.tokenEndpoint, idp.tokenx.issuer, [idp.tokenx.tokenEndpoint], [idp.tokenx.issuer]]) {
      const response = await exchange(frontend, await citizenToken(), API, { assertion: await assertion(frontend, { aud }) });
      expect(response.status, JSON.stringify(aud)).toBe(200);
    }
  });

  it('with an aud of two values, even two accepted ones', async () => {
    const accepted = `${idp.tokenx.tokenEndpoint}, ${idp.tokenx.issuer}`;
    await refused(
      await assertion(frontend, { aud: [idp.tokenx.tokenEndpoint, idp.tokenx.issuer] }),
      `token verification failed: JWT aud claim has value [${accepted}], must be exactly one of [${accepted}]`,
    );
  });

  it('with an aud that is neither the token endpoint nor the issuer', async () => {
    await refused(await assertion(frontend, { aud: `${idp.url}/maskinporten/` }), /^token verification failed: JWT aud claim has value/);
  });

  it('living longer than 120 s, measured as exp - now (tokendings) or exp - iat (the emulator too)', async () => {
    const tooLong = `invalid client authentication for client_id=${FRONTEND}, client assertion exceeded max lifetime (120s).`;
    await refused(await assertion(frontend, { exp: T + 121 }), tooLong);
    await refused(await assertion(frontend, { iat: T - 30, nbf: T - 30, exp: T + 91 }), tooLong);
    const limit = await exchange(frontend, await citizenToken(), API, { assertion: await assertion(frontend, { exp: T + 120 }) });
    expect(limit.status, limit.text).toBe(200);
  });

  it('used a second time (the same jti)', async () => {
    const once = await assertion(frontend);
    expect((await exchange(frontend, await citizenToken(), API, { assertion: once })).status).toBe(200);
    await refused(once, 'token verification failed: JWT jti has been used before');
    await refused(await assertion(frontend, { jti: decodeJwt(once).jti }), 'token verification failed: JWT jti has been used before');
  });

  it('signed with another key, with an unknown kid, or not RS256', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = (frontend.privateJwk as JWK).kid as string;
    const stranger = { ...frontend, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' } };
    await refused(await assertion(stranger), 'token verification failed: Signed JWT rejected: Invalid signature');
    const noMatch = 'token verification failed: Signed JWT rejected: Another algorithm expected, or no matching key(s) found';
    await refused(await assertion(frontend, {}, { kid: 'another-kid' }), noMatch);
    await refused(await assertion(frontend, {}, { alg: 'PS256' }), noMatch);
  });

  it('with a typ other than JWT', async () => {
    await refused(
      await assertion(frontend, {}, { typ: 'client-authentication+jwt' }),
      'token verification failed: JOSE header typ (type) client-authentication+jwt not allowed',
    );
  });

  it('without a claim tokendings requires: jti, nbf, exp', async () => {
    await refused(await assertion(frontend, { jti: undefined }), 'token verification failed: JWT missing required claims: [jti]');
    await refused(await assertion(frontend, { nbf: undefined }), 'token verification failed: JWT missing required claims: [nbf]');
    await refused(await assertion(frontend, { exp: undefined }), 'token verification failed: JWT missing required claims: [exp]');
  });

  it('issued or valid only in the future, past tokendings’ 60 s of clock skew', async () => {
    await refused(
      await assertion(frontend, { iat: T + 61, exp: T + 90 }),
      'token verification failed: JWT issue time ahead of current time',
    );
    await refused(await assertion(frontend, { nbf: T + 61, exp: T + 90 }), 'token verification failed: JWT before use time');
    const skewed = await exchange(frontend, await citizenToken(), API, {
      assertion: await assertion(frontend, { iat: T + 30, nbf: T + 30, exp: T + 60 }),
    });
    expect(skewed.status, skewed.text).toBe(200);
  });

  it('when iss is not sub, or sub names no registered app', async () => {
    await refused(
      await assertion(frontend, { iss: OTHER }),
      `token verification failed: JWT iss claim has value ${OTHER}, must be ${FRONTEND}`,
    );
    await refused(
      await assertion(frontend, { iss: 'dev-gcp:team:nobody', sub: 'dev-gcp:team:nobody' }),
      'invalid client authentication for client_id=dev-gcp:team:nobody, client not registered.',
    );
  });

  it('with another client_assertion_type, or an assertion that is not a signed JWT', async () => {
    const wrongType = await exchange(frontend, await citizenToken(), API, { params: { client_assertion_type: 'urn:example:saml' } });
    expectError(wrongType, 401, 'invalid_client', 'Client authentication failed: invalid client_assertion_type');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: FRONTEND })).toString('base64url')}.`;
    await refused(unsigned, 'invalid request, cannot parse token');
  });
});

describe('TokenX refuses the request with invalid_request or unsupported_grant_type', () => {
  it('without the parameters tokendings requires, naming them', async () => {
    const full = {
      grant_type: TOKEN_EXCHANGE,
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(frontend),
      subject_token_type: JWT_TOKEN_TYPE,
      subject_token: await citizenToken(),
      audience: API,
    };
    const { client_assertion, ...withoutAssertion } = full;
    expectError(await postForm(idp.tokenx.tokenEndpoint, withoutAssertion), 400, 'invalid_request', 'Parameter client_assertion missing');
    const { audience, ...withoutAudience } = { ...full, client_assertion: await assertion(frontend) };
    expectError(await postForm(idp.tokenx.tokenEndpoint, withoutAudience), 400, 'invalid_request', 'Parameter audience missing');
    const { subject_token, ...withoutSubject } = { ...full, client_assertion: await assertion(frontend) };
    expectError(await postForm(idp.tokenx.tokenEndpoint, withoutSubject), 400, 'invalid_request', 'Parameter subject_token missing');
  });

  it('for another grant type', async () => {
    const response = await exchange(frontend, await citizenToken(), API, { params: { grant_type: 'client_credentials' } });
    expectError(response, 400, 'unsupported_grant_type', 'could not find authorizer for grant_type=client_credentials');
  });

  it('for another subject_token_type', async () => {
    const response = await exchange(frontend, await citizenToken(), API, {
      params: { subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' },
    });
    expectError(response, 400, 'invalid_request', `Parameter subject_token_type must be ${JWT_TOKEN_TYPE}`);
  });

  it('for a body that is not a form, or a parameter given twice', async () => {
    const json = await fetch(idp.tokenx.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: TOKEN_EXCHANGE }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({
      error: 'invalid_request',
      error_description: 'Content-Type must be application/x-www-form-urlencoded',
    });
    const twice = await fetch(idp.tokenx.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `audience=${API}&audience=${OTHER}`,
    });
    expect(await twice.json()).toMatchObject({ error: 'invalid_request', error_description: 'a parameter is repeated' });
    expect((await fetch(idp.tokenx.tokenEndpoint)).status).toBe(405);
  });
});

describe('TokenX refuses the subject token with invalid_request', () => {
  it('from an issuer it does not trust: this IdP’s Azure AD and Maskinporten among them', async () => {
    const azureApp = await idp.registerAzureApp({ name: API });
    for (const [token, issuer] of [
      [await idp.mintAzureUserToken({ audience: azureApp.clientId, navIdent: 'Z990000' }), idp.azure.issuer],
      [await idp.mintMaskinportenToken({ consumerOrg: '313367002', scopes: ['nav:test/api'] }), idp.maskinporten.issuer],
      [await idp.mintToken('generic', { aud: API }), idp.generic.issuer],
    ] as const) {
      expectError(
        await exchange(frontend, token, API),
        400,
        'invalid_request',
        `invalid subject_token: invalid request, cannot validate token from issuer=${issuer}`,
      );
    }
  });

  it('once it has expired, past tokendings’ 60 s of skew', async () => {
    expectError(
      await exchange(frontend, await citizenToken({ iat: T - 600, nbf: T - 600, exp: T - 61 }), API),
      400,
      'invalid_request',
      'invalid subject_token: token verification failed: Expired JWT',
    );
    const withinSkew = await exchange(frontend, await citizenToken({ iat: T - 600, nbf: T - 600, exp: T - 30 }), API);
    expect(withinSkew.status, withinSkew.text).toBe(200);
  });

  it('signed by a key ID-porten never published, or without iat', async () => {
    const forged = await idp.mintToken('idporten', decodeJwt(await citizenToken()), { unpublishedKey: true });
    expectError(
      await exchange(frontend, forged, API),
      400,
      'invalid_request',
      'invalid subject_token: token verification failed: Signed JWT rejected: Another algorithm expected, or no matching key(s) found',
    );
    expectError(
      await exchange(frontend, await citizenToken({ iat: undefined }), API),
      400,
      'invalid_request',
      'invalid subject_token: token verification failed: JWT missing required claims: [iat]',
    );
  });

  it('that is not a signed JWT', async () => {
    expectError(
      await exchange(frontend, 'not-a-jwt', API),
      400,
      'invalid_request',
      'invalid subject_token: invalid request, cannot parse token',
    );
  });
});

describe('mintTokenXToken', () => {
  it('mints the token tokendings would issue after the consumer exchanged a citizen’s ID-porten token', async () => {
    const token = await idp.mintTokenXToken({ audience: API, clientId: FRONTEND, pid: '01819012446' });
    const { payload, protectedHeader } = await verifyTokenX(token);
    expect(protectedHeader.typ).toBe('JWT');
    expect(payload).toMatchObject({
      iss: idp.tokenx.issuer,
      aud: API,
      client_id: FRONTEND,
      idp: idp.idporten.issuer,
      pid: '01819012446',
      acr: 'Level4',
      amr: ['BankID'],
      iat: T,
      nbf: T,
      exp: T + 900,
    });
    expect(typeof payload.sub).toBe('string');
  });

  it('maps an idporten-loa-* acr as tokendings does and takes Level3 as given', async () => {
    expect(decodeJwt(await idp.mintTokenXToken({ audience: API, clientId: FRONTEND, acr: 'idporten-loa-substantial' }))).toMatchObject({
      acr: 'Level3',
      amr: ['MinID'],
    });
    expect(decodeJwt(await idp.mintTokenXToken({ audience: API, clientId: FRONTEND, acr: 'Level3' })).acr).toBe('Level3');
  });

  it('is exchanged again by the app it is for', async () => {
    const minted = await idp.mintTokenXToken({ audience: API, clientId: FRONTEND, idp: 'https://elsewhere.example' });
    expect(await exchanged(api, minted, OTHER)).toMatchObject({ client_id: API, idp: 'https://elsewhere.example' });
  });

  it('mints for any audience, registered or not, and refuses a client id that is not cluster:namespace:app', async () => {
    expect(decodeJwt(await idp.mintTokenXToken({ audience: 'dev-gcp:team:nobody', clientId: FRONTEND })).aud).toBe('dev-gcp:team:nobody');
    expect(decodeJwt(await idp.mintTokenXToken({ audience: 'an-idporten-client', clientId: FRONTEND })).aud).toBe('an-idporten-client');
    await expect(idp.mintTokenXToken({ audience: API, clientId: 'frontend' })).rejects.toThrow('clientId must be cluster:namespace:app');
  });
});

describe('TokenX faults, request log and keys', () => {
  it('answers an injected fault on the token endpoint and logs exchanges under tokenx.token', async () => {
    idp.injectFault('tokenx.token', { type: 'status', status: 503, retryAfter: 2 }, 1);
    const faulted = await exchange(frontend, await citizenToken(), API);
    expect([faulted.status, faulted.headers.get('retry-after')]).toEqual([503, '2']);
    while (idp.takeRequest('tokenx.token') !== undefined);
    expect((await exchange(frontend, await citizenToken(), API)).status).toBe(200);
    expect(idp.takeRequest('tokenx.token')?.form).toMatchObject({
      grant_type: TOKEN_EXCHANGE,
      audience: API,
      subject_token_type: JWT_TOKEN_TYPE,
    });
  });

  it('fails discovery and the JWKS as asked', async () => {
    idp.injectFault('tokenx.discovery', { type: 'status', status: 500 }, 1);
    idp.injectFault('tokenx.jwks', { type: 'garbage' }, 1);
    expect((await fetch(idp.tokenx.wellKnownUrl)).status).toBe(500);
    await expect((await fetch(idp.tokenx.jwksUri)).json()).rejects.toThrow();
    expect((await fetch(idp.tokenx.jwksUri)).status).toBe(200);
    expect(idp.takeRequest('tokenx.jwks')?.path).toBe('/tokenx/jwks');
  });

  it('rotates its keys: a token signed before still verifies and is still exchanged, until the old key is dropped', async () => {
    const before = (await exchange(frontend, await citizenToken(), API)).body.access_token as string;
    await idp.rotateKeys('tokenx');
    const after = (await exchange(frontend, await citizenToken(), API)).body.access_token as string;
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    expect((await exchange(api, before, OTHER)).status).toBe(200);
    await idp.rotateKeys('tokenx', { dropPrevious: true });
    expect((await exchange(api, after, OTHER)).body.error_description).toMatch(/no matching key/);
  });
});
