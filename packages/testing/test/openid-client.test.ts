// Real clients against the local IdP: panva's openid-client v6, over HTTP on 127.0.0.1, with
// only documented options. If it works here and not against the real service (or the other way
// round), the emulator is wrong.
//
// Options used, each documented user configuration:
// - `execute: [allowInsecureRequests]`: the IdP speaks plain HTTP; openid-client documents it as
//   "possibly only for local development and testing against non-TLS secured environments".
// - `None()` for Maskinporten: the JWT grant is the authentication; Digdir: "There is no need to
//   perform client authentication when using this grant" (maskinporten_protocol_token).
// - `modifyAssertion` for Azure AD: Microsoft documents the client assertion `aud` as the token
//   endpoint (learn.microsoft.com/entra/identity-platform/certificate-credentials), where
//   openid-client sends the issuer by default.
// - `algorithm: 'oauth2'`: RFC 8414 §3.1 discovery, which Digdir's well-known page cites.
// - TokenX: `genericGrantRequest` with the RFC 8693 grant and `PrivateKeyJwt`, its assertion as
//   openid-client builds it (aud = the issuer, which tokendings accepts in its grace period, and
//   a `client_id` parameter, which tokendings ignores), and with `modifyAssertion` setting aud to
//   the token endpoint, as nais/doc documents.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalIdp,
  type RegisteredAzureApp,
  type RegisteredMaskinportenClient,
  type RegisteredTokenXApp,
  startLocalIdp,
} from '../src/index.js';
import { nowSeconds, signJwt, uuid } from './support/http.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const insecure = { execute: [client.allowInsecureRequests] };

let idp: LocalIdp;
let jwksServer: Server;
let jwksUri: string;
const clientPublicKeys: JWK[] = [];

async function verify(token: string, issuer: string, jwksUrl: string) {
  const jwks = (await (await fetch(jwksUrl)).json()) as { keys: JWK[] };
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer, algorithms: ['RS256'] });
}

beforeAll(async () => {
  idp = await startLocalIdp();
  // The generic clients' own JWKS URI (seed 004).
  jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: clientPublicKeys }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
});
afterAll(async () => {
  await idp.close();
  await new Promise((resolve) => jwksServer.close(resolve));
});

describe('openid-client with the Maskinporten issuer', () => {
  let registered: RegisteredMaskinportenClient;

  beforeAll(async () => {
    registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
  });

  /** A grant as Digdir documents it, signed with the key the IdP handed out at registration. */
  const grant = (extra: Record<string, unknown> = {}) => {
    const iat = nowSeconds();
    return signJwt(registered.privateJwk as JWK, {
      aud: idp.maskinporten.issuer,
      iss: registered.clientId,
      scope: 'nav:test/api',
      iat,
      exp: iat + 30,
      jti: uuid(),
      ...extra,
    });
  };

  const discover = (server: string, options: { algorithm?: 'oauth2' } = {}) =>
    client.discovery(new URL(server), registered.clientId, undefined, client.None(), { ...insecure, ...options });

  const accessTokenClaims = async (config: client.Configuration, extra: Record<string, unknown> = {}) => {
    const tokens = await client.genericGrantRequest(config, JWT_BEARER, { assertion: await grant(extra) });
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3599, scope: 'nav:test/api' });
    return (await verify(tokens.access_token, idp.maskinporten.issuer, idp.maskinporten.jwksUri)).payload;
  };

  it('discovers the issuer and gets a token with a JWT-bearer grant', async () => {
    const config = await discover(idp.maskinporten.issuer);
    expect(config.serverMetadata().token_endpoint).toBe(idp.maskinporten.tokenEndpoint);
    const claims = await accessTokenClaims(config);
    expect(claims).toMatchObject({
      iss: idp.maskinporten.issuer,
      client_id: registered.clientId,
      scope: 'nav:test/api',
      consumer: { authority: 'iso6523-actorid-upis', ID: '0192:889640782' },
    });
    expect(claims.aud).toBeUndefined();
  });

  it('discovers through RFC 8414 §3.1 and through MASKINPORTEN_WELL_KNOWN_URL', async () => {
    for (const config of [
      await discover(idp.maskinporten.issuer, { algorithm: 'oauth2' }),
      await discover(registered.env.MASKINPORTEN_WELL_KNOWN_URL as string),
    ]) {
      expect(config.serverMetadata().issuer).toBe(idp.maskinporten.issuer);
      expect((await accessTokenClaims(config)).client_id).toBe(registered.clientId);
    }
  });

  it('gets an audience-restricted token for resource as a one-element array, the form Digdir documents', async () => {
    const claims = await accessTokenClaims(await discover(idp.maskinporten.issuer), { resource: ['https://api.nav.no/arbeid'] });
    expect(claims.aud).toBe('https://api.nav.no/arbeid');
  });

  it('gets an audience-restricted token for resource as a string, as Digdir’s own jwt-grant-generator sends it', async () => {
    const claims = await accessTokenClaims(await discover(idp.maskinporten.issuer), { resource: 'https://api.nav.no/arbeid' });
    expect(claims.aud).toBe('https://api.nav.no/arbeid');
  });

  it('surfaces a refused grant as a ResponseBodyError with Maskinporten’s error', async () => {
    const config = await discover(idp.maskinporten.issuer);
    const refused = client.genericGrantRequest(config, JWT_BEARER, { assertion: await grant({ sub: registered.clientId }) });
    await expect(refused).rejects.toBeInstanceOf(client.ResponseBodyError);
    await expect(refused).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });
});

describe('openid-client with the Azure AD issuer', () => {
  let caller: RegisteredAzureApp;
  let target: RegisteredAzureApp;
  const scope = 'api://dev-gcp.team.api/.default';

  beforeAll(async () => {
    target = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
    caller = await idp.registerAzureApp({ name: 'dev-gcp:team:caller', roles: { 'dev-gcp:team:api': ['read'] } });
  });

  const appTokenClaims = async (tokens: client.TokenEndpointResponse): Promise<JWTPayload> => {
    expect(tokens.token_type).toBe('bearer');
    const { payload } = await verify(tokens.access_token, idp.azure.issuer, idp.azure.jwksUri);
    expect(payload).toMatchObject({ aud: target.clientId, azp: caller.clientId, idtyp: 'app', tid: idp.azure.tenantId });
    expect(payload.roles).toEqual(['access_as_application', 'read']);
    return payload;
  };

  it('gets a client-credentials token with a client secret', async () => {
    const config = await client.discovery(new URL(idp.azure.issuer), caller.clientId, caller.clientSecret, undefined, insecure);
    const claims = await appTokenClaims(await client.clientCredentialsGrant(config, { scope }));
    expect(claims.azpacr).toBe('1');
  });

  it('gets a client-credentials token with PrivateKeyJwt, aud set to the token endpoint as Microsoft documents', async () => {
    const jwk = caller.privateJwk as JWK;
    const key = (await importJWK(jwk, 'RS256')) as client.CryptoKey;
    const auth = client.PrivateKeyJwt(
      { key, kid: jwk.kid as string },
      {
        [client.modifyAssertion]: (_header, payload) => {
          payload.aud = idp.azure.tokenEndpoint;
        },
      },
    );
    const config = await client.discovery(new URL(idp.azure.issuer), caller.clientId, undefined, auth, insecure);
    const claims = await appTokenClaims(await client.clientCredentialsGrant(config, { scope }));
    expect(claims.azpacr).toBe('2');
  });
});

describe('openid-client with the generic issuer', () => {
  const keys: Record<string, client.CryptoKey> = {};

  const register = async (clientId: string, audience?: string) => {
    const { privateKey, publicKey } = await generateKeyPair('PS256');
    keys[clientId] = privateKey;
    clientPublicKeys.push({ ...(await exportJWK(publicKey)), kid: clientId, alg: 'PS256', use: 'sig' });
    idp.registerGenericClient({ clientId, jwksUri, scopes: ['read'], ...(audience === undefined ? {} : { audience }) });
  };

  beforeAll(async () => {
    await register('partner-with-audience', 'https://api.partner.example');
    await register('partner-without-audience');
  });

  const token = async (clientId: string, parameters: Record<string, string> = {}, options: { algorithm?: 'oauth2' } = {}) => {
    const auth = client.PrivateKeyJwt({ key: keys[clientId] as client.CryptoKey, kid: clientId });
    const config = await client.discovery(new URL(idp.generic.issuer), clientId, undefined, auth, { ...insecure, ...options });
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read', ...parameters });
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'read' });
    const { payload, protectedHeader } = await verify(tokens.access_token, idp.generic.issuer, idp.generic.jwksUri);
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: clientId, client_id: clientId, scope: 'read' });
    return payload;
  };

  it('gets a client-credentials token with PrivateKeyJwt (PS256, the issuer as assertion aud)', async () => {
    expect((await token('partner-with-audience')).aud).toBe('https://api.partner.example');
  });

  it('discovers through RFC 8414 §3.1 too', async () => {
    expect((await token('partner-with-audience', {}, { algorithm: 'oauth2' })).aud).toBe('https://api.partner.example');
  });

  it('sets aud to the resource asked for, else to the issuer’s default resource (RFC 9068 §2.2, §3)', async () => {
    expect((await token('partner-without-audience', { resource: 'https://api.other.example/' })).aud).toBe('https://api.other.example/');
    expect((await token('partner-without-audience')).aud).toBe(idp.generic.defaultResource);
  });

  it('refuses a resource other than the registered audience with invalid_target (RFC 8707 §2)', async () => {
    await expect(token('partner-with-audience', { resource: 'https://elsewhere.example/' })).rejects.toMatchObject({
      error: 'invalid_target',
    });
  });
});

describe('openid-client with the TokenX issuer', () => {
  const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
  let frontend: RegisteredTokenXApp;
  let idportenClient: string;

  beforeAll(async () => {
    await idp.registerTokenXApp({ name: 'dev-gcp:team:tokenx-api', inbound: ['dev-gcp:team:tokenx-frontend'] });
    frontend = await idp.registerTokenXApp({ name: 'dev-gcp:team:tokenx-frontend' });
    idportenClient = idp.registerIdportenClient().clientId;
  });

  const exchange = async (options: { algorithm?: 'oauth2'; audienceIsTokenEndpoint?: boolean } = {}) => {
    const jwk = frontend.privateJwk as JWK;
    const key = (await importJWK(jwk, 'RS256')) as client.CryptoKey;
    const modify = {
      [client.modifyAssertion]: (_header: unknown, payload: Record<string, unknown>) => {
        payload.aud = idp.tokenx.tokenEndpoint;
      },
    };
    const auth = client.PrivateKeyJwt({ key, kid: jwk.kid as string }, options.audienceIsTokenEndpoint ? modify : undefined);
    const config = await client.discovery(new URL(idp.tokenx.issuer), frontend.clientId, undefined, auth, {
      ...insecure,
      ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
    });
    expect(config.serverMetadata().token_endpoint).toBe(idp.tokenx.tokenEndpoint);
    const subject = await idp.mintIdportenToken({ audience: idportenClient, acr: 'idporten-loa-substantial' });
    const tokens = await client.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: subject,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      audience: 'dev-gcp:team:tokenx-api',
    });
    expect(tokens).toMatchObject({ token_type: 'bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
    expect(tokens.expires_in).toBeGreaterThanOrEqual(899);
    const { payload } = await verify(tokens.access_token, idp.tokenx.issuer, idp.tokenx.jwksUri);
    expect(payload).toMatchObject({
      aud: 'dev-gcp:team:tokenx-api',
      client_id: frontend.clientId,
      idp: idp.idporten.issuer,
      acr: 'Level3',
    });
    return idp.takeRequest('tokenx.token');
  };

  it('exchanges a token with PrivateKeyJwt as openid-client builds it: aud = issuer, client_id sent', async () => {
    while (idp.takeRequest('tokenx.token') !== undefined);
    const request = await exchange();
    expect(request?.form?.client_id).toBe(frontend.clientId);
    const assertion = decodeJwt(request?.form?.client_assertion as string);
    expect(assertion).toMatchObject({ iss: frontend.clientId, sub: frontend.clientId, aud: idp.tokenx.issuer });
  });

  it('exchanges a token with the assertion aud set to the token endpoint, found by RFC 8414 discovery', async () => {
    while (idp.takeRequest('tokenx.token') !== undefined);
    const request = await exchange({ algorithm: 'oauth2', audienceIsTokenEndpoint: true });
    expect(decodeJwt(request?.form?.client_assertion as string).aud).toBe(idp.tokenx.tokenEndpoint);
  });
});
