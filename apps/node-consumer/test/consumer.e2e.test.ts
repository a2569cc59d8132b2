import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMaskinportenConfig } from '@nav-auth/core';
import { createMaskinportenClient, createMaskinportenTokenValidator } from '@nav-auth/node';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getWithMaskinporten } from '../src/consumer.js';

const SCOPE = 'nav:arbeid:arbeidsforhold.read';
const AUDIENCE = 'https://arbeidsforhold.nav.example/';
let idp: LocalIdp;
let api: Server;
let url: string;
let revokedOnce = false;

beforeAll(async () => {
  idp = await startLocalIdp();
  // The API: audience-restricted Maskinporten tokens with the scope; /revoked-once refuses its first caller.
  const validator = createMaskinportenTokenValidator({
    config: { issuer: idp.maskinporten.issuer, jwksUri: idp.maskinporten.jwksUri },
    requiredScopes: [SCOPE],
    audience: AUDIENCE,
  });
  api = createServer(async (request, response) => {
    try {
      const claims = await validator.validate((request.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (request.url === '/revoked-once' && !revokedOnce) {
        revokedOnce = true;
        response.writeHead(401).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ consumer: claims.consumerOrg }));
    } catch {
      response.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
    }
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => api.close(resolve));
  await idp.close();
});

it('calls the API with an audience-restricted token; a token without the audience is refused', async () => {
  const client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: [SCOPE] });
  const maskinporten = createMaskinportenClient({ config: parseMaskinportenConfig(client.env) });
  const response = await getWithMaskinporten(maskinporten, `${url}/arbeidsforhold`, [SCOPE], { resource: AUDIENCE });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ consumer: '889640782' });
  expect((await getWithMaskinporten(maskinporten, `${url}/arbeidsforhold`, [SCOPE])).status).toBe(401);
});

it('gets a fresh token once when the API answers 401, and does not loop', async () => {
  const client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: [SCOPE] });
  const maskinporten = createMaskinportenClient({ config: parseMaskinportenConfig(client.env) });
  const before = idp.requests.filter((r) => r.endpoint === 'maskinporten.token').length;
  expect((await getWithMaskinporten(maskinporten, `${url}/revoked-once`, [SCOPE], { resource: AUDIENCE })).status).toBe(200);
  expect(idp.requests.filter((r) => r.endpoint === 'maskinporten.token').length - before).toBe(2);
});
