import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, type RegisteredMaskinportenClient, startLocalIdp } from '../src/index.js';
import { nowSeconds, postForm, signJwt, uuid } from './support/http.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
let idp: LocalIdp;
let client: RegisteredMaskinportenClient;
let privateJwk: JWK;

beforeAll(async () => {
  idp = await startLocalIdp();
  client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api', 'nav:other'], delegatedBy: ['974760673'] });
  privateJwk = client.privateJwk as JWK;
  idp.registerSystemUser({
    id: 'a6355a68-86b8-4344-8a81-0248cb461468',
    systemId: '889640782_nav_system',
    customerOrg: '313367002',
    vendorOrg: '889640782',
  });
});
afterAll(() => idp.close());

function grantClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const iat = nowSeconds();
  return { aud: idp.maskinporten.issuer, iss: client.clientId, scope: 'nav:test/api', iat, exp: iat + 30, jti: uuid(), ...overrides };
}

async function requestToken(assertion: string, extra: Record<string, string> = {}) {
  return postForm(idp.maskinporten.tokenEndpoint, { grant_type: JWT_BEARER, assertion, ...extra });
}

async function verifyAccessToken(token: string): Promise<JWTPayload> {
  const jwks = (await (await fetch(idp.maskinporten.jwksUri)).json()) as { keys: JWK[] };
  return (await jwtVerify(token, createLocalJWKSet(jwks), { issuer: idp.maskinporten.issuer, algorithms: ['RS256'] })).payload;
}

describe('Maskinporten token endpoint', () => {
  it('serves discovery documents that name its endpoints, RFC 8414 §3.1 path-inserted form included', async () => {
    for (const url of [
      idp.maskinporten.wellKnownUrl,
      `${idp.url}/maskinporten/.well-known/openid-configuration`,
      `${idp.url}/.well-known/oauth-authorization-server/maskinporten`,
    ]) {
      const metadata = (await (await fetch(url)).json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer: idp.maskinporten.issuer,
        token_endpoint: idp.maskinporten.tokenEndpoint,
        jwks_uri: idp.maskinporten.jwksUri,
      });
    }
  });

  it('accepts a grant built by hand with jose and issues a Maskinporten-shaped token', async () => {
    const response = await requestToken(await signJwt(privateJwk, grantClaims()));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, scope: 'nav:test/api' });
    const claims = await verifyAccessToken(response.body.access_token as string);
    expect(claims).toMatchObject({
      iss: idp.maskinporten.issuer,
      scope: 'nav:test/api',
      client_id: client.clientId,
      client_amr: 'private_key_jwt',
      consumer: { authority: 'iso6523-actorid-upis', ID: '0192:889640782' },
    });
    expect(claims.aud).toBeUndefined();
  });

  // Digdir: "Currently only array supported." (docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant);
  // Digdir's jwt-grant-generator, Altinn's client and NAIS's Texas send a string.
  it.each([
    ['a one-element array, as Digdir documents', ['https://api.nav.no/arbeid']],
    ['a string, as Digdir’s jwt-grant-generator sends it', 'https://api.nav.no/arbeid'],
  ])('turns resource given as %s into the access token aud', async (_form, resource) => {
    const response = await requestToken(await signJwt(privateJwk, grantClaims({ resource })));
    expect(response.status).toBe(200);
    expect((await verifyAccessToken(response.body.access_token as string)).aud).toBe('https://api.nav.no/arbeid');
  });

  it('accepts nbf, which NAIS’s Texas puts in every Maskinporten grant', async () => {
    const response = await requestToken(await signJwt(privateJwk, grantClaims({ nbf: nowSeconds() })));
    expect(response.status).toBe(200);
  });

  it('binds the token to pid when the grant asks (end-user-restricted token)', async () => {
    const response = await requestToken(await signJwt(privateJwk, grantClaims({ pid: '01017012345' })));
    expect((await verifyAccessToken(response.body.access_token as string)).pid).toBe('01017012345');
  });

  it('issues a delegated token with consumer and supplier', async () => {
    const response = await requestToken(await signJwt(privateJwk, grantClaims({ consumer_org: '974760673' })));
    expect(await verifyAccessToken(response.body.access_token as string)).toMatchObject({
      consumer: { ID: '0192:974760673' },
      supplier: { ID: '0192:889640782' },
    });
  });

  it('issues a system-user token with the claims of seed 003', async () => {
    const authorization_details = [
      { type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:313367002' } },
    ];
    const response = await requestToken(await signJwt(privateJwk, grantClaims({ authorization_details })));
    expect(response.status).toBe(200);
    expect(await verifyAccessToken(response.body.access_token as string)).toMatchObject({
      consumer: { ID: '0192:889640782' },
      authorization_details: [
        {
          type: 'urn:altinn:systemuser',
          systemuser_id: ['a6355a68-86b8-4344-8a81-0248cb461468'],
          system_id: '889640782_nav_system',
          systemuser_org: { authority: 'iso6523-actorid-upis', id: '0192:313367002' },
        },
      ],
    });
  });

  const otherKey = async (): Promise<JWK> => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    return { ...(await exportJWK(privateKey)), kid: privateJwk.kid as string, alg: 'RS256' };
  };

  const refusals: Array<[string, () => Promise<string>, number, string]> = [
    ['an unknown client', async () => signJwt(privateJwk, grantClaims({ iss: 'no-such-client' })), 400, 'invalid_client'],
    ['a signature by another key', async () => signJwt(await otherKey(), grantClaims()), 400, 'invalid_grant'],
    ['alg PS256', async () => signJwt({ ...privateJwk, alg: 'PS256' }, grantClaims(), { alg: 'PS256' }), 400, 'invalid_grant'],
    ['an unknown kid', async () => signJwt(privateJwk, grantClaims(), { kid: 'unknown' }), 400, 'invalid_grant'],
    ['no kid', async () => signJwt(privateJwk, grantClaims(), { kid: undefined }), 400, 'invalid_grant'],
    ['aud as an array', async () => signJwt(privateJwk, grantClaims({ aud: [idp.maskinporten.issuer] })), 400, 'invalid_grant'],
    [
      'aud = the token endpoint',
      async () => signJwt(privateJwk, grantClaims({ aud: idp.maskinporten.tokenEndpoint })),
      400,
      'invalid_grant',
    ],
    ['exp - iat = 121 s', async () => signJwt(privateJwk, grantClaims({ exp: nowSeconds() + 121 })), 400, 'invalid_grant'],
    [
      'iat 15 s in the past',
      async () => signJwt(privateJwk, grantClaims({ iat: nowSeconds() - 15, exp: nowSeconds() + 30 })),
      400,
      'invalid_grant',
    ],
    [
      'iat 15 s in the future',
      async () => signJwt(privateJwk, grantClaims({ iat: nowSeconds() + 15, exp: nowSeconds() + 45 })),
      400,
      'invalid_grant',
    ],
    ['an empty jti', async () => signJwt(privateJwk, grantClaims({ jti: '' })), 400, 'invalid_grant'],
    ['sub, which Digdir does not document', async () => signJwt(privateJwk, grantClaims({ sub: client.clientId })), 400, 'invalid_grant'],
    ['an unknown claim', async () => signJwt(privateJwk, grantClaims({ client_id: client.clientId })), 400, 'invalid_grant'],
    ['nbf in the future', async () => signJwt(privateJwk, grantClaims({ nbf: nowSeconds() + 60 })), 400, 'invalid_grant'],
    ['a malformed pid', async () => signJwt(privateJwk, grantClaims({ pid: '0101701234' })), 400, 'invalid_grant'],
    [
      'the deprecated iss_onbehalfof, with nothing registered',
      async () => signJwt(privateJwk, grantClaims({ iss_onbehalfof: 'leikanger_kommune' })),
      400,
      'invalid_grant',
    ],
    [
      'resource naming two APIs',
      async () => signJwt(privateJwk, grantClaims({ resource: ['https://a.example/', 'https://b.example/'] })),
      400,
      'invalid_target',
    ],
    ['an empty resource array', async () => signJwt(privateJwk, grantClaims({ resource: [] })), 400, 'invalid_target'],
    [
      'a resource with a fragment',
      async () => signJwt(privateJwk, grantClaims({ resource: 'https://a.example/#x' })),
      400,
      'invalid_target',
    ],
    ['a resource that is no URI', async () => signJwt(privateJwk, grantClaims({ resource: ['api'] })), 400, 'invalid_target'],
    ['a scope not granted', async () => signJwt(privateJwk, grantClaims({ scope: 'nav:test/api skatt:secret' })), 400, 'invalid_scope'],
    [
      'consumer_org that has not delegated',
      async () => signJwt(privateJwk, grantClaims({ consumer_org: '313367002' })),
      400,
      'invalid_grant',
    ],
    [
      'a system user of another vendor',
      async () =>
        signJwt(
          privateJwk,
          grantClaims({
            authorization_details: [
              { type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:974760673' } },
            ],
          }),
        ),
      400,
      'invalid_authorization_details',
    ],
    [
      'a consent request nobody consented to',
      async () => signJwt(privateJwk, grantClaims({ authorization_details: [{ type: 'urn:altinn:consent', id: uuid() }] })),
      400,
      'invalid_authorization_details',
    ],
  ];

  it.each(refusals)('refuses %s', async (_name, grant, status, error) => {
    const response = await requestToken(await grant());
    expect(response.status).toBe(status);
    expect(response.body.error).toBe(error);
    expect(typeof response.body.error_description).toBe('string');
  });

  it('refuses a reused jti', async () => {
    const claims = grantClaims();
    expect((await requestToken(await signJwt(privateJwk, claims))).status).toBe(200);
    const replay = await requestToken(await signJwt(privateJwk, claims));
    expect(replay.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('jti') });
  });

  it('accepts a grant without jti, which Digdir only recommends, but never the same grant twice', async () => {
    const grant = await signJwt(privateJwk, grantClaims({ jti: undefined }));
    expect((await requestToken(grant)).status).toBe(200);
    expect((await requestToken(grant)).body).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringContaining('used before'),
    });
  });

  it('refuses other grant types, repeated parameters and other content types', async () => {
    const assertion = await signJwt(privateJwk, grantClaims());
    expect((await postForm(idp.maskinporten.tokenEndpoint, { grant_type: 'client_credentials', assertion })).body.error).toBe(
      'unsupported_grant_type',
    );
    const repeated = await fetch(idp.maskinporten.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=${encodeURIComponent(JWT_BEARER)}&assertion=${assertion}&assertion=${assertion}`,
    });
    expect(await repeated.json()).toMatchObject({ error: 'invalid_request' });
    const asJson = await fetch(idp.maskinporten.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: JWT_BEARER, assertion }),
    });
    expect(asJson.status).toBe(400);
    expect(((await asJson.json()) as { error: string }).error).toBe('invalid_request');
    expect((await fetch(idp.maskinporten.tokenEndpoint)).status).toBe(405);
  });
});
