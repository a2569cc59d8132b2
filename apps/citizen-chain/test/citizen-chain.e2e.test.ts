import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startAppA, startAppB } from '../src/services.js';

const pid = '01017012345';
let idp: LocalIdp;
let appA: Service;
let appB: Service;
let idportenAudience: string;

beforeAll(async () => {
  idp = await startLocalIdp();
  const a = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-a' });
  // The inbound access policy of B admits A and C; B's own allow-list admits only A.
  const b = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-b', inbound: ['dev-gcp:team:app-a', 'dev-gcp:team:app-c'] });
  const login = idp.registerIdportenClient({ clientId: 'dev-gcp:team:app-a-idporten' });
  idportenAudience = login.clientId;
  appB = await startAppB(b.env, ['dev-gcp:team:app-a']);
  appA = await startAppA({ ...a.env, ...login.env }, { url: appB.url, name: b.clientId });
});
afterAll(async () => {
  await appA?.close();
  await appB?.close();
  await idp?.close();
});

const get = (url: string, token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });

describe('citizen -> app A -> TokenX -> app B', () => {
  it('carries a citizen logged in at level high through A to B', async () => {
    const citizen = await idp.mintIdportenToken({ audience: idportenAudience, pid });
    const response = await get(appA.url, citizen);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({ fromAppB: { loginLevel: 'high', calledBy: 'dev-gcp:team:app-a', loggedInWith: idp.idporten.issuer } });
    expect(JSON.stringify(body)).not.toContain(pid);
  });

  it("lets a substantial citizen into A, and relays B's step-up challenge for level high", async () => {
    const citizen = await idp.mintIdportenToken({ audience: idportenAudience, pid, acr: 'idporten-loa-substantial' });
    const response = await get(appA.url, citizen);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", acr_values="idporten-loa-high"',
    );
  });

  it('refuses at B a TokenX token made for A, and a token from a caller B does not allow', async () => {
    const forA = await idp.mintTokenXToken({ audience: 'dev-gcp:team:app-a', clientId: 'dev-gcp:team:app-x', pid });
    expect((await get(appB.url, forA)).status).toBe(401);
    const fromC = await idp.mintTokenXToken({ audience: 'dev-gcp:team:app-b', clientId: 'dev-gcp:team:app-c', pid });
    expect((await get(appB.url, fromC)).status).toBe(403);
  });

  it('refuses at B the ID-porten token itself, and at A a token for someone else', async () => {
    const citizen = await idp.mintIdportenToken({ audience: idportenAudience, pid });
    expect((await get(appB.url, citizen)).status).toBe(401);
    const other = await idp.mintIdportenToken({ audience: 'another-client', pid });
    expect((await get(appA.url, other)).status).toBe(401);
  });

  it('answers 502 when TokenX refuses the exchange: no access policy for A at the target', async () => {
    const d = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-d' });
    const a = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-a2' });
    const login = idp.registerIdportenClient({ clientId: 'dev-gcp:team:app-a2-idporten' });
    const lonelyA = await startAppA({ ...a.env, ...login.env }, { url: appB.url, name: d.clientId });
    try {
      const response = await get(lonelyA.url, await idp.mintIdportenToken({ audience: login.clientId, pid }));
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ error: 'token_exchange_refused', code: 'ERR_TOKEN_ENDPOINT' });
    } finally {
      await lonelyA.close();
    }
  });
});
