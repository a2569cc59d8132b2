// End to end over real HTTP: the Nest 12 ESM sample against @nav-auth/testing, twice: direct,
// and with Texas on (the fake Texas of @nav-auth/testing in front of the same local IdP). The app
// is the same in both; only the environment differs, as when Texas is turned on in the manifest.

import {
  type FakeTexas,
  type LocalIdp,
  type RegisteredAzureApp,
  type SystemUserRecord,
  startFakeTexas,
  startLocalIdp,
} from '@nav-auth/testing';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appModule } from '../src/app.module.js';

describe.each(['direct', 'texas'] as const)('the Nest 12 ESM sample, %s', (mode) => {
  let idp: LocalIdp;
  let texas: FakeTexas | undefined;
  let app: INestApplication;
  let url: string;
  let api: RegisteredAzureApp;
  let systemUser: SystemUserRecord;

  beforeAll(async () => {
    idp = await startLocalIdp({ subscriptionKey: 'key' });
    api = await idp.registerAzureApp({ name: 'dev-gcp:team:nest12-api' });
    await idp.registerAzureApp({ name: 'dev-gcp:team:profile-api' });
    const pdpClient = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['altinn:authorization/authorize'] });
    systemUser = idp.registerSystemUser({ systemId: 'vendor', customerOrg: '313367002', vendorOrg: '974760673' });
    idp.addPdpPolicy({ systemUserId: systemUser.id, resource: 'nav-krav', action: 'read', org: '313367002' });
    let env: Record<string, string> = { ...api.env, ...pdpClient.env };
    if (mode === 'texas') {
      texas = await startFakeTexas({ env: { ...env, AZURE_ENABLED: 'true', MASKINPORTEN_ENABLED: 'true' } });
      // With Texas on, the app needs none of the private keys.
      const { AZURE_APP_JWK: _a, AZURE_APP_CLIENT_SECRET: _s, MASKINPORTEN_CLIENT_JWK: _m, ...rest } = env;
      env = { ...rest, ...texas.env };
    }
    app = await NestFactory.create(
      appModule({
        env,
        secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' },
        pdp: { baseUrl: `${idp.url}/altinn`, subscriptionKey: 'key' },
      }),
      {
        logger: false,
      },
    );
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await texas?.close();
    await idp?.close();
  });

  /** Through Texas, every token the app asked for went through the sidecar; direct, none did. */
  const sidecarRequests = (endpoint: 'texas.token' | 'texas.exchange') =>
    texas?.requests.filter((r) => r.endpoint === endpoint).length ?? 0;

  const get = async (path: string, token?: string) => {
    const response = await fetch(`${url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.text() };
  };

  describe('routes', () => {
    it('serves a NAV employee, and refuses an app token where a user is expected', async () => {
      const user = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990022' });
      expect(await get('/internal/me', user)).toEqual({ status: 200, body: JSON.stringify({ navIdent: 'Z990022' }) });
      expect((await get('/internal/batch', user)).status).toBe(403);
    });

    it('calls a downstream API on behalf of the user', async () => {
      const user = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990022' });
      const before = sidecarRequests('texas.exchange');
      const response = await get('/internal/profile', user);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).downstreamTokenValidUntil).toMatch(/^\d{4}-/);
      expect(sidecarRequests('texas.exchange') - before).toBe(mode === 'texas' ? 1 : 0);
    });

    it('serves Maskinporten consumers with the right scope, and system users the PDP permits', async () => {
      const consumer = await idp.mintMaskinportenToken({ consumerOrg: '889640782', scopes: ['nav:arbeid:arbeidsforhold.read'] });
      expect(await get('/external/arbeidsforhold', consumer)).toEqual({ status: 200, body: JSON.stringify({ consumer: '889640782' }) });
      expect((await get('/external/krav', consumer)).status).toBe(403);
      const systemUserToken = await idp.mintMaskinportenToken({
        consumerOrg: '974760673',
        scopes: ['nav:arbeid:arbeidsforhold.read'],
        systemUser,
      });
      expect(await get('/external/krav', systemUserToken)).toEqual({ status: 200, body: JSON.stringify({ customer: '313367002' }) });
      expect((await get('/external/health')).status).toBe(200);
      // The PDP's own Maskinporten token (altinn:authorization/authorize) came through the sidecar.
      expect(sidecarRequests('texas.token') > 0).toBe(mode === 'texas');
    });
  });
});
