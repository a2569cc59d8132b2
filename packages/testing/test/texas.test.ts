// The fake Texas against the local IdP over real HTTP: every request is what Texas would send,
// checked by the IdP's own rules; nothing here uses @nav-auth/core or @nav-auth/node.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeTexas,
  type LocalIdp,
  type RegisteredAzureApp,
  type RegisteredMaskinportenClient,
  type RegisteredTokenXApp,
  type SystemUserRecord,
  startFakeTexas,
  startLocalIdp,
} from '../src/index.js';
import { README_BLOCKS } from './support/readme.js';
import { spawnSource } from './support/spawn-source.js';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected loosely
  body: any;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** POSTs a JSON body (an object, or raw text). */
async function postJson(url: string, body: unknown): Promise<Answer> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return answer(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text }));
}

async function postForm(url: string, params: Record<string, string>): Promise<Answer> {
  return answer(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    }),
  );
}

const PID = '01819012365';
const nowSeconds = () => Math.floor(Date.now() / 1000);

let idp: LocalIdp;
let texas: FakeTexas;
let maskinporten: RegisteredMaskinportenClient;
let caller: RegisteredAzureApp;
let api: RegisteredAzureApp;
let frontend: RegisteredTokenXApp;
let systemUser: SystemUserRecord;
let env: Record<string, string>;

beforeAll(async () => {
  idp = await startLocalIdp();
  maskinporten = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api', 'nav:test/other'] });
  systemUser = idp.registerSystemUser({ systemId: '889640782_my-system', customerOrg: '313367002', vendorOrg: '889640782' });
  api = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
  caller = await idp.registerAzureApp({ name: 'dev-gcp:team:caller', roles: { 'dev-gcp:team:api': ['read'] } });
  await idp.registerTokenXApp({ name: 'dev-gcp:team:backend', inbound: ['dev-gcp:team:frontend'] });
  await idp.registerTokenXApp({ name: 'dev-gcp:team:closed' });
  frontend = await idp.registerTokenXApp({ name: 'dev-gcp:team:frontend' });
  const idporten = idp.registerIdportenClient({ clientId: 'frontend-idporten' });
  env = {
    ...maskinporten.env,
    ...caller.env,
    ...frontend.env,
    ...idporten.env,
    MASKINPORTEN_ENABLED: 'true',
    AZURE_ENABLED: 'true',
    TOKEN_X_ENABLED: 'true',
    IDPORTEN_ENABLED: 'true',
  };
  texas = await startFakeTexas({ env });
});
afterAll(async () => {
  await texas?.close();
  await idp?.close();
});

const idpRequests = (endpoint: string) => idp.requests.filter((r) => r.endpoint === endpoint);
const lastIdpForm = (endpoint: string) => idpRequests(endpoint).at(-1)?.form ?? {};
const verifyAs = async (issuer: { issuer: string; jwksUri: string }, token: string) => {
  const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: JWK[] };
  return (await jwtVerify(token, createLocalJWKSet(jwks), { issuer: issuer.issuer, algorithms: ['RS256'] })).payload;
};

describe('startFakeTexas', () => {
  it('hands out the three NAIS_TOKEN_* endpoints on 127.0.0.1', () => {
    expect(texas.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(texas.env).toEqual({
      NAIS_TOKEN_ENDPOINT: `${texas.url}/api/v1/token`,
      NAIS_TOKEN_EXCHANGE_ENDPOINT: `${texas.url}/api/v1/token/exchange`,
      NAIS_TOKEN_INTROSPECTION_ENDPOINT: `${texas.url}/api/v1/introspect`,
    });
  });

  it('answers 404 off its routes and 405 to other methods, both without a body, as axum does', async () => {
    const missing = await fetch(`${texas.url}/api/v1/nothing`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('');
    const get = await fetch(texas.env.NAIS_TOKEN_ENDPOINT as string);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.text()).toBe('');
  });
});

describe('POST /api/v1/token: maskinporten', () => {
  it('sends the RFC 7523 grant Texas builds and answers access_token, token_type, expires_in', async () => {
    const response = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, { identity_provider: 'maskinporten', target: 'nav:test/api' });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['access_token', 'token_type', 'expires_in']);
    expect(response.body.token_type).toBe('Bearer');
    expect(response.body.expires_in).toBeGreaterThanOrEqual(3598);
    expect(response.body.expires_in).toBeLessThanOrEqual(3599);
    expect((await verifyAs(idp.maskinporten, response.body.access_token)).scope).toBe('nav:test/api');

    const form = lastIdpForm('maskinporten.token');
    expect(Object.keys(form)).toEqual(['grant_type', 'assertion']);
    expect(form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(decodeProtectedHeader(form.assertion as string)).toEqual({ typ: 'JWT', alg: 'RS256', kid: maskinporten.privateJwk?.kid });
    const grant = decodeJwt(form.assertion as string);
    expect(Object.keys(grant)).toEqual(['exp', 'iat', 'nbf', 'jti', 'scope', 'iss', 'aud']);
    expect(grant).toMatchObject({ scope: 'nav:test/api', iss: maskinporten.clientId, aud: idp.maskinporten.issuer });
    expect((grant.exp as number) - (grant.iat as number)).toBe(30);
    expect(grant.nbf).toBe(grant.iat);
  });

  it('passes resource on in the grant, which makes it the token audience', async () => {
    const response = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, {
      identity_provider: 'maskinporten',
      target: 'nav:test/api',
      resource: 'https://api.example.no/',
    });
    expect(response.status).toBe(200);
    expect((await verifyAs(idp.maskinporten, response.body.access_token)).aud).toBe('https://api.example.no/');
    expect(decodeJwt(lastIdpForm('maskinporten.token').assertion as string).resource).toBe('https://api.example.no/');
  });

  it('passes authorization_details on for a registered system user, object keys sorted as serde_json writes them', async () => {
    const details = [{ type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:313367002' } }];
    const response = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, {
      identity_provider: 'maskinporten',
      target: 'nav:test/api',
      authorization_details: details,
    });
    expect(response.status).toBe(200);
    const token = await verifyAs(idp.maskinporten, response.body.access_token);
    expect(token.authorization_details).toEqual([
      expect.objectContaining({ systemuser_id: [systemUser.id], system_id: systemUser.systemId }),
    ]);
    const forwarded = decodeJwt(lastIdpForm('maskinporten.token').assertion as string).authorization_details as Record<string, unknown>[];
    expect(forwarded).toEqual(details);
    expect(Object.keys(forwarded[0] as object)).toEqual(['systemuser_org', 'type']);
  });

  it('takes a form body, authorization_details as a JSON string and skip_cache as true/false; JSON and form share the cache', async () => {
    const details = [{ type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:313367002' } }];
    const before = idpRequests('maskinporten.token').length;
    const form = await postForm(texas.env.NAIS_TOKEN_ENDPOINT as string, {
      identity_provider: 'maskinporten',
      target: 'nav:test/other',
      authorization_details: JSON.stringify(details),
      skip_cache: 'false',
    });
    expect(form.status).toBe(200);
    expect(decodeJwt(form.body.access_token).authorization_details).toEqual([expect.objectContaining({ systemuser_id: [systemUser.id] })]);
    const json = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, {
      identity_provider: 'maskinporten',
      target: 'nav:test/other',
      authorization_details: details,
    });
    expect(json.body.access_token).toBe(form.body.access_token);
    expect(idpRequests('maskinporten.token').length - before).toBe(1);
  });
});

describe('POST /api/v1/token: entra_id client credentials', () => {
  it('sends client credentials with a private_key_jwt assertion whose aud is the issuer', async () => {
    const response = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, {
      identity_provider: 'entra_id',
      target: 'api://dev-gcp.team.api/.default',
    });
    expect(response.status).toBe(200);
    const token = await verifyAs(idp.azure, response.body.access_token);
    expect(token).toMatchObject({ aud: api.clientId, azp: caller.clientId, idtyp: 'app', roles: ['access_as_application', 'read'] });

    const form = lastIdpForm('azure.token');
    expect(Object.keys(form)).toEqual(['grant_type', 'client_id', 'client_assertion', 'client_assertion_type', 'scope']);
    expect(form).toMatchObject({
      grant_type: 'client_credentials',
      client_id: caller.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      scope: 'api://dev-gcp.team.api/.default',
    });
    const assertion = decodeJwt(form.client_assertion as string);
    expect(Object.keys(assertion)).toEqual(['exp', 'iat', 'nbf', 'jti', 'sub', 'iss', 'aud']);
    expect(assertion).toMatchObject({ sub: caller.clientId, iss: caller.clientId, aud: idp.azure.issuer });
  });

  it('maps the target cluster:namespace:app to api://cluster.namespace.app/.default, its own cache entry', async () => {
    const before = idpRequests('azure.token').length;
    const response = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, { identity_provider: 'entra_id', target: 'dev-gcp:team:api' });
    expect(response.status).toBe(200);
    expect((await verifyAs(idp.azure, response.body.access_token)).aud).toBe(api.clientId);
    expect(idpRequests('azure.token').length - before).toBe(1);
    expect(lastIdpForm('azure.token').scope).toBe('api://dev-gcp.team.api/.default');
  });

  it('takes azuread as an alias of entra_id, one cache entry for both', async () => {
    const first = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, { identity_provider: 'entra_id', target: 'dev-gcp:team:api' });
    const before = idpRequests('azure.token').length;
    const alias = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, { identity_provider: 'azuread', target: 'dev-gcp:team:api' });
    expect(alias.status).toBe(200);
    expect(alias.body.access_token).toBe(first.body.access_token);
    expect(idpRequests('azure.token').length).toBe(before);
  });
});

describe('POST /api/v1/token/exchange', () => {
  it('entra_id: on-behalf-of with the user token as assertion and requested_token_use=on_behalf_of', async () => {
    const user = await idp.mintAzureUserToken({ audience: caller.name, navIdent: 'Z990000' });
    const response = await postJson(texas.env.NAIS_TOKEN_EXCHANGE_ENDPOINT as string, {
      identity_provider: 'entra_id',
      target: 'dev-gcp:team:api',
      user_token: user,
    });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['access_token', 'token_type', 'expires_in']);
    expect(await verifyAs(idp.azure, response.body.access_token)).toMatchObject({ aud: api.clientId, NAVident: 'Z990000' });
    const form = lastIdpForm('azure.token');
    expect(Object.keys(form)).toEqual([
      'grant_type',
      'client_id',
      'client_assertion',
      'client_assertion_type',
      'scope',
      'requested_token_use',
      'assertion',
    ]);
    expect(form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      scope: 'api://dev-gcp.team.api/.default',
      requested_token_use: 'on_behalf_of',
      assertion: user,
    });
  });

  it('tokenx: RFC 8693 with a client assertion whose aud is the TokenX issuer, audience = target', async () => {
    const subject = await idp.mintIdportenToken({ audience: 'frontend-idporten', pid: PID });
    const response = await postJson(texas.env.NAIS_TOKEN_EXCHANGE_ENDPOINT as string, {
      identity_provider: 'tokenx',
      target: 'dev-gcp:team:backend',
      user_token: subject,
    });
    expect(response.status).toBe(200);
    expect(await verifyAs(idp.tokenx, response.body.access_token)).toMatchObject({
      aud: 'dev-gcp:team:backend',
      client_id: 'dev-gcp:team:frontend',
      pid: PID,
    });
    const form = lastIdpForm('tokenx.token');
    expect(Object.keys(form)).toEqual([
      'grant_type',
      'client_assertion',
      'client_assertion_type',
      'subject_token_type',
      'subject_token',
      'audience',
    ]);
    expect(form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      subject_token: subject,
      audience: 'dev-gcp:team:backend',
    });
    const assertion = decodeJwt(form.client_assertion as string);
    expect(assertion).toMatchObject({ sub: frontend.clientId, iss: frontend.clientId, aud: idp.tokenx.issuer });
    expect((assertion.exp as number) - (assertion.iat as number)).toBe(30);
  });

  it('passes an upstream OAuth error on with its status and only error and error_description', async () => {
    const subject = await idp.mintIdportenToken({ audience: 'frontend-idporten' });
    const response = await postJson(texas.env.NAIS_TOKEN_EXCHANGE_ENDPOINT as string, {
      identity_provider: 'tokenx',
      target: 'dev-gcp:team:closed',
      user_token: subject,
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: 'invalid_request',
      error_description: "client 'dev-gcp:team:frontend' is not authorized to get token with aud=dev-gcp:team:closed",
    });
  });

  it('passes a 401 invalid_client on as 401 (a key the IdP does not know)', async () => {
    const impostor = await startFakeTexas({ env: { ...caller.env, AZURE_APP_JWK: JSON.stringify(api.privateJwk), AZURE_ENABLED: 'true' } });
    try {
      const response = await postJson(impostor.env.NAIS_TOKEN_ENDPOINT as string, {
        identity_provider: 'entra_id',
        target: 'dev-gcp:team:api',
      });
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
    } finally {
      await impostor.close();
    }
  });
});

describe('providers Texas does not serve', () => {
  let onlyMaskinporten: FakeTexas;
  beforeAll(async () => {
    onlyMaskinporten = await startFakeTexas({ env: { ...maskinporten.env, MASKINPORTEN_ENABLED: 'true', AZURE_ENABLED: 'false' } });
  });
  afterAll(() => onlyMaskinporten.close());

  it.each([
    ['token', 'entra_id', 'entra_id'],
    ['token', 'azuread', 'entra_id'],
    ['exchange', 'tokenx', 'tokenx'],
  ])('%s with %s not enabled: 400 invalid_request naming %s', async (operation, provider, named) => {
    const url = operation === 'token' ? onlyMaskinporten.env.NAIS_TOKEN_ENDPOINT : onlyMaskinporten.env.NAIS_TOKEN_EXCHANGE_ENDPOINT;
    const response = await postJson(url as string, { identity_provider: provider, target: 'x', user_token: 'y' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'invalid_request', error_description: `identity provider '${named}' is not enabled` });
  });

  it('introspect with a provider not enabled: 200 active:false', async () => {
    const response = await postJson(onlyMaskinporten.env.NAIS_TOKEN_INTROSPECTION_ENDPOINT as string, {
      identity_provider: 'tokenx',
      token: 'x',
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ active: false, error: "identity provider 'tokenx' is not enabled" });
  });

  it.each([
    ['token', 'idporten', "identity provider 'idporten' does not support token requests"],
    ['token', 'tokenx', "identity provider 'tokenx' does not support token requests"],
    ['exchange', 'maskinporten', "identity provider 'maskinporten' does not support token exchange"],
    ['exchange', 'idporten', "identity provider 'idporten' does not support token exchange"],
  ])('%s for %s, enabled: 400 "%s"', async (operation, provider, description) => {
    const url = operation === 'token' ? texas.env.NAIS_TOKEN_ENDPOINT : texas.env.NAIS_TOKEN_EXCHANGE_ENDPOINT;
    const response = await postJson(url as string, { identity_provider: provider, target: 'x', user_token: 'y' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'invalid_request', error_description: description });
  });
});

describe('request bodies, worded as Texas words their faults', () => {
  const invalid = (description: string) => ({ error: 'invalid_request', error_description: description });

  it('refuses another content type, and none', async () => {
    const plain = await answer(
      await fetch(texas.env.NAIS_TOKEN_ENDPOINT as string, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'some plain text',
      }),
    );
    expect(plain.status).toBe(400);
    expect(plain.body).toEqual(
      invalid('unsupported media type: text/plain: expected one of `application/json`, `application/x-www-form-urlencoded`'),
    );
    const none = await answer(await fetch(texas.env.NAIS_TOKEN_ENDPOINT as string, { method: 'POST', body: new Uint8Array([0x7b]) }));
    expect(none.body).toEqual(invalid('unsupported media type: : expected one of `application/json`, `application/x-www-form-urlencoded`'));
  });

  it('words an unknown provider as Texas does, in JSON and in a form (nais/texas tests/integration/token.rs)', async () => {
    const json = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, '{"identity_provider":"invalid","target":"dontcare"}');
    expect(json.status).toBe(400);
    expect(json.body).toEqual(
      invalid(
        'Failed to deserialize the JSON body into the target type: identity_provider: unknown variant `invalid`, expected one of `azuread`, `entra_id`, `tokenx`, `maskinporten`, `idporten` at line 1 column 30',
      ),
    );
    const form = await postForm(texas.env.NAIS_TOKEN_ENDPOINT as string, { target: 'dontcare', identity_provider: 'invalid' });
    expect(form.body).toEqual(
      invalid(
        'Failed to deserialize form body: identity_provider: unknown variant `invalid`, expected one of `azuread`, `entra_id`, `tokenx`, `maskinporten`, `idporten`',
      ),
    );
  });

  it.each([
    ['{"target":', 'Failed to parse the request body as JSON: target: EOF while parsing a value at line 1 column 10'],
    ['', 'Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 0'],
    ['{"target":"x"}', 'Failed to deserialize the JSON body into the target type: missing field `identity_provider` at line 1 column 14'],
    [
      '{"target":"x","identity_provider":"maskinporten","skip_cache":"yes"}',
      'Failed to deserialize the JSON body into the target type: skip_cache: invalid type: string "yes", expected a boolean at line 1 column 67',
    ],
    [
      '{"target":"x","target":"y"}',
      'Failed to deserialize the JSON body into the target type: duplicate field `target` at line 1 column 22',
    ],
    [
      '{"identity_provider":"maskinporten","target":"x"} x',
      'Failed to parse the request body as JSON: trailing characters at line 1 column 51',
    ],
    [
      '{"identity_provider":"maskinporten","target":"x","authorization_details":{}}',
      'Failed to deserialize the JSON body into the target type: authorization_details: data did not match any variant of untagged enum RequestValue at line 1 column 76',
    ],
  ])('JSON %j: 400 %j', async (body, description) => {
    const response = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid(description));
  });

  it.each([
    [{ identity_provider: 'maskinporten' }, 'Failed to deserialize form body: missing field `target`'],
    [
      { identity_provider: 'maskinporten', target: 'x', skip_cache: 'yes' },
      'Failed to deserialize form body: skip_cache: provided string was not `true` or `false`',
    ],
    [
      { identity_provider: 'maskinporten', target: 'x', authorization_details: '{"type":"t"}' },
      'Failed to deserialize form body: authorization_details: failed to parse authorization_details JSON string: invalid type: map, expected a sequence at line 1 column 0',
    ],
  ])('form %j: 400 %j', async (params, description) => {
    const response = await postForm(texas.env.NAIS_TOKEN_ENDPOINT as string, params);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid(description));
  });
});

describe('upstream failures', () => {
  it('retries a 503 as Texas does (reqwest-retry), so one outage is never seen', async () => {
    idp.injectFault('maskinporten.token', { type: 'status', status: 503 }, 1);
    const before = idpRequests('maskinporten.token').length;
    const response = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, {
      identity_provider: 'maskinporten',
      target: 'nav:test/api',
      resource: 'https://retry.example/',
    });
    expect(response.status).toBe(200);
    expect(idpRequests('maskinporten.token').length - before).toBe(2);
  });

  it('passes on the last 503 after 3 retries, with its body', async () => {
    idp.injectFault('maskinporten.token', { type: 'status', status: 503 }, 4);
    const before = idpRequests('maskinporten.token').length;
    const response = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, {
      identity_provider: 'maskinporten',
      target: 'nav:test/api',
      resource: 'https://outage.example/',
    });
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ error: 'temporarily_unavailable', error_description: 'injected 503' });
    expect(idpRequests('maskinporten.token').length - before).toBe(4);
  });

  it('answers 500 server_error when the provider answers what is not JSON', async () => {
    idp.injectFault('maskinporten.token', { type: 'garbage' }, 1);
    const response = await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, {
      identity_provider: 'maskinporten',
      target: 'nav:test/api',
      resource: 'https://garbage.example/',
    });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: 'server_error', error_description: 'Failed to parse JSON: error decoding response body' });
  });

  it('answers 500 server_error when the provider is unreachable, after its retries', async () => {
    const unreachable = { ...maskinporten.env, MASKINPORTEN_TOKEN_ENDPOINT: 'http://127.0.0.1:1/token', MASKINPORTEN_ENABLED: 'true' };
    const retried = await startFakeTexas({ env: unreachable });
    const once = await startFakeTexas({ env: { ...unreachable, TEXAS_HTTP_MAX_RETRIES: '0' } });
    try {
      const request = { identity_provider: 'maskinporten', target: 'nav:test/api' };
      expect((await postJson(retried.env.NAIS_TOKEN_ENDPOINT as string, request)).body).toEqual({
        error: 'server_error',
        error_description: 'Upstream request failed: Request failed after 3 retries',
      });
      expect((await postJson(once.env.NAIS_TOKEN_ENDPOINT as string, request)).body).toEqual({
        error: 'server_error',
        error_description: 'Upstream request failed: error sending request for url (http://127.0.0.1:1/token)',
      });
    } finally {
      await retried.close();
      await once.close();
    }
  });
});

describe('caching, as nais/texas src/cache.rs', () => {
  let clockMs = Date.now();
  const now = () => new Date(clockMs);
  let cacheIdp: LocalIdp;
  let shortIdp: LocalIdp;
  let cached: FakeTexas;
  let short: FakeTexas;
  const cacheIdpRequests = (endpoint: string) => cacheIdp.requests.filter((r) => r.endpoint === endpoint).length;

  beforeAll(async () => {
    cacheIdp = await startLocalIdp({ now });
    const client = await cacheIdp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
    await cacheIdp.registerTokenXApp({ name: 'dev-gcp:team:backend', inbound: ['dev-gcp:team:frontend'] });
    const app = await cacheIdp.registerTokenXApp({ name: 'dev-gcp:team:frontend' });
    cached = await startFakeTexas({ env: { ...client.env, ...app.env, MASKINPORTEN_ENABLED: 'true', TOKEN_X_ENABLED: 'true' }, now });
    shortIdp = await startLocalIdp({ now, tokenLifetimeSeconds: 100 });
    const shortClient = await shortIdp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
    short = await startFakeTexas({ env: { ...shortClient.env, MASKINPORTEN_ENABLED: 'true' }, now });
  });
  afterAll(async () => {
    await cached.close();
    await short.close();
    await cacheIdp.close();
    await shortIdp.close();
  });

  const token = (target: FakeTexas, extra: Record<string, unknown> = {}) =>
    postJson(target.env.NAIS_TOKEN_ENDPOINT as string, { identity_provider: 'maskinporten', target: 'nav:test/api', ...extra });

  it('answers a hit from the cache with the remaining lifetime, and refetches 120 s before expiry', async () => {
    const first = await token(cached);
    expect(first.body.expires_in).toBe(3599);
    const before = cacheIdpRequests('maskinporten.token');

    clockMs += 100_000;
    const hit = await token(cached);
    expect(hit.body).toEqual({ ...first.body, expires_in: 3499 });
    clockMs += 3_378_000; // 3478 s after the first: one second of cache life left
    expect((await token(cached)).body).toEqual({ ...first.body, expires_in: 121 });
    expect(cacheIdpRequests('maskinporten.token')).toBe(before);

    clockMs += 1_000; // TTL = 3599 - 120 = 3479 s: gone
    const renewed = await token(cached);
    expect(renewed.body.access_token).not.toBe(first.body.access_token);
    expect(renewed.body.expires_in).toBe(3599);
    expect(cacheIdpRequests('maskinporten.token')).toBe(before + 1);
  });

  it('keeps a token of 120 s or less for half its lifetime', async () => {
    const first = await token(short);
    expect(first.body.expires_in).toBe(100);
    clockMs += 49_000;
    expect((await token(short)).body).toEqual({ ...first.body, expires_in: 51 });
    clockMs += 1_000;
    expect((await token(short)).body.access_token).not.toBe(first.body.access_token);
  });

  it('skip_cache: true fetches anew and replaces the entry', async () => {
    const first = await token(cached, { resource: 'https://skip.example/' });
    const skipped = await token(cached, { resource: 'https://skip.example/', skip_cache: true });
    expect(skipped.body.access_token).not.toBe(first.body.access_token);
    expect((await token(cached, { resource: 'https://skip.example/' })).body.access_token).toBe(skipped.body.access_token);
  });

  it('keys on every field but skip_cache: another resource is another entry', async () => {
    const before = cacheIdpRequests('maskinporten.token');
    await token(cached, { resource: 'https://a.example/' });
    await token(cached, { resource: 'https://b.example/', skip_cache: false });
    await token(cached, { resource: 'https://a.example/', skip_cache: false });
    expect(cacheIdpRequests('maskinporten.token') - before).toBe(2);
  });

  it('coalesces 50 concurrent misses on one key into one request to the provider', async () => {
    cacheIdp.injectFault('maskinporten.token', { type: 'delay', ms: 200 }, 1);
    const before = cacheIdpRequests('maskinporten.token');
    const answers = await Promise.all(Array.from({ length: 50 }, () => token(cached, { resource: 'https://concurrent.example/' })));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    expect(cacheIdpRequests('maskinporten.token') - before).toBe(1);
  });

  it('does not cache errors', async () => {
    cacheIdp.injectFault('maskinporten.token', { type: 'status', status: 400 }, 1);
    const failed = await token(cached, { resource: 'https://flaky.example/' });
    expect(failed.status).toBe(400);
    expect(failed.body).toEqual({ error: 'temporarily_unavailable', error_description: 'injected 400' });
    expect((await token(cached, { resource: 'https://flaky.example/' })).status).toBe(200);
  });

  it('caches exchanges by target, provider and user token', async () => {
    const subject = await cacheIdp.mintIdportenToken({ audience: 'frontend-idporten' });
    const exchange = (user: string) =>
      postJson(cached.env.NAIS_TOKEN_EXCHANGE_ENDPOINT as string, {
        identity_provider: 'tokenx',
        target: 'dev-gcp:team:backend',
        user_token: user,
      });
    const before = cacheIdpRequests('tokenx.token');
    const first = await exchange(subject);
    clockMs += 10_000;
    const hit = await exchange(subject);
    expect(hit.body.access_token).toBe(first.body.access_token);
    expect(hit.body.expires_in).toBe(first.body.expires_in - 10);
    expect(cacheIdpRequests('tokenx.token') - before).toBe(1);
    await exchange(await cacheIdp.mintIdportenToken({ audience: 'frontend-idporten' }));
    expect(cacheIdpRequests('tokenx.token') - before).toBe(2);
  });
});

describe('POST /api/v1/introspect', () => {
  const introspect = async (provider: string, token: string) => {
    const response = await postJson(texas.env.NAIS_TOKEN_INTROSPECTION_ENDPOINT as string, { identity_provider: provider, token });
    expect(response.status).toBe(200);
    return response.body;
  };
  const azureClaims = () => ({ aud: caller.clientId, oid: 'o', scp: 'defaultaccess' });

  it('answers active:true with every claim verbatim, for each provider', async () => {
    const fromTexas = (
      await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, { identity_provider: 'maskinporten', target: 'nav:test/api' })
    ).body.access_token as string;
    const tokens: [string, string][] = [
      ['maskinporten', fromTexas],
      ['entra_id', await idp.mintAzureUserToken({ audience: caller.name, navIdent: 'Z990000', groups: ['g1'] })],
      ['azuread', await idp.mintAzureAppToken({ caller: api.name, audience: caller.name })],
      ['tokenx', await idp.mintTokenXToken({ audience: frontend.clientId, clientId: 'dev-gcp:team:other', pid: PID })],
      ['idporten', await idp.mintIdportenToken({ audience: 'frontend-idporten', pid: PID })],
    ];
    for (const [provider, token] of tokens) expect(await introspect(provider, token)).toEqual({ active: true, ...decodeJwt(token) });
  });

  it('takes a form body too', async () => {
    const token = await idp.mintIdportenToken({ audience: 'frontend-idporten' });
    const response = await postForm(texas.env.NAIS_TOKEN_INTROSPECTION_ENDPOINT as string, { identity_provider: 'idporten', token });
    expect(response.body).toEqual({ active: true, ...decodeJwt(token) });
  });

  it('allows 60 s of leeway, then answers active:false "invalid token: ExpiredSignature"', async () => {
    const late = await idp.mintToken('azure', { ...azureClaims(), exp: nowSeconds() - 30 });
    expect((await introspect('entra_id', late)).active).toBe(true);
    const expired = await idp.mintToken('azure', { ...azureClaims(), exp: nowSeconds() - 61 });
    expect(await introspect('entra_id', expired)).toEqual({ active: false, error: 'invalid token: ExpiredSignature' });
  });

  it('checks aud against the client id, except for Maskinporten', async () => {
    const forApi = await idp.mintAzureUserToken({ audience: api.name });
    expect(await introspect('entra_id', forApi)).toEqual({ active: false, error: 'invalid token: InvalidAudience' });
    const noAud = await idp.mintToken('azure', { oid: 'o' });
    expect(await introspect('entra_id', noAud)).toEqual({ active: false, error: 'invalid token: Missing required claim: aud' });
    const tokenxForOther = await idp.mintTokenXToken({ audience: 'dev-gcp:team:backend', clientId: 'dev-gcp:team:other' });
    expect(await introspect('tokenx', tokenxForOther)).toEqual({ active: false, error: 'invalid token: InvalidAudience' });
    const maskinportenForAnyone = await idp.mintMaskinportenToken({
      consumerOrg: '313367002',
      scopes: ['x'],
      audience: 'https://elsewhere/',
    });
    expect((await introspect('maskinporten', maskinportenForAnyone)).active).toBe(true);
  });

  it('refuses a token of another issuer', async () => {
    const maskinportenToken = await idp.mintMaskinportenToken({ consumerOrg: '313367002', scopes: ['x'] });
    expect(await introspect('entra_id', maskinportenToken)).toEqual({
      active: false,
      error: 'token can not be validated with this identity provider',
    });
    const foreignIssuer = await idp.mintToken('azure', { ...azureClaims(), iss: 'https://login.example/v2.0' });
    expect(await introspect('entra_id', foreignIssuer)).toEqual({ active: false, error: 'invalid token: InvalidIssuer' });
  });

  it('takes RS256 only, and only with a kid', async () => {
    const jwks = (await (await fetch(idp.azure.jwksUri)).json()) as { keys: JWK[] };
    const kid = jwks.keys[0]?.kid as string;
    const hs256 = await new CompactSign(
      new TextEncoder().encode(JSON.stringify({ ...azureClaims(), iss: idp.azure.issuer, iat: nowSeconds(), exp: nowSeconds() + 60 })),
    )
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(new TextEncoder().encode('a-shared-secret-of-thirty-two-bytes!'));
    expect(await introspect('entra_id', hs256)).toEqual({ active: false, error: 'invalid token: InvalidAlgorithm' });
    const noKid = await idp.mintToken('azure', azureClaims(), { header: { kid: undefined } });
    expect(await introspect('entra_id', noKid)).toEqual({ active: false, error: 'missing key id from token header' });
    expect(await introspect('entra_id', 'not a jwt')).toEqual({ active: false, error: 'invalid token header: InvalidToken' });
  });

  it('refuses nbf and iat more than 60 s ahead, and a token without iat', async () => {
    const notYet = await idp.mintToken('azure', { ...azureClaims(), nbf: nowSeconds() + 120 });
    expect(await introspect('entra_id', notYet)).toEqual({ active: false, error: 'invalid token: ImmatureSignature' });
    const issuedLater = await idp.mintToken('azure', { ...azureClaims(), iat: nowSeconds() + 120, exp: nowSeconds() + 300 });
    expect(await introspect('entra_id', issuedLater)).toEqual({ active: false, error: 'invalid token: ImmatureSignature' });
    const noIat = await idp.mintToken('azure', { ...azureClaims(), iat: undefined });
    expect(await introspect('entra_id', noIat)).toEqual({ active: false, error: 'invalid token: Missing required claim: iat' });
  });

  it('checks nothing beyond RFC 7519: an app token where a user token is expected is active', async () => {
    const appToken = await idp.mintToken('azure', { aud: caller.clientId, idtyp: 'app', roles: [] });
    expect((await introspect('entra_id', appToken)).active).toBe(true);
  });

  it('answers 400, not 200, when the body cannot be read', async () => {
    const response = await postJson(texas.env.NAIS_TOKEN_INTROSPECTION_ENDPOINT as string, { identity_provider: 'tokenx' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: 'invalid_request',
      error_description: 'Failed to deserialize the JSON body into the target type: missing field `token` at line 1 column 30',
    });
  });

  it('fetches the JWKS again for every unknown kid, with no cooldown', async () => {
    const before = idpRequests('azure.jwks').length;
    const forged = await idp.mintToken('azure', azureClaims(), { unpublishedKey: true });
    for (let i = 0; i < 2; i++) {
      expect(await introspect('entra_id', forged)).toEqual({
        active: false,
        error: 'token can not be validated with this identity provider',
      });
    }
    expect(idpRequests('azure.jwks').length - before).toBe(2);
    await idp.rotateKeys('azure');
    const rotated = await idp.mintAzureUserToken({ audience: caller.name });
    expect((await introspect('entra_id', rotated)).active).toBe(true);
    expect(idpRequests('azure.jwks').length - before).toBe(3);
  });
});

describe('startup, configured from the environment as Texas is', () => {
  const refusal = (overrides: Record<string, string | undefined>) =>
    startFakeTexas({ env: { ...maskinporten.env, MASKINPORTEN_ENABLED: 'true', ...overrides } }).then(
      async (started) => {
        await started.close();
        return 'started';
      },
      (error: Error) => error.message,
    );

  it('refuses a private JWK without alg', async () => {
    expect(await refusal({ MASKINPORTEN_CLIENT_JWK: JSON.stringify({ ...maskinporten.privateJwk, alg: undefined }) })).toBe(
      'unable to initialize application: invalid private JWK format: private JWK is missing algorithm',
    );
  });

  it('refuses a JWK alg jsonwebkey does not know, and one without kid', async () => {
    expect(await refusal({ MASKINPORTEN_CLIENT_JWK: JSON.stringify({ ...maskinporten.privateJwk, alg: 'RS384' }) })).toMatch(
      /^unable to initialize application: invalid private JWK format: parse private JWK: unknown variant `RS384`, expected one of `HS256`, `RS256`, `ES256` at line 1 column \d+$/,
    );
    expect(await refusal({ MASKINPORTEN_CLIENT_JWK: JSON.stringify({ ...maskinporten.privateJwk, kid: undefined }) })).toBe(
      'unable to initialize application: invalid private JWK format: private JWK is missing key id',
    );
  });

  it('needs the client id and the private JWK: no client secret', async () => {
    expect(await refusal({ MASKINPORTEN_CLIENT_ID: undefined })).toBe(
      "unable to initialize application: invalid configuration: missing required environment variable 'MASKINPORTEN_CLIENT_ID'",
    );
    const withSecretOnly = { ...caller.env, AZURE_APP_JWK: undefined, AZURE_ENABLED: 'true' };
    expect(await refusal(withSecretOnly)).toBe(
      "unable to initialize application: invalid configuration: missing required environment variable 'AZURE_APP_JWK'",
    );
  });

  it('takes exactly true or false as *_ENABLED', async () => {
    expect(await refusal({ AZURE_ENABLED: 'yes' })).toBe(
      "unable to initialize application: invalid configuration: parse boolean option 'AZURE_ENABLED': provided string was not `true` or `false`",
    );
    expect(await refusal({ AZURE_ENABLED: 'false' })).toBe('started');
  });

  it("fetches every provider's JWKS before it listens, Entra ID's twice (one per grant handler, as Texas)", async () => {
    const jwks = (endpoint: string) => idpRequests(endpoint).length;
    const before = {
      maskinporten: jwks('maskinporten.jwks'),
      azure: jwks('azure.jwks'),
      tokenx: jwks('tokenx.jwks'),
      idporten: jwks('idporten.jwks'),
    };
    const started = await startFakeTexas({ env });
    await started.close();
    expect(jwks('maskinporten.jwks') - before.maskinporten).toBe(1);
    expect(jwks('azure.jwks') - before.azure).toBe(2);
    expect(jwks('tokenx.jwks') - before.tokenx).toBe(1);
    expect(jwks('idporten.jwks') - before.idporten).toBe(1);
  });

  it('fetches the well-known document only when issuer, JWKS URI or token endpoint is missing', async () => {
    const discovery = () => idpRequests('maskinporten.discovery').length;
    const before = discovery();
    expect(await refusal({})).toBe('started');
    expect(discovery()).toBe(before);
    const { MASKINPORTEN_ISSUER: _i, MASKINPORTEN_JWKS_URI: _j, MASKINPORTEN_TOKEN_ENDPOINT: _t, ...wellKnownOnly } = maskinporten.env;
    const discovered = await startFakeTexas({ env: { ...wellKnownOnly, MASKINPORTEN_ENABLED: 'true' } });
    try {
      expect(discovery()).toBe(before + 1);
      const response = await postJson(discovered.env.NAIS_TOKEN_ENDPOINT as string, {
        identity_provider: 'maskinporten',
        target: 'nav:test/api',
      });
      expect(response.status).toBe(200);
    } finally {
      await discovered.close();
    }
    expect(await refusal({ MASKINPORTEN_WELL_KNOWN_URL: undefined, MASKINPORTEN_ISSUER: undefined })).toBe(
      "unable to initialize application: invalid configuration: missing configuration for provider 'maskinporten': set MASKINPORTEN_WELL_KNOWN_URL or MASKINPORTEN_ISSUER",
    );
  });
});

describe('requests and faults', () => {
  it('records requests per endpoint and hands them out with takeRequest', async () => {
    while (texas.takeRequest('texas.introspect') !== undefined) {
      // drain what earlier tests left
    }
    await postForm(texas.env.NAIS_TOKEN_INTROSPECTION_ENDPOINT as string, { identity_provider: 'idporten', token: 'x' });
    const taken = texas.takeRequest('texas.introspect');
    expect(taken).toMatchObject({
      endpoint: 'texas.introspect',
      method: 'POST',
      path: '/api/v1/introspect',
      form: { identity_provider: 'idporten', token: 'x' },
    });
    expect(texas.takeRequest('texas.introspect')).toBeUndefined();
    expect(texas.requests.filter((r) => r.endpoint === 'texas.token').length).toBeGreaterThan(0);
  });

  it('injects faults per endpoint, for the given number of requests', async () => {
    texas.injectFault('texas.exchange', { type: 'status', status: 503 }, 1);
    const exchangeUrl = texas.env.NAIS_TOKEN_EXCHANGE_ENDPOINT as string;
    expect((await postJson(exchangeUrl, { identity_provider: 'maskinporten', target: 'x', user_token: 'y' })).status).toBe(503);
    expect((await postJson(exchangeUrl, { identity_provider: 'maskinporten', target: 'x', user_token: 'y' })).status).toBe(400);
    texas.injectFault('texas.token', { type: 'reset' });
    await expect(fetch(texas.env.NAIS_TOKEN_ENDPOINT as string, { method: 'POST' })).rejects.toThrow();
    texas.clearFaults('texas.token');
    expect((await postJson(texas.env.NAIS_TOKEN_ENDPOINT as string, { identity_provider: 'idporten', target: 'x' })).status).toBe(400);
  });
});

describe('the README', () => {
  // A child process that compiles this package's TypeScript source first: seconds on a busy machine.
  it('runs its Fake Texas example as written', { timeout: 30_000 }, async () => {
    const example = README_BLOCKS.find((block) => block.lang === 'ts' && block.body.includes('startFakeTexas'));
    expect(example).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'fake-texas-readme-'));
    try {
      const file = join(dir, 'example.ts');
      const source = new URL('../src/index.ts', import.meta.url).href;
      writeFileSync(file, (example?.body ?? '').replace("'@nav-auth/testing'", `'${source}'`));
      const finished = await spawnSource(file, []).finished;
      expect(finished.stderr).toBe('');
      expect(finished.stdout).toMatch(/access_token: 'eyJ[^']+',\s+token_type: 'Bearer',\s+expires_in: 359[89]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
