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

const request = (assertion: string, scope = 'read') =>
  postForm(idp.generic.tokenEndpoint, {
    grant_type: 'client_credentials',
    scope,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  });

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
