import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, startLocalIdp } from '../src/index.js';
import { nowSeconds, postForm, signJwt, uuid } from './support/http.js';

let idp: LocalIdp;
let jwksServer: Server;
let jwksUrl: string;
let jwksStatus = 200;
const publishedKeys: JWK[] = [];
const privateKeys: Record<string, JWK> = {};

async function addKey(alg: 'PS256' | 'RS256' | 'ES256', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  privateKeys[kid] = { ...(await exportJWK(privateKey)), kid, alg };
  publishedKeys.push({ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' });
}

beforeAll(async () => {
  // The client's own JWKS URI (seed 004), served by a plain node:http server.
  jwksServer = createServer((_req, res) => {
    res.writeHead(jwksStatus, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: publishedKeys }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks`;
  await addKey('PS256', 'ps');
  await addKey('RS256', 'rs');
  await addKey('ES256', 'es');
  idp = await startLocalIdp();
  idp.registerGenericClient({
    clientId: 'partner-api-client',
    jwksUri: jwksUrl,
    scopes: ['read', 'write'],
    audience: 'https://api.partner.example',
  });
  idp.registerGenericClient({ clientId: 'open-client', jwksUri: jwksUrl, scopes: ['read'] });
});
afterAll(async () => {
  await idp.close();
  await new Promise((resolve) => jwksServer.close(resolve));
});

function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const iat = nowSeconds();
  return {
    iss: 'partner-api-client',
    sub: 'partner-api-client',
    aud: idp.generic.tokenEndpoint,
    jti: uuid(),
    iat,
    exp: iat + 30,
    ...overrides,
  };
}

const request = (assertion: string, scope = 'read', extra: Record<string, string> = {}) =>
  postForm(idp.generic.tokenEndpoint, {
    grant_type: 'client_credentials',
    scope,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    ...extra,
  });

const openClientAssertion = () => signJwt(privateKeys.rs as JWK, claims({ iss: 'open-client', sub: 'open-client' }));

async function accessTokenAud(response: { status: number; body: Record<string, unknown> }): Promise<unknown> {
  expect(response.status).toBe(200);
  const jwks = (await (await fetch(idp.generic.jwksUri)).json()) as { keys: JWK[] };
  return (await jwtVerify(response.body.access_token as string, createLocalJWKSet(jwks), { issuer: idp.generic.issuer })).payload.aud;
}

describe('generic authorization server (seed 004)', () => {
  it.each(['ps', 'rs', 'es'])('accepts an assertion signed with the %s key from the client JWKS URI', async (kid) => {
    const response = await request(await signJwt(privateKeys[kid] as JWK, claims()));
    expect(response.status).toBe(200);
    const jwks = (await (await fetch(idp.generic.jwksUri)).json()) as { keys: JWK[] };
    const { payload, protectedHeader } = await jwtVerify(response.body.access_token as string, createLocalJWKSet(jwks), {
      issuer: idp.generic.issuer,
    });
    expect(payload).toMatchObject({ sub: 'partner-api-client', scope: 'read', aud: 'https://api.partner.example' });
    expect(protectedHeader.typ).toBe('at+jwt');
  });

  // RFC 9068 §2.2: `aud` is required in an at+jwt; §3: a default resource indicator when none is asked for.
  describe('aud of the access token', () => {
    it('is the resource asked for when the client registered no audience', async () => {
      const response = await request(await openClientAssertion(), 'read', { resource: 'https://api.other.example/' });
      expect(await accessTokenAud(response)).toBe('https://api.other.example/');
    });

    it('is the issuer’s default resource when neither is there', async () => {
      expect(await accessTokenAud(await request(await openClientAssertion()))).toBe(idp.generic.defaultResource);
      expect(idp.generic.defaultResource).toBe(`${idp.url}/generic/default-resource`);
    });

    it('is the registered audience, which the client may also ask for by name', async () => {
      const asked = await request(await signJwt(privateKeys.ps as JWK, claims()), 'read', { resource: 'https://api.partner.example' });
      expect(await accessTokenAud(asked)).toBe('https://api.partner.example');
    });

    it('refuses another resource, several resources and malformed ones with invalid_target (RFC 8707 §2)', async () => {
      const other = await request(await signJwt(privateKeys.ps as JWK, claims()), 'read', { resource: 'https://elsewhere.example/' });
      expect(other.body.error).toBe('invalid_target');
      for (const resource of ['not a uri', 'https://api.other.example/#frag']) {
        expect((await request(await openClientAssertion(), 'read', { resource })).body.error).toBe('invalid_target');
      }
      const twice = await fetch(idp.generic.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([
          ['grant_type', 'client_credentials'],
          ['client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
          ['client_assertion', await openClientAssertion()],
          ['resource', 'https://a.example/'],
          ['resource', 'https://b.example/'],
        ]).toString(),
      });
      expect(await twice.json()).toMatchObject({ error: 'invalid_target' });
    });
  });

  it('accepts the issuer as aud too (draft-ietf-oauth-rfc7523bis)', async () => {
    expect((await request(await signJwt(privateKeys.ps as JWK, claims({ aud: idp.generic.issuer })))).status).toBe(200);
  });

  it('refuses an unknown kid, a wrong aud, an ungranted scope and a client secret', async () => {
    expect((await request(await signJwt(privateKeys.ps as JWK, claims(), { kid: 'gone' }))).body.error).toBe('invalid_client');
    expect((await request(await signJwt(privateKeys.ps as JWK, claims({ aud: 'https://elsewhere' })))).body.error).toBe('invalid_client');
    expect((await request(await signJwt(privateKeys.ps as JWK, claims()), 'admin')).body.error).toBe('invalid_scope');
    const secret = await postForm(idp.generic.tokenEndpoint, {
      grant_type: 'client_credentials',
      client_id: 'partner-api-client',
      client_secret: 'x',
    });
    expect(secret.status).toBe(401);
  });

  it('refuses every assertion while the client JWKS URI is down', async () => {
    jwksStatus = 503;
    try {
      expect((await request(await signJwt(privateKeys.ps as JWK, claims()))).body.error).toBe('invalid_client');
    } finally {
      jwksStatus = 200;
    }
  });
});
