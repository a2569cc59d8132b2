// Texas mode: the same clients and validators through the NAIS token sidecar, against
// @nav-auth/testing's fake Texas (which speaks Texas' API and is backed by the local IdP), and
// the same calls direct. One describe per row of the README's Texas table.
import { createServer } from 'node:net';
import { parseAzureConfig, parseTokenXConfig } from '@nav-auth/core';
import { type FakeTexas, type LocalIdp, startFakeTexas, startLocalIdp } from '@nav-auth/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAzureClient,
  createAzureTokenValidator,
  createIdportenTokenValidator,
  createMaskinportenClient,
  createTokenXClient,
  createTokenXTokenValidator,
} from '../src/index.js';

const pid = '01017012345';
let idp: LocalIdp;
let texas: FakeTexas;
let maskinportenEnv: Record<string, string>;
let azureEnv: Record<string, string>;
let tokenxEnv: Record<string, string>;
let idportenEnv: Record<string, string>;
/** What NAIS gives the app container with Texas on: no private keys, only the sidecar's endpoints and what validation needs. */
let appEnv: Record<string, string>;

beforeAll(async () => {
  idp = await startLocalIdp();
  maskinportenEnv = { ...(await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api', 'nav:other'] })).env };
  await idp.registerAzureApp({ name: 'dev-gcp:team:downstream' });
  azureEnv = { ...(await idp.registerAzureApp({ name: 'dev-gcp:team:app-a', roles: { 'dev-gcp:team:downstream': ['read'] } })).env };
  await idp.registerTokenXApp({ name: 'dev-gcp:team:app-b', inbound: ['dev-gcp:team:app-a'] });
  tokenxEnv = { ...(await idp.registerTokenXApp({ name: 'dev-gcp:team:app-a' })).env };
  idportenEnv = { ...idp.registerIdportenClient({ clientId: 'dev-gcp:team:app-a-idporten' }).env };
  idp.registerSystemUser({
    id: 'a6355a68-86b8-4344-8a81-0248cb461468',
    systemId: 'nav_system',
    customerOrg: '313367002',
    vendorOrg: '889640782',
  });
  texas = await startFakeTexas({
    env: {
      ...maskinportenEnv,
      ...azureEnv,
      ...tokenxEnv,
      ...idportenEnv,
      MASKINPORTEN_ENABLED: 'true',
      AZURE_ENABLED: 'true',
      TOKEN_X_ENABLED: 'true',
      IDPORTEN_ENABLED: 'true',
    },
  });
  const {
    MASKINPORTEN_CLIENT_JWK: _m,
    AZURE_APP_JWK: _a,
    AZURE_APP_CLIENT_SECRET: _s,
    TOKEN_X_PRIVATE_JWK: _t,
    ...withoutSecrets
  } = {
    ...maskinportenEnv,
    ...azureEnv,
    ...tokenxEnv,
    ...idportenEnv,
  };
  appEnv = { ...withoutSecrets, ...texas.env };
});
afterAll(async () => {
  await texas?.close();
  await idp?.close();
});

const texasRequests = (endpoint: 'texas.token' | 'texas.exchange' | 'texas.introspect') =>
  texas.requests.filter((r) => r.endpoint === endpoint);
const idpTokenRequests = () => idp.requests.filter((r) => r.endpoint.endsWith('.token')).length;
const citizenToken = () => idp.mintIdportenToken({ audience: 'dev-gcp:team:app-a-idporten', pid });

describe('createMaskinportenClient through Texas (NAIS_TOKEN_ENDPOINT)', () => {
  it('gets tokens with no key of its own; resource and systemUserOrg pass through; a hit never leaves the process', async () => {
    const client = createMaskinportenClient({ env: appEnv });
    expect(client.mode).toBe('texas');
    const before = texasRequests('texas.token').length;
    const plain = await client.getToken('nav:test/api');
    expect(decodeJwt(plain.token)).toMatchObject({ scope: 'nav:test/api', iss: idp.maskinporten.issuer });
    expect(await client.getToken('nav:test/api')).toBe(plain);
    const restricted = await client.getToken('nav:test/api', { resource: 'https://api.nav.no/arbeid' });
    expect(decodeJwt(restricted.token).aud).toBe('https://api.nav.no/arbeid');
    const systemUser = await client.getToken('nav:test/api', { systemUserOrg: '313367002' });
    expect(decodeJwt(systemUser.token)).toMatchObject({
      authorization_details: [
        expect.objectContaining({ type: 'urn:altinn:systemuser', systemuser_id: ['a6355a68-86b8-4344-8a81-0248cb461468'] }),
      ],
    });
    const sent = texasRequests('texas.token').slice(before);
    expect(sent).toHaveLength(3);
    expect(sent.map((r) => r.form?.identity_provider)).toStrictEqual(['maskinporten', 'maskinporten', 'maskinporten']);
    expect(sent[1]?.form?.resource).toBe('https://api.nav.no/arbeid');
    expect(JSON.parse(sent[2]?.form?.authorization_details as string)).toStrictEqual([
      { type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:313367002' } },
    ]);
  });

  it('sends skip_cache on forceRefresh, so Texas fetches anew', async () => {
    const client = createMaskinportenClient({ env: appEnv });
    await client.getToken('nav:other');
    const idpBefore = idpTokenRequests();
    await client.getToken('nav:other', { forceRefresh: true });
    expect(texasRequests('texas.token').at(-1)?.form?.skip_cache).toBe('true');
    expect(idpTokenRequests()).toBe(idpBefore + 1);
  });

  it('refuses consumerOrg, which Texas cannot ask for, before any request', async () => {
    const before = texas.requests.length;
    await expect(createMaskinportenClient({ env: appEnv }).getToken('nav:test/api', { consumerOrg: '974760673' })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      field: 'consumerOrg',
    });
    expect(texas.requests.length).toBe(before);
  });

  it('1000 concurrent cold callers send one sidecar request', async () => {
    const client = createMaskinportenClient({ env: appEnv });
    const before = texasRequests('texas.token').length;
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => client.getToken(['nav:test/api', 'nav:other'])));
    expect(new Set(tokens).size).toBe(1);
    expect(texasRequests('texas.token').length - before).toBe(1);
  });

  it('goes direct with the same calls when the variable is unset, or with mode direct', async () => {
    const { NAIS_TOKEN_ENDPOINT: _e, ...direct } = { ...maskinportenEnv, ...texas.env };
    expect(createMaskinportenClient({ env: direct }).mode).toBe('direct');
    const forced = createMaskinportenClient({ env: { ...maskinportenEnv, ...texas.env }, mode: 'direct' });
    expect(forced.mode).toBe('direct');
    const before = texas.requests.length;
    expect(decodeJwt((await forced.getToken('nav:test/api')).token).scope).toBe('nav:test/api');
    expect(texas.requests.length).toBe(before);
  });

  it("mode 'texas' without NAIS_TOKEN_ENDPOINT is a configuration error at creation", () => {
    expect(() => createMaskinportenClient({ env: maskinportenEnv, mode: 'texas' })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', problems: [expect.objectContaining({ variable: 'NAIS_TOKEN_ENDPOINT' })] }),
    );
  });

  it('retries while the sidecar is not up yet (connection refused), then gets the token', async () => {
    const port = await freePort();
    const late = `http://127.0.0.1:${port}/api/v1/token`;
    // Backoff without jitter (random 1): attempts at about 0, 50, 150 and 350 ms; the sidecar is up from 150 ms.
    const client = createMaskinportenClient({
      env: { NAIS_TOKEN_ENDPOINT: late },
      retry: { baseDelayMs: 50, maxDelayMs: 200 },
      random: () => 1,
    });
    const pending = client.getToken('nav:test/api');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const lateTexas = await startFakeTexas({ env: { ...maskinportenEnv, MASKINPORTEN_ENABLED: 'true' }, port });
    try {
      expect(decodeJwt((await pending).token).scope).toBe('nav:test/api');
    } finally {
      await lateTexas.close();
    }
  });
});

describe('createAzureClient through Texas', () => {
  it('client credentials via NAIS_TOKEN_ENDPOINT: both target spellings become one entra_id scope and one cache entry', async () => {
    const azure = createAzureClient({ env: appEnv });
    expect(azure.modes).toStrictEqual({ clientCredentials: 'texas', onBehalfOf: 'texas' });
    const before = texasRequests('texas.token').length;
    const byName = await azure.clientCredentials('dev-gcp:team:downstream');
    expect(await azure.clientCredentials('api://dev-gcp.team.downstream/.default')).toBe(byName);
    const sent = texasRequests('texas.token').slice(before);
    expect(sent.map((r) => [r.form?.identity_provider, r.form?.target])).toStrictEqual([
      ['entra_id', 'api://dev-gcp.team.downstream/.default'],
    ]);
    expect(decodeJwt(byName.token)).toMatchObject({ roles: expect.arrayContaining(['read']), idtyp: 'app' });
  });

  it('on-behalf-of via NAIS_TOKEN_EXCHANGE_ENDPOINT, cached per user token', async () => {
    const azure = createAzureClient({ env: appEnv });
    const user = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:app-a', navIdent: 'Z990001' });
    const before = texasRequests('texas.exchange').length;
    const obo = await azure.onBehalfOf(user, 'dev-gcp:team:downstream');
    expect(await azure.onBehalfOf(Buffer.from(user).toString(), 'dev-gcp:team:downstream')).toBe(obo);
    expect(decodeJwt(obo.token)).toMatchObject({ NAVident: 'Z990001', aud: expect.any(String) });
    const sent = texasRequests('texas.exchange').slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.form).toMatchObject({ identity_provider: 'entra_id', target: 'api://dev-gcp.team.downstream/.default' });
  });

  it('goes direct per operation: with only NAIS_TOKEN_ENDPOINT, on-behalf-of uses the AZURE_* configuration', async () => {
    const { NAIS_TOKEN_EXCHANGE_ENDPOINT: _x, ...tokenOnly } = { ...azureEnv, ...texas.env };
    const azure = createAzureClient({ env: tokenOnly });
    expect(azure.modes).toStrictEqual({ clientCredentials: 'texas', onBehalfOf: 'direct' });
    const user = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:app-a', navIdent: 'Z990002' });
    const before = texasRequests('texas.exchange').length;
    expect(decodeJwt((await azure.onBehalfOf(user, 'dev-gcp:team:downstream')).token).NAVident).toBe('Z990002');
    expect(texasRequests('texas.exchange').length).toBe(before);
  });

  it("keeps the upstream error's status, error and description, and says it came through Texas", async () => {
    const azure = createAzureClient({ env: appEnv });
    const error = await azure.clientCredentials('dev-gcp:team:not-registered').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_ENDPOINT', via: 'texas', status: 400, error: expect.any(String) });
    expect((error as Error).message).toContain('through Texas');
    const direct = await createAzureClient({ config: parseAzureConfig(azureEnv), mode: 'direct' })
      .clientCredentials('dev-gcp:team:not-registered')
      .catch((e: unknown) => e);
    expect(direct).toMatchObject({
      code: 'ERR_TOKEN_ENDPOINT',
      via: 'direct',
      status: (error as { status: number }).status,
      error: (error as { error: string }).error,
    });
  });
});

describe('createTokenXClient through Texas (NAIS_TOKEN_EXCHANGE_ENDPOINT)', () => {
  it('exchanges with no private key in the app; B validates the token', async () => {
    const tokenx = createTokenXClient({ env: appEnv });
    expect(tokenx.mode).toBe('texas');
    const exchanged = await tokenx.exchange(await citizenToken(), 'dev-gcp:team:app-b');
    const { env: bEnv } = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-b2', inbound: ['dev-gcp:team:app-a'] });
    expect(decodeJwt(exchanged.token)).toMatchObject({ aud: 'dev-gcp:team:app-b', client_id: 'dev-gcp:team:app-a', pid });
    const validator = createTokenXTokenValidator({ config: { ...parseTokenXConfig(bEnv), clientId: 'dev-gcp:team:app-b' } });
    expect((await validator.validate(exchanged.token)).clientId).toBe('dev-gcp:team:app-a');
    expect(texasRequests('texas.exchange').at(-1)?.form).toMatchObject({ identity_provider: 'tokenx', target: 'dev-gcp:team:app-b' });
  });

  it('still refuses locally a TokenX token for another app (TOKEN_X_CLIENT_ID is there), before any request', async () => {
    const before = texas.requests.length;
    const forOther = await idp.mintTokenXToken({ audience: 'dev-gcp:team:app-z', clientId: 'dev-gcp:team:app-y', pid });
    await expect(createTokenXClient({ env: appEnv }).exchange(forOther, 'dev-gcp:team:app-b')).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
    });
    expect(texas.requests.length).toBe(before);
  });

  it("passes TokenX's refusal on: no access policy, with tokendings' status and text", async () => {
    await idp.registerTokenXApp({ name: 'dev-gcp:team:app-c' });
    const error = await createTokenXClient({ env: appEnv })
      .exchange(await citizenToken(), 'dev-gcp:team:app-c')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_ENDPOINT', via: 'texas', error: 'invalid_request' });
    expect((error as Error).message).toContain('is not authorized to get token with aud=dev-gcp:team:app-c');
  });
});

describe('a provider Texas does not have', () => {
  it('is an ERR_CONFIG naming the NAIS manifest field', async () => {
    const onlyMaskinporten = await startFakeTexas({ env: { ...maskinportenEnv, MASKINPORTEN_ENABLED: 'true' } });
    try {
      const azure = createAzureClient({ env: { ...onlyMaskinporten.env } });
      await expect(azure.clientCredentials('dev-gcp:team:downstream')).rejects.toMatchObject({
        code: 'ERR_CONFIG',
        problems: [expect.objectContaining({ variable: 'spec.azure.application.enabled' })],
      });
    } finally {
      await onlyMaskinporten.close();
    }
  });
});

describe("validators with verification: 'introspection' (NAIS_TOKEN_INTROSPECTION_ENDPOINT)", () => {
  it('runs the same claim rules after active: true, since Texas checks none of them', async () => {
    const idporten = createIdportenTokenValidator({ env: appEnv, verification: 'introspection' });
    expect(await idporten.validate(await citizenToken())).toMatchObject({ pid, loginLevel: 'high' });
    const substantial = await idp.mintIdportenToken({ audience: 'dev-gcp:team:app-a-idporten', pid, acr: 'idporten-loa-substantial' });
    await expect(idporten.validate(substantial)).rejects.toMatchObject({ claim: 'acr', reason: 'insufficient' });
    const noPid = await idp.mintIdportenToken({ audience: 'dev-gcp:team:app-a-idporten', pid, claims: { pid: undefined } });
    await expect(idporten.validate(noPid)).rejects.toMatchObject({ claim: 'pid', reason: 'missing' });
    expect(texasRequests('texas.introspect').at(-1)?.form?.identity_provider).toBe('idporten');
  });

  it('refuses active: false with reason inactive and the sanitized reason', async () => {
    const azure = createAzureTokenValidator({ env: appEnv, verification: 'introspection' });
    const expired = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:app-a', claims: { exp: Math.floor(Date.now() / 1000) - 600 } });
    const error = await azure.validate(expired).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_INVALID', reason: 'inactive' });
    expect((error as Error).message).not.toContain(expired);
    const forOther = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:downstream' });
    await expect(azure.validate(forOther)).rejects.toMatchObject({ reason: 'inactive' });
    const user = await azure.validate(await idp.mintAzureUserToken({ audience: 'dev-gcp:team:app-a', navIdent: 'Z990003' }));
    expect(user).toMatchObject({ kind: 'user', navIdent: 'Z990003' });
  });

  it('stays local by default in Texas mode, and needs the variable for introspection', async () => {
    const before = texasRequests('texas.introspect').length;
    await createIdportenTokenValidator({ env: appEnv }).validate(await citizenToken());
    expect(texasRequests('texas.introspect').length).toBe(before);
    expect(() => createIdportenTokenValidator({ env: idportenEnv, verification: 'introspection' })).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        problems: [expect.objectContaining({ variable: 'NAIS_TOKEN_INTROSPECTION_ENDPOINT' })],
      }),
    );
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
