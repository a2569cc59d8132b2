// End to end over real HTTP: a NestJS app (Express and Fastify) guarded by nav-auth, tokens
// minted by the strict local IdP, the Altinn PDP emulated by it too.
import 'reflect-metadata';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { NAV_AUTH_CHANNELS, type SharedToken, type SharedTokenStore } from '@nav-auth/node';
import { type LocalIdp, type RegisteredAzureApp, type SystemUserRecord, startLocalIdp } from '@nav-auth/testing';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appModule, azureControllers } from './app.js';

const PDP_SCOPE = 'altinn:authorization/authorize';
let idp: LocalIdp;
let api: RegisteredAzureApp;
let caller: RegisteredAzureApp;
let downstream: RegisteredAzureApp;
let systemUser: SystemUserRecord;
let env: Record<string, string>;

beforeAll(async () => {
  idp = await startLocalIdp({ subscriptionKey: 'sub-key' });
  api = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
  caller = await idp.registerAzureApp({ name: 'dev-gcp:team:caller', roles: { 'dev-gcp:team:api': ['read'] } });
  downstream = await idp.registerAzureApp({ name: 'dev-gcp:team:downstream' });
  const consumer = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: [PDP_SCOPE] });
  systemUser = idp.registerSystemUser({ systemId: 'vendor_system', customerOrg: '313367002', vendorOrg: '974760673' });
  idp.addPdpPolicy({ systemUserId: systemUser.id, resource: 'kravogbetaling', action: 'read', org: '313367002' });
  env = { ...api.env, ...consumer.env };
});
afterAll(() => idp.close());

const appToken = (from: RegisteredAzureApp) => idp.mintAzureAppToken({ caller: from.name, audience: api.name });

const platforms = [
  ['Express', () => undefined],
  ['Fastify', () => new FastifyAdapter()],
] as const;

describe.each(platforms)('NavAuthModule on %s', (_platform, adapter) => {
  let app: INestApplication;
  let url: string;
  const call = async (path: string, token?: string) => {
    const response = await fetch(`${url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      body: text.startsWith('{') ? JSON.parse(text) : text,
    };
  };

  beforeAll(async () => {
    const module = appModule({
      env,
      secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' },
      pdp: { baseUrl: `${idp.url}/altinn`, subscriptionKey: 'sub-key' },
    });
    const platform = adapter();
    app =
      platform === undefined
        ? await NestFactory.create(module, { logger: false })
        : await NestFactory.create(module, platform, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  });
  afterAll(() => app.close());

  it('@Public routes need no token; every other route needs one (401, RFC 6750)', async () => {
    expect(await call('/health')).toMatchObject({ status: 200, body: 'ok' });
    expect(await call('/azure/ping')).toMatchObject({ status: 401, challenge: 'Bearer' });
    const basic = await fetch(`${url}/azure/ping`, { headers: { authorization: 'Basic dXNlcjpwdw==' } });
    expect([basic.status, basic.headers.get('www-authenticate')]).toEqual([401, 'Bearer error="invalid_request"']);
  });

  it('reads the Authorization header as RFC 6750 says: any case of Bearer, one token, nothing around it', async () => {
    const token = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000' });
    const answer = async (authorization: string) => {
      const response = await fetch(`${url}/azure/me`, { headers: { authorization } });
      return [response.status, response.headers.get('www-authenticate')?.replace(/, error_description=.*/, '')];
    };
    for (const value of [`Bearer ${token}`, `bearer ${token}`, `BEARER   ${token}`])
      expect(await answer(value), value.slice(0, 12)).toEqual([200, undefined]);
    for (const value of ['Bearer', 'Bearer ', `Bearer ${token} extra`, `Bearer${token}`, `Bearerx ${token}`, `Token ${token}`])
      expect(await answer(value), value.slice(0, 12)).toEqual([401, 'Bearer error="invalid_request"']);
    for (const value of [`Bearer ${token.slice(0, -1)}!`, `Bearer ${token.replace('.', '%')}`])
      expect(await answer(value), value.slice(0, 12)).toEqual([401, 'Bearer error="invalid_token"']);
  });

  it('a valid user token passes, with @NavIdent and @AuthClaims', async () => {
    const token = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000' });
    expect(await call('/azure/me', token)).toMatchObject({ status: 200, body: { navIdent: 'Z990000', kind: 'user' } });
    expect((await call('/azure/user', token)).body).toEqual({ tokenLength: token.length });
  });

  it.each([
    ['expired', () => idp.mintAzureUserToken({ audience: 'dev-gcp:team:api', claims: { exp: Math.floor(Date.now() / 1000) - 60 } })],
    ['for another audience', () => idp.mintAzureUserToken({ audience: 'dev-gcp:team:caller' })],
    ['from another issuer', () => idp.mintMaskinportenToken({ consumerOrg: '889640782', scopes: ['defaultaccess'] })],
    ['signed by an unknown key', () => idp.mintToken('azure', { aud: 'x' }, { unpublishedKey: true })],
    ['garbage', async () => 'not.a.token'],
  ])('a token %s gets 401 invalid_token', async (_name, token) => {
    expect(await call('/azure/me', await token())).toMatchObject({
      status: 401,
      challenge: expect.stringMatching(/^Bearer error="invalid_token", error_description="[^"]+"$/),
    });
  });

  it('a missing scope, role or group, or the wrong token kind, gets 403 insufficient_scope', async () => {
    const otherScope = await idp.mintAzureUserToken({ audience: api.name, scopes: ['other'] });
    expect(await call('/azure/me', otherScope)).toMatchObject({
      status: 403,
      challenge: expect.stringMatching(/^Bearer error="insufficient_scope", error_description="[^"]+"$/),
    });
    const user = await idp.mintAzureUserToken({ audience: api.name, groups: ['g-users'] });
    expect((await call('/azure/app', user)).status).toBe(403);
    expect((await call('/azure/admins', user)).status).toBe(403);
    expect((await call('/azure/admins', await idp.mintAzureUserToken({ audience: api.name, groups: ['g-admins'] }))).status).toBe(200);
    const overage = await idp.mintAzureUserToken({ audience: api.name, claims: { _claim_names: { groups: 'src1' } } });
    expect((await call('/azure/admins', overage)).status).toBe(403);
    const app = await appToken(caller);
    expect(await call('/azure/app', app)).toMatchObject({ status: 200, body: { caller: 'dev-gcp:team:caller' } });
    expect((await call('/azure/user', app)).status).toBe(403);
    const noRole = await appToken(downstream);
    expect((await call('/azure/app', noRole)).status).toBe(403);
  });

  it('AzureTokenService.onBehalfOf uses the current request token', async () => {
    const token = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990001' });
    expect(await call('/azure/obo', token)).toMatchObject({ status: 200, body: { aud: downstream.clientId, navIdent: 'Z990001' } });
  });

  it('Maskinporten routes check scopes and read the consumer', async () => {
    const token = await idp.mintMaskinportenToken({ consumerOrg: '889640782', scopes: ['nav:arbeid:read'] });
    expect(await call('/maskinporten/read', token)).toMatchObject({ status: 200, body: { consumer: '889640782' } });
    const wrongScope = await idp.mintMaskinportenToken({ consumerOrg: '889640782', scopes: ['nav:arbeid:write'] });
    expect(await call('/maskinporten/read', wrongScope)).toMatchObject({
      status: 403,
      challenge: expect.stringMatching(/^Bearer error="insufficient_scope", error_description="[^"]+"$/),
    });
    expect((await call('/maskinporten/read', await idp.mintAzureUserToken({ audience: api.name }))).status).toBe(401);
  });

  it('system users: permitted, denied by the PDP, refused without a system user, 503 when the PDP is down', async () => {
    const token = await idp.mintMaskinportenToken({ consumerOrg: '974760673', scopes: ['nav:arbeid:read'], systemUser });
    expect(await call('/maskinporten/system-user', token)).toMatchObject({ status: 200, body: { customer: '313367002' } });
    expect(await call('/maskinporten/system-user-write', token)).toMatchObject({
      status: 403,
      challenge: expect.stringMatching(/^Bearer error="insufficient_scope", error_description="[^"]+"$/),
    });
    const plain = await idp.mintMaskinportenToken({ consumerOrg: '974760673', scopes: ['nav:arbeid:read'] });
    expect((await call('/maskinporten/system-user', plain)).status).toBe(403);
    const fresh = await idp.mintMaskinportenToken({
      consumerOrg: '974760673',
      scopes: ['nav:arbeid:read'],
      systemUser,
      claims: { jti: 'pdp-down' },
    });
    idp.injectFault('altinn.pdp', { type: 'status', status: 503 });
    try {
      expect((await call('/maskinporten/system-user', fresh)).status).toBe(503);
    } finally {
      idp.clearFaults('altinn.pdp');
    }
  });

  it('MaskinportenTokenService gets tokens with the module client', async () => {
    expect(await call('/maskinporten/outbound')).toMatchObject({ status: 200, body: { scope: PDP_SCOPE } });
  });
});

describe('NavAuthModule with a sharedStore', () => {
  it('gives every client the shared tier: two replicas, one token request', async () => {
    const entries = new Map<string, SharedToken>();
    const sharedStore: SharedTokenStore = {
      get: async (key) => entries.get(key),
      set: async (key, token) => {
        entries.set(key, token);
      },
      tryLock: async () => ({ state: 'unavailable' }),
      deleteIfToken: async (key, token) => {
        if (entries.get(key)?.accessToken === token) entries.delete(key);
      },
    };
    const replicas = await Promise.all(
      [1, 2].map(async () => {
        const app = await NestFactory.create(
          appModule({
            env,
            secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' },
            pdp: { baseUrl: `${idp.url}/altinn`, subscriptionKey: 'sub-key' },
            sharedStore,
          }),
          { logger: false },
        );
        await app.listen(0, '127.0.0.1');
        return app;
      }),
    );
    try {
      const before = idp.requests.filter((r) => r.endpoint === 'maskinporten.token').length;
      const bodies = [];
      for (const app of replicas) {
        const response = await fetch(`${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/maskinporten/outbound`);
        bodies.push(await response.json());
      }
      expect(bodies[0]).toMatchObject({ scope: PDP_SCOPE });
      expect(idp.requests.filter((r) => r.endpoint === 'maskinporten.token').length - before).toBe(1);
      expect(entries.size).toBe(1);
    } finally {
      await Promise.all(replicas.map((app) => app.close()));
    }
  });
});

describe('NavAuthModule with observability', () => {
  it("starts it with the module, sees the module's events, and stops it on close", async () => {
    const seen: unknown[] = [];
    const record = (message: unknown) => seen.push(message);
    let stopped = 0;
    const observability = () => {
      subscribe(NAV_AUTH_CHANNELS.token, record);
      return {
        stop: () => {
          unsubscribe(NAV_AUTH_CHANNELS.token, record);
          stopped++;
        },
      };
    };
    const app = await NestFactory.create(
      appModule({
        env,
        secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' },
        pdp: { baseUrl: `${idp.url}/altinn`, subscriptionKey: 'sub-key' },
        observability,
      }),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    await fetch(`${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/maskinporten/outbound`);
    await app.close();
    expect(seen).toContainEqual({ type: 'cache_miss', provider: 'maskinporten' });
    expect(stopped).toBe(1);
  });
});

describe('NavAuthModule when the JWKS is unreachable', () => {
  it('answers 503, not 401 and never 200', async () => {
    idp.injectFault('azure.jwks', { type: 'status', status: 503 });
    const app = await NestFactory.create(
      appModule({ env, secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' } }, azureControllers),
      {
        logger: false,
      },
    );
    try {
      await app.listen(0, '127.0.0.1');
      const token = await idp.mintAzureUserToken({ audience: api.name });
      const response = await fetch(`${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/azure/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(503);
    } finally {
      idp.clearFaults('azure.jwks');
      await app.close();
    }
  });
});
