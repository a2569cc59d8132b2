// @nav-auth/nestjs/testing from CommonJS under Jest: the app's own module, pointed at the
// local identity provider by one override in Test.createTestingModule.
const { Test } = require('@nestjs/testing');
const { localIdpAuth } = require('@nav-auth/nestjs/testing');
const { startLocalIdp } = require('@nav-auth/testing');
const { appModule } = require('../src/app');

let idp;
let app;
let url;
let auth;

beforeAll(async () => {
  idp = await startLocalIdp();
  auth = await localIdpAuth(idp, { azure: 'dev-gcp:team:nest11-api' });
  // The module as it ships: configuration from the environment, which this process does not have.
  const moduleRef = await auth.override(Test.createTestingModule({ imports: [appModule(undefined)] })).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app.close();
  await idp.close();
});

test('a user token minted for the app passes; none is 401', async () => {
  const token = await auth.azureUserToken({ navIdent: 'Z990012' });
  const response = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ navIdent: 'Z990012' });
  expect((await fetch(`${url}/api/me`)).status).toBe(401);
});
