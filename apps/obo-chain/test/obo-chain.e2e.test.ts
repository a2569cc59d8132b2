import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Service, startApiA, startApiB } from '../src/services.js';

let idp: LocalIdp;
let apiA: Service;
let apiB: Service;

beforeAll(async () => {
  idp = await startLocalIdp();
  const a = await idp.registerAzureApp({ name: 'dev-gcp:team:api-a' });
  const b = await idp.registerAzureApp({ name: 'dev-gcp:team:api-b', inbound: ['dev-gcp:team:api-a'] });
  apiB = await startApiB(b.env);
  apiA = await startApiA(a.env, { url: apiB.url, name: b.name });
});
afterAll(async () => {
  await apiA.close();
  await apiB.close();
  await idp.close();
});

it('carries the user through A to B on-behalf-of', async () => {
  const user = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api-a', navIdent: 'Z990033' });
  const response = await fetch(apiA.url, { headers: { authorization: `Bearer ${user}` } });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ fromApiB: { navIdent: 'Z990033', calledBy: 'dev-gcp:team:api-a' } });
});

it('refuses a token meant for B at A, and a token for A at B', async () => {
  const forB = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api-b', navIdent: 'Z990033' });
  expect((await fetch(apiA.url, { headers: { authorization: `Bearer ${forB}` } })).status).toBe(401);
  const forA = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api-a', navIdent: 'Z990033' });
  expect((await fetch(apiB.url, { headers: { authorization: `Bearer ${forA}` } })).status).toBe(401);
});
