// Configuration from a well-known URL alone: the issuer and endpoints come from the discovery
// document (the local IdP's, over real HTTP), and a document that claims an issuer its URL
// does not belong to, or disagrees with the environment, is refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAzureClient,
  createMaskinportenClient,
  discoverAzureConfig,
  discoverMaskinportenConfig,
  discoverMaskinportenValidationConfig,
  loadMaskinportenConfig,
} from '../src/index.js';

let idp: LocalIdp;
let rogue: Server;
let rogueBase: string;
const noFiles = '/nonexistent';

beforeAll(async () => {
  idp = await startLocalIdp();
  // Serves a well-formed document for an issuer it is not.
  rogue = createServer((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ issuer: idp.maskinporten.issuer, token_endpoint: `${rogueBase}/token`, jwks_uri: `${rogueBase}/jwks` }));
  });
  await new Promise<void>((resolve) => rogue.listen(0, '127.0.0.1', resolve));
  rogueBase = `http://127.0.0.1:${(rogue.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await idp.close();
  await new Promise<void>((resolve) => rogue.close(() => resolve()));
});

const without = (env: Record<string, string | undefined>, ...names: string[]) =>
  Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));

describe('MASKINPORTEN_WELL_KNOWN_URL', () => {
  it('supplies the issuer and token endpoint the environment leaves out, and the client works', async () => {
    const { env } = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a'] });
    const wellKnownOnly = without(env, 'MASKINPORTEN_ISSUER', 'MASKINPORTEN_TOKEN_ENDPOINT');
    expect(() => loadMaskinportenConfig({ env: wellKnownOnly, secretsDir: noFiles })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringContaining('load the configuration with discovery') }),
    );
    const config = await discoverMaskinportenConfig({ env: wellKnownOnly, secretsDir: noFiles });
    expect(config).toMatchObject({ issuer: idp.maskinporten.issuer, tokenEndpoint: idp.maskinporten.tokenEndpoint });
    expect((await createMaskinportenClient({ config }).getToken('nav:a')).token).toMatch(/^ey/);
  });

  it('fetches nothing when the environment is complete', async () => {
    const { env } = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a'] });
    const before = idp.requests.filter((request) => request.endpoint === 'maskinporten.discovery').length;
    await discoverMaskinportenConfig({ env, secretsDir: noFiles });
    expect(idp.requests.filter((request) => request.endpoint === 'maskinporten.discovery').length).toBe(before);
  });

  it('refuses an environment that disagrees with the discovery document', async () => {
    const { env } = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a'] });
    const disagreeing = { ...without(env, 'MASKINPORTEN_TOKEN_ENDPOINT'), MASKINPORTEN_ISSUER: 'https://maskinporten.no/' };
    await expect(discoverMaskinportenConfig({ env: disagreeing, secretsDir: noFiles })).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      problems: [{ variable: 'MASKINPORTEN_ISSUER', reason: expect.stringContaining('does not match') }],
    });
  });

  it('refuses a document whose issuer the well-known URL does not belong to', async () => {
    const { env } = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a'] });
    const rogueEnv = {
      ...without(env, 'MASKINPORTEN_ISSUER', 'MASKINPORTEN_TOKEN_ENDPOINT'),
      MASKINPORTEN_WELL_KNOWN_URL: `${rogueBase}/.well-known/oauth-authorization-server`,
    };
    await expect(discoverMaskinportenConfig({ env: rogueEnv, secretsDir: noFiles })).rejects.toMatchObject({ code: 'ERR_DISCOVERY' });
  });

  it('supplies the JWKS URI for validation', async () => {
    const config = await discoverMaskinportenValidationConfig({
      env: { MASKINPORTEN_WELL_KNOWN_URL: idp.maskinporten.wellKnownUrl },
      secretsDir: noFiles,
    });
    expect(config).toEqual({ issuer: idp.maskinporten.issuer, jwksUri: idp.maskinporten.jwksUri });
  });
});

describe('AZURE_APP_WELL_KNOWN_URL', () => {
  it('supplies the AZURE_OPENID_CONFIG_* values, and the client works', async () => {
    await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
    const caller = await idp.registerAzureApp({ name: 'dev-gcp:team:caller' });
    const env = without(caller.env, 'AZURE_OPENID_CONFIG_ISSUER', 'AZURE_OPENID_CONFIG_TOKEN_ENDPOINT', 'AZURE_OPENID_CONFIG_JWKS_URI');
    const config = await discoverAzureConfig({ env, secretsDir: noFiles });
    expect(config).toMatchObject({ issuer: idp.azure.issuer, tokenEndpoint: idp.azure.tokenEndpoint, jwksUri: idp.azure.jwksUri });
    expect((await createAzureClient({ config }).clientCredentials('dev-gcp:team:api')).token).toMatch(/^ey/);
  });
});
