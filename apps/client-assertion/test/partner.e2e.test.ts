import { createTokenValidator, type GenericClaims } from '@nav-auth/node';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PartnerClient, rotate, startPartnerClient } from '../src/partner.js';

let idp: LocalIdp;
let partner: PartnerClient;

beforeAll(async () => {
  idp = await startLocalIdp();
  partner = await startPartnerClient({ issuer: idp.generic.issuer, clientId: 'partner-api-client' });
  idp.registerGenericClient({
    clientId: 'partner-api-client',
    jwksUri: partner.jwksUri,
    scopes: ['read'],
    audience: 'https://partner-api.example',
  });
});
afterAll(async () => {
  await partner.close();
  await idp.close();
});

it('gets a token with a client assertion the server checks against the client JWKS URI, through a key rotation', async () => {
  const api = createTokenValidator({
    profile: 'generic',
    issuer: idp.generic.issuer,
    audience: 'https://partner-api.example',
    wellKnownUrl: idp.generic.wellKnownUrl,
  });
  const first = await partner.tokens.getToken('read');
  expect(((await api.validate(first.token)) as GenericClaims).clientId).toBe('partner-api-client');
  await rotate(partner);
  partner.keys.promote({ retireAfterSeconds: 600 });
  const second = await partner.tokens.getToken('read', { forceRefresh: true });
  expect(((await api.validate(second.token)) as GenericClaims).scopes).toEqual(['read']);
  const kids = idp.requests
    .filter((r) => r.endpoint === 'generic.token')
    .map((r) => JSON.parse(Buffer.from(String(r.form?.client_assertion).split('.')[0] as string, 'base64url').toString()).kid);
  expect(new Set(kids).size).toBe(2);
});
