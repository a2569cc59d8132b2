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
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="exp /);
});

test('a user token lacks the app role: 403 insufficient_scope', async () => {
  const token = await idp.mintAzureUserToken({ audience: api.name });
  const response = await get('/api/jobs', token);
  expect(response.status).toBe(403);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", error_description=/);
});

test('the CommonJS build keeps the real class names (logs and stack traces)', () => {
  const { NavAuthModule, NavAuthGuard, AzureTokenService } = require('@nav-auth/nestjs');
  expect([NavAuthModule.name, NavAuthGuard.name, AzureTokenService.name]).toEqual(['NavAuthModule', 'NavAuthGuard', 'AzureTokenService']);
});

test('an inherited handler under a @Public() subclass leaves the guarded subclass guarded (CommonJS, Nest 11)', async () => {
  const { Controller, Get, Module } = require('@nestjs/common');
  const { NavAuthModule, Public, RequireRoles } = require('@nav-auth/nestjs');
  class Base {
    data() {
      return { secret: true };
    }
  }
  Reflect.decorate([Get('data')], Base.prototype, 'data', Object.getOwnPropertyDescriptor(Base.prototype, 'data'));
  class Pub extends Base {}
  Reflect.decorate([Public(), Controller('pub')], Pub);
  class Adm extends Base {}
  Reflect.decorate([RequireRoles('admin'), Controller('adm')], Adm);
  class AppModule {}
  Reflect.decorate(
    [Module({ imports: [NavAuthModule.forRoot({ env: api.env, maskinporten: false, defaultIssuer: 'azure' })], controllers: [Pub, Adm] })],
    AppModule,
  );
  const inherited = await NestFactory.create(AppModule, { logger: false });
  await inherited.listen(0, '127.0.0.1');
  const base = (await inherited.getUrl()).replace('[::1]', '127.0.0.1');
  try {
    expect((await fetch(`${base}/pub/data`)).status).toBe(200);
    expect((await fetch(`${base}/adm/data`)).status).toBe(401);
  } finally {
    await inherited.close();
  }
});
