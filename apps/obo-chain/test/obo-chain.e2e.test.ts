// The on-behalf-of chain twice: direct, and with Texas on (the fake Texas of @nav-auth/testing
// in front of the same local IdP). The services are the same code; only their environment differs.
import { type FakeTexas, type LocalIdp, startFakeTexas, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startApiA, startApiB } from '../src/services.js';

describe.each(['direct', 'texas'] as const)('user -> API A -> API B, %s', (mode) => {
  let idp: LocalIdp;
  let texas: FakeTexas | undefined;
  let apiA: Service;
  let apiB: Service;

  beforeAll(async () => {
    idp = await startLocalIdp();
    const a = await idp.registerAzureApp({ name: 'dev-gcp:team:api-a' });
    const b = await idp.registerAzureApp({ name: 'dev-gcp:team:api-b', inbound: ['dev-gcp:team:api-a'] });
    let envA: Record<string, string> = { ...a.env };
    if (mode === 'texas') {
      texas = await startFakeTexas({ env: { ...a.env, AZURE_ENABLED: 'true' } });
      const { AZURE_APP_JWK: _jwk, AZURE_APP_CLIENT_SECRET: _secret, ...validationOnly } = a.env;
      envA = { ...validationOnly, ...texas.env };
    }
    apiB = await startApiB(b.env);
    apiA = await startApiA(envA, { url: apiB.url, name: b.name });
  });
  afterAll(async () => {
    await apiA?.close();
    await apiB?.close();
    await texas?.close();
    await idp?.close();
  });

  it('carries the user through A to B on-behalf-of', async () => {
    const user = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api-a', navIdent: 'Z990033' });
    const response = await fetch(apiA.url, { headers: { authorization: `Bearer ${user}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ fromApiB: { navIdent: 'Z990033', calledBy: 'dev-gcp:team:api-a' } });
    expect(texas?.requests.filter((r) => r.endpoint === 'texas.exchange').length ?? 0).toBe(mode === 'texas' ? 1 : 0);
  });

  it('refuses a token meant for B at A, and a token for A at B', async () => {
    const forB = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api-b', navIdent: 'Z990033' });
    expect((await fetch(apiA.url, { headers: { authorization: `Bearer ${forB}` } })).status).toBe(401);
    const forA = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:api-a', navIdent: 'Z990033' });
    expect((await fetch(apiB.url, { headers: { authorization: `Bearer ${forA}` } })).status).toBe(401);
  });
});
