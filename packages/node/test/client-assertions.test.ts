// Seed 004 end to end: a client that signs assertions with its own keys and serves them at a
// JWKS URI; the local IdP's generic authorization server fetches them from there.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientKeyRotation,
  createClientCredentialsClient,
  createClientKeyRotation,
  createJwksHandler,
  generateClientKey,
} from '../src/index.js';

let idp: LocalIdp;
let jwksServer: Server;
let jwksUri: string;
let rotation: ClientKeyRotation;
let now = Date.now();

beforeAll(async () => {
  idp = await startLocalIdp();
  rotation = createClientKeyRotation({ current: (await generateClientKey({ alg: 'PS256', kid: 'key-1' })).privateJwk, clock: () => now });
  jwksServer = createServer(createJwksHandler(() => rotation.jwks(), { maxAgeSeconds: 60 }));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks`;
  idp.registerGenericClient({ clientId: 'partner-api-client', jwksUri, scopes: ['read', 'write'] });
});
afterAll(async () => {
  await idp.close();
  await new Promise((resolve) => jwksServer.close(resolve));
});

const kidOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0] as string, 'base64url').toString()).kid;

describe('createJwksHandler', () => {
  it('serves public keys only, with cache headers, for GET and HEAD', async () => {
    const response = await fetch(jwksUri);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(response.headers.get('content-type')).toBe('application/jwk-set+json');
    const text = await response.text();
    expect(JSON.parse(text).keys.map((k: { kid: string }) => k.kid)).toEqual(['key-1']);
    expect(text).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
    expect((await fetch(jwksUri, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(jwksUri, { method: 'POST' })).status).toBe(405);
  });
});

describe('createClientCredentialsClient with private_key_jwt (seed 004)', () => {
  it.each(['PS256', 'RS256', 'ES256'] as const)('gets a token with a %s key found by discovery', async (alg) => {
    const { privateJwk, publicJwk } = await generateClientKey({ alg });
    const server = createServer(createJwksHandler(() => ({ keys: [publicJwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const clientId = `client-${alg}`;
      idp.registerGenericClient({ clientId, jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`, scopes: ['read'] });
      const client = createClientCredentialsClient({ issuer: idp.generic.issuer, clientId, credential: { privateJwk } });
      const token = await client.getToken('read');
      expect(JSON.parse(Buffer.from(token.token.split('.')[1] as string, 'base64url').toString())).toMatchObject({
        sub: clientId,
        scope: 'read',
      });
      const assertion = idp.requests.filter((r) => r.endpoint === 'generic.token').at(-1)?.form?.client_assertion as string;
      expect(JSON.parse(Buffer.from(assertion.split('.')[1] as string, 'base64url').toString()).aud).toBe(idp.generic.issuer);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rotates keys: publish next, then sign with it, while the old key stays published until it retires', async () => {
    const client = createClientCredentialsClient({
      issuer: idp.generic.issuer,
      clientId: 'partner-api-client',
      credential: { keyRotation: rotation },
      assertionAudience: 'token_endpoint',
    });
    await client.getToken('read');
    rotation.stage((await generateClientKey({ alg: 'PS256', kid: 'key-2' })).privateJwk);
    expect(rotation.jwks().keys.map((k) => k.kid)).toEqual(['key-1', 'key-2']);
    await client.getToken('read write');
    expect(kidOf(idp.requests.filter((r) => r.endpoint === 'generic.token').at(-1)?.form?.client_assertion as string)).toBe('key-1');

    rotation.promote({ retireAfterSeconds: 600 });
    await client.getToken('write');
    expect(kidOf(idp.requests.filter((r) => r.endpoint === 'generic.token').at(-1)?.form?.client_assertion as string)).toBe('key-2');
    expect(rotation.jwks().keys.map((k) => k.kid)).toEqual(['key-2', 'key-1']);
    now += 601_000;
    expect(rotation.jwks().keys.map((k) => k.kid)).toEqual(['key-2']);
  });

  it('refuses to promote without a staged key or to stage a key with the current kid', async () => {
    const fresh = createClientKeyRotation({ current: (await generateClientKey({ kid: 'a' })).privateJwk });
    expect(() => fresh.promote()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    const sameKid = (await generateClientKey({ kid: 'a' })).privateJwk;
    expect(() => fresh.stage(sameKid)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});
