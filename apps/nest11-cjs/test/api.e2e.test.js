// End to end over real HTTP with Jest: the CommonJS build of @nav-auth/nestjs in a Nest 11
// app, tokens from @nav-auth/testing's local identity provider.
const { NestFactory } = require('@nestjs/core');
const { startLocalIdp } = require('@nav-auth/testing');
const { appModule } = require('../src/app');

let idp;
let app;
let url;
let api;

beforeAll(async () => {
  idp = await startLocalIdp();
  api = await idp.registerAzureApp({ name: 'dev-gcp:team:nest11-api' });
  app = await NestFactory.create(appModule({ ...api.env }), { logger: false });
  await app.listen(0, '127.0.0.1');
  url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app.close();
  await idp.close();
});

const get = (path, token) => fetch(`${url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

test('a public route answers without a token', async () => {
  expect((await get('/api/health')).status).toBe(200);
});

test('a NAV employee token passes and @NavIdent reads it', async () => {
  const token = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990011' });
  const response = await get('/api/me', token);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ navIdent: 'Z990011' });
});

test('no token is 401 with a Bearer challenge; an expired one is invalid_token', async () => {
  const missing = await get('/api/me');
  expect(missing.status).toBe(401);
  expect(missing.headers.get('www-authenticate')).toBe('Bearer');
  const expired = await idp.mintAzureUserToken({ audience: api.name, claims: { exp: Math.floor(Date.now() / 1000) - 60 } });
  const response = await get('/api/me', expired);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
});

test('a user token lacks the app role: 403 insufficient_scope', async () => {
  const token = await idp.mintAzureUserToken({ audience: api.name });
  const response = await get('/api/jobs', token);
  expect(response.status).toBe(403);
  expect(response.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
});
