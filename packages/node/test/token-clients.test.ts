// End to end against @nav-auth/testing's strict local IdP, over real HTTP on 127.0.0.1.

import { parseAzureConfig, parseMaskinportenConfig } from '@nav-auth/core';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { createLocalJWKSet, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureClient, createMaskinportenClient } from '../src/index.js';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp();
});
afterAll(() => idp.close());

async function claimsOf(token: string, jwksUri: string, issuer: string): Promise<JWTPayload> {
  const jwks = (await (await fetch(jwksUri)).json()) as { keys: JWK[] };
  return (await jwtVerify(token, createLocalJWKSet(jwks), { issuer })).payload;
}

describe('createMaskinportenClient', () => {
  it('gets a plain, an audience-restricted and a system-user token, each cached under its own key', async () => {
    const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api', 'nav:other'] });
    idp.registerSystemUser({
      id: 'a6355a68-86b8-4344-8a81-0248cb461468',
      systemId: 'nav_system',
      customerOrg: '313367002',
      vendorOrg: '889640782',
    });
    const client = createMaskinportenClient({ config: parseMaskinportenConfig(registered.env) });
    while (idp.takeRequest() !== undefined);

    const plain = await client.getToken('nav:test/api');
    expect(await claimsOf(plain.token, idp.maskinporten.jwksUri, idp.maskinporten.issuer)).toMatchObject({
      scope: 'nav:test/api',
      client_id: registered.clientId,
    });
    expect(plain.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3000_000);
    expect(await client.getToken('nav:test/api')).toBe(plain);

    const restricted = await client.getToken(['nav:test/api'], { resource: 'https://api.nav.no/arbeid' });
    expect((await claimsOf(restricted.token, idp.maskinporten.jwksUri, idp.maskinporten.issuer)).aud).toBe('https://api.nav.no/arbeid');

    const systemUser = await client.getToken('nav:test/api', { systemUserOrg: '313367002' });
    expect(await claimsOf(systemUser.token, idp.maskinporten.jwksUri, idp.maskinporten.issuer)).toMatchObject({
      authorization_details: [{ type: 'urn:altinn:systemuser', systemuser_id: ['a6355a68-86b8-4344-8a81-0248cb461468'] }],
    });
    expect(idp.requests.filter((r) => r.endpoint === 'maskinporten.token')).toHaveLength(3);
  });

  it('refetches with a new grant after forceRefresh and invalidate', async () => {
    const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a'] });
    const client = createMaskinportenClient({ config: parseMaskinportenConfig(registered.env) });
    const first = await client.getToken('nav:a');
    const second = await client.getToken('nav:a', { forceRefresh: true });
    expect(second).not.toBe(first);
    client.invalidate('nav:a');
    const third = await client.getToken('nav:a');
    expect(third).not.toBe(second);
    const grants = idp.requests
      .filter((r) => r.endpoint === 'maskinporten.token' && r.form?.assertion?.includes('.'))
      .map((r) => r.form?.assertion);
    expect(new Set(grants).size).toBe(grants.length);
  });

  it('surfaces a refused scope as a typed, final error without retrying', async () => {
    const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a'] });
    const client = createMaskinportenClient({ config: parseMaskinportenConfig(registered.env) });
    const before = idp.requests.length;
    await expect(client.getToken('nav:not-granted')).rejects.toMatchObject({
      code: 'ERR_TOKEN_ENDPOINT',
      status: 400,
      error: 'invalid_scope',
    });
    expect(idp.requests.length - before).toBe(1);
  });
});

describe('createAzureClient', () => {
  it('gets app tokens with a client assertion when AZURE_APP_JWK is set, and with the secret otherwise', async () => {
    const caller = await idp.registerAzureApp({ name: 'dev-gcp:team:caller', roles: { 'dev-gcp:team:api': ['read'] } });
    const api = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
    const withKey = createAzureClient({ config: parseAzureConfig(caller.env) });
    const token = await withKey.clientCredentials('dev-gcp:team:api');
    expect(await claimsOf(token.token, idp.azure.jwksUri, idp.azure.issuer)).toMatchObject({
      aud: api.clientId,
      roles: ['access_as_application', 'read'],
      azpacr: '2',
    });
    const { AZURE_APP_JWK: _jwk, ...secretOnly } = caller.env;
    const withSecret = createAzureClient({ config: parseAzureConfig(secretOnly) });
    const secretToken = await withSecret.clientCredentials('api://dev-gcp.team.api/.default');
    expect((await claimsOf(secretToken.token, idp.azure.jwksUri, idp.azure.issuer)).azpacr).toBe('1');
  });

  it('exchanges a user token on-behalf-of, caching per subject token', async () => {
    const api = await idp.registerAzureApp({ name: 'dev-gcp:team:obo-api' });
    const downstream = await idp.registerAzureApp({ name: 'dev-gcp:team:downstream' });
    const client = createAzureClient({ config: parseAzureConfig(api.env) });
    const alice = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990001' });
    const bob = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990002' });
    const forAlice = await client.onBehalfOf(alice, 'dev-gcp:team:downstream');
    expect(await claimsOf(forAlice.token, idp.azure.jwksUri, idp.azure.issuer)).toMatchObject({
      aud: downstream.clientId,
      NAVident: 'Z990001',
    });
    expect(await client.onBehalfOf(alice, 'dev-gcp:team:downstream')).toBe(forAlice);
    const forBob = await client.onBehalfOf(bob, 'dev-gcp:team:downstream');
    expect((await claimsOf(forBob.token, idp.azure.jwksUri, idp.azure.issuer)).NAVident).toBe('Z990002');
  });

  it('finds the on-behalf-of token for the same user token arriving as a new string, and forgets it the same way', async () => {
    const api = await idp.registerAzureApp({ name: 'dev-gcp:team:obo-cache-api' });
    await idp.registerAzureApp({ name: 'dev-gcp:team:obo-cache-a' });
    await idp.registerAzureApp({ name: 'dev-gcp:team:obo-cache-b' });
    const client = createAzureClient({ config: parseAzureConfig(api.env) });
    const alice = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990003' });
    const bob = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990004' });
    // As from a new request: the same text in a new string.
    const fresh = (token: string) => Buffer.from(token, 'latin1').toString('latin1');
    const tokenRequests = () => idp.requests.filter((r) => r.endpoint === 'azure.token').length;

    const first = await client.onBehalfOf(alice, 'dev-gcp:team:obo-cache-a');
    const before = tokenRequests();
    expect(await client.onBehalfOf(fresh(alice), 'dev-gcp:team:obo-cache-a')).toBe(first);
    expect(tokenRequests()).toBe(before);

    expect(await client.onBehalfOf(bob, 'dev-gcp:team:obo-cache-a')).not.toBe(first);
    expect(await client.onBehalfOf(fresh(alice), 'dev-gcp:team:obo-cache-b')).not.toBe(first);
    expect(await client.clientCredentials('dev-gcp:team:obo-cache-a')).not.toBe(first);
    expect(tokenRequests()).toBe(before + 3);

    await client.invalidateOnBehalfOf(fresh(alice), 'dev-gcp:team:obo-cache-a');
    const refetched = await client.onBehalfOf(alice, 'dev-gcp:team:obo-cache-a');
    expect(refetched).not.toBe(first);
    expect(tokenRequests()).toBe(before + 4);
    expect(await client.onBehalfOf(fresh(alice), 'dev-gcp:team:obo-cache-a')).toBe(refetched);
  });

  it('rejects a bad target or subject token rather than throwing', async () => {
    const api = await idp.registerAzureApp({ name: 'dev-gcp:team:obo-bad-input' });
    const client = createAzureClient({ config: parseAzureConfig(api.env) });
    await expect(client.onBehalfOf('', 'dev-gcp:team:obo-cache-a')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(client.onBehalfOf('a.b.c', 'not-a-target')).rejects.toMatchObject({ code: 'ERR_SCOPE_NAME' });
    await expect(client.clientCredentials('not-a-target')).rejects.toMatchObject({ code: 'ERR_SCOPE_NAME' });
    // A bad target is not remembered as a good one.
    await expect(client.clientCredentials('not-a-target')).rejects.toMatchObject({ code: 'ERR_SCOPE_NAME' });
  });
});
