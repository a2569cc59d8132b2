// The mint endpoint behind `nav-auth idp mint`, over real HTTP. Tokens are checked with jose
// against the IdP's published JWKS, as an app would.
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createLocalJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, startLocalIdp } from '../src/index.js';
import { mintRoutes } from '../src/mint/mint-endpoint.js';

const SYSTEM_USER = 'a6355a68-86b8-4344-8a81-0248cb461468';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp();
  await idp.registerAzureApp({ name: 'dev-gcp:team:api', clientId: 'api-client' });
  await idp.registerAzureApp({ name: 'dev-gcp:team:caller', roles: { 'dev-gcp:team:api': ['read'] } });
  idp.registerSystemUser({ id: SYSTEM_USER, systemId: '889640782_sys', customerOrg: '313367002', vendorOrg: '889640782' });
  idp.registerIdportenClient({ clientId: 'idporten-client' });
  await idp.registerTokenXApp({ name: 'dev-gcp:team:api', inbound: ['dev-gcp:team:frontend'] });
});
afterAll(() => idp.close());

interface Answer {
  readonly status: number;
  readonly body: { token?: string; error?: string; error_description?: string };
}

/** A POST with exactly these headers (node:http, so Host and Origin are ours to set). */
function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(path, idp.url);
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers } },
      (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          data += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode as number, body: JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

async function minted(path: string, body: unknown): Promise<string> {
  const answer = await post(path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.token as string;
}

async function verify(token: string, issuer: 'azure' | 'maskinporten' | 'idporten' | 'tokenx') {
  const jwks = await (await fetch(idp[issuer].jwksUri)).json();
  return jwtVerify(token, createLocalJWKSet(jwks as { keys: [] }), { issuer: idp[issuer].issuer });
}

describe('POST /_mint/<kind>', () => {
  it('mints an Azure AD user token with the given NAVident, groups and scp', async () => {
    const token = await minted('/_mint/azure-user', {
      audience: 'dev-gcp:team:api',
      navIdent: 'Z990000',
      groups: ['g1', 'g2'],
      scopes: ['defaultaccess'],
    });
    const { payload } = await verify(token, 'azure');
    expect(payload).toMatchObject({ aud: 'api-client', NAVident: 'Z990000', groups: ['g1', 'g2'], scp: 'defaultaccess', ver: '2.0' });
  });

  it('mints an Azure AD app token with the roles the caller was granted, or exactly the ones asked for', async () => {
    const granted = await verify(await minted('/_mint/azure-app', { caller: 'dev-gcp:team:caller', audience: 'api-client' }), 'azure');
    expect(granted.payload).toMatchObject({ aud: 'api-client', idtyp: 'app', azp_name: 'dev-gcp:team:caller' });
    expect(granted.payload.roles).toEqual(['access_as_application', 'read']);
    const asked = await minted('/_mint/azure-app', { caller: 'dev-gcp:team:caller', audience: 'dev-gcp:team:api', roles: ['write'] });
    expect(decodeJwt(asked).roles).toEqual(['write']);
  });

  it('mints a Maskinporten token for a consumer, with an audience, or for a registered system user', async () => {
    const plain = await verify(
      await minted('/_mint/maskinporten', { scopes: ['nav:test/api'], consumerOrg: '313367002', audience: 'https://api.example.no' }),
      'maskinporten',
    );
    expect(plain.payload).toMatchObject({
      scope: 'nav:test/api',
      consumer: { ID: '0192:313367002' },
      aud: 'https://api.example.no',
    });
    const systemUser = decodeJwt(await minted('/_mint/maskinporten', { scopes: ['nav:test/api'], systemUser: SYSTEM_USER }));
    expect(systemUser).toMatchObject({
      consumer: { ID: '0192:889640782' },
      authorization_details: [{ type: 'urn:altinn:systemuser', systemuser_id: [SYSTEM_USER], system_id: '889640782_sys' }],
    });
  });

  it('mints an ID-porten token for a registered client, with the pid and acr asked for', async () => {
    const { payload } = await verify(
      await minted('/_mint/idporten', { audience: 'idporten-client', pid: '01819012446', acr: 'idporten-loa-substantial' }),
      'idporten',
    );
    expect(payload).toMatchObject({
      aud: 'idporten-client',
      client_id: 'idporten-client',
      pid: '01819012446',
      acr: 'idporten-loa-substantial',
      amr: ['MinID'],
    });
    expect(decodeJwt(await minted('/_mint/idporten', { audience: 'idporten-client' }))).toMatchObject({
      acr: 'idporten-loa-high',
      pid: '01819012365',
    });
  });

  it('mints a TokenX token for a registered app, as if the client exchanged a citizen’s ID-porten token', async () => {
    const { payload } = await verify(
      await minted('/_mint/tokenx', { audience: 'dev-gcp:team:api', clientId: 'dev-gcp:team:frontend', pid: '01819012446' }),
      'tokenx',
    );
    expect(payload).toMatchObject({
      aud: 'dev-gcp:team:api',
      client_id: 'dev-gcp:team:frontend',
      pid: '01819012446',
      acr: 'Level4',
      idp: idp.idporten.issuer,
    });
    const substantial = await minted('/_mint/tokenx', {
      audience: 'dev-gcp:team:api',
      clientId: 'dev-gcp:team:frontend',
      acr: 'idporten-loa-substantial',
    });
    expect(decodeJwt(substantial).acr).toBe('Level3');
  });

  it('mints an expired token that verification refuses as expired', async () => {
    const token = await minted('/_mint/azure-user', { audience: 'dev-gcp:team:api', expired: true });
    const claims = decodeJwt(token);
    expect(claims.exp).toBeLessThan(Date.now() / 1000 - 300);
    await expect(verify(token, 'azure')).rejects.toBeInstanceOf(errors.JWTExpired);
    const maskinporten = await minted('/_mint/maskinporten', { scopes: ['nav:a'], consumerOrg: '313367002', expired: true });
    await expect(verify(maskinporten, 'maskinporten')).rejects.toBeInstanceOf(errors.JWTExpired);
    const citizen = await minted('/_mint/idporten', { audience: 'idporten-client', expired: true });
    await expect(verify(citizen, 'idporten')).rejects.toBeInstanceOf(errors.JWTExpired);
    const tokenx = await minted('/_mint/tokenx', { audience: 'dev-gcp:team:api', clientId: 'dev-gcp:team:frontend', expired: true });
    expect(decodeJwt(tokenx).nbf).toBe(decodeJwt(tokenx).iat);
    await expect(verify(tokenx, 'tokenx')).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it('mints a token signed by a key the JWKS never published, with the same claims', async () => {
    const token = await minted('/_mint/azure-user', { audience: 'dev-gcp:team:api', navIdent: 'Z990000', unpublishedKey: true });
    expect(decodeJwt(token)).toMatchObject({ aud: 'api-client', NAVident: 'Z990000', iss: idp.azure.issuer });
    await expect(verify(token, 'azure')).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    for (const [kind, body, issuer] of [
      ['idporten', { audience: 'idporten-client', unpublishedKey: true }, 'idporten'],
      ['tokenx', { audience: 'dev-gcp:team:api', clientId: 'dev-gcp:team:frontend', unpublishedKey: true }, 'tokenx'],
    ] as const) {
      const forged = await minted(`/_mint/${kind}`, body);
      expect(decodeJwt(forged).iss).toBe(idp[issuer].issuer);
      await expect(verify(forged, issuer)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    }
  });

  it('logs mint requests under the endpoint "mint"', async () => {
    while (idp.takeRequest('mint') !== undefined);
    await minted('/_mint/azure-user', { audience: 'dev-gcp:team:api' });
    expect(idp.takeRequest('mint')?.path).toBe('/_mint/azure-user');
  });
});

describe('the mint endpoint refuses', () => {
  const body = { audience: 'dev-gcp:team:api' };

  it('a browser request: an Origin or a Sec-Fetch-Site header (cross-site request forgery from a tab)', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }]) {
      const answer = await post('/_mint/azure-user', body, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.body).toMatchObject({ error: 'access_denied' });
      expect(answer.body.token).toBeUndefined();
    }
  });

  it('a Host that is not the IdP (DNS rebinding)', async () => {
    const port = new URL(idp.url).port;
    expect((await post('/_mint/azure-user', body, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await post('/_mint/azure-user', body, { host: `localhost:${port}` })).status).toBe(200);
  });

  it('a body that is not JSON, with 415 for another content type and 405 for GET', async () => {
    expect((await post('/_mint/azure-user', body, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('/_mint/azure-user', body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await fetch(`${idp.url}/_mint/azure-user`)).status).toBe(405);
    expect(await post('/_mint/azure-user', '{"audience":')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: 'the body must be a JSON object' },
    });
    expect((await post('/_mint/azure-user', '["dev-gcp:team:api"]')).status).toBe(400);
    expect((await post('/_mint/nothing', body)).status).toBe(404);
  });

  it('unknown fields, wrong types and missing fields with a clear 400 that never echoes a value', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/_mint/azure-user', { audience: 'dev-gcp:team:api', roles: ['x'] }, 'unknown field "roles" for azure-user'],
      ['/_mint/azure-user', {}, '"audience" is required'],
      ['/_mint/azure-user', { audience: 'dev-gcp:team:api', groups: 'g1,g2' }, '"groups" must be an array'],
      ['/_mint/azure-user', { audience: 'dev-gcp:team:api', scopes: ['a b'] }, 'without spaces'],
      ['/_mint/azure-user', { audience: 'dev-gcp:team:api', navIdent: 990000 }, '"navIdent" must be a non-empty string'],
      ['/_mint/azure-user', { audience: 'dev-gcp:team:api', expired: 'yes' }, '"expired" must be true or false'],
      ['/_mint/azure-app', { audience: 'dev-gcp:team:api' }, '"caller" is required'],
      ['/_mint/maskinporten', { consumerOrg: '313367002' }, '"scopes" is required'],
      ['/_mint/maskinporten', { scopes: ['nav:a'] }, '"consumerOrg" is required unless "systemUser"'],
      ['/_mint/maskinporten', { scopes: ['nav:a'], consumerOrg: '01019012345' }, '"consumerOrg" must be a valid 9-digit'],
      ['/_mint/maskinporten', { scopes: ['nav:a'], systemUser: 'b0000000-0000-0000-0000-000000000000' }, 'no registered system user'],
      ['/_mint/azure-user', { audience: 'dev-gcp:team:nobody' }, 'no Azure app dev-gcp:team:nobody is registered'],
      ['/_mint/idporten', {}, '"audience" is required'],
      ['/_mint/idporten', { audience: 'idporten-client', navIdent: 'Z990000' }, 'unknown field "navIdent" for idporten'],
      ['/_mint/idporten', { audience: 'idporten-client', pid: '0101901234' }, '"pid" must be 11 digits'],
      ['/_mint/idporten', { audience: 'idporten-client', acr: 4 }, '"acr" must be a non-empty string'],
      ['/_mint/tokenx', { audience: 'dev-gcp:team:api' }, '"clientId" is required'],
      ['/_mint/tokenx', { audience: 'dev-gcp:team:api', clientId: 'frontend' }, 'clientId must be cluster:namespace:app'],
    ];
    for (const [path, request, message] of cases) {
      const answer = await post(path, request);
      expect(answer.status, message).toBe(400);
      expect(answer.body.error).toBe('invalid_request');
      expect(answer.body.error_description).toContain(message);
    }
    const personal = await post('/_mint/maskinporten', { scopes: ['nav:a'], consumerOrg: '01019012345' });
    expect(JSON.stringify(personal.body)).not.toContain('01019012345');
    const pid = await post('/_mint/idporten', { audience: 'idporten-client', pid: '0101901234' });
    expect(JSON.stringify(pid.body)).not.toContain('0101901234');
  });
});

describe('mintRoutes', () => {
  const context = () => ({ origin: 'http://127.0.0.1:4321', idp, systemUsers: [], now: () => new Date() });
  const handle = (remoteAddress: string | undefined) => {
    const route = mintRoutes(context()).get('/_mint/azure-user');
    return route?.handle({
      method: 'POST',
      url: new URL('http://127.0.0.1:4321/_mint/azure-user'),
      headers: { host: '127.0.0.1:4321', 'content-type': 'application/json' },
      body: JSON.stringify({ audience: 'dev-gcp:team:api' }),
      remoteAddress,
    });
  };

  it('refuses a peer that is not loopback, and fails closed when the peer is unknown', async () => {
    expect(await handle('192.0.2.10')).toMatchObject({ status: 403, body: { error: 'access_denied' } });
    expect(await handle('::ffff:192.0.2.10')).toMatchObject({ status: 403 });
    expect(await handle(undefined)).toMatchObject({ status: 403 });
    for (const loopback of ['127.0.0.1', '::ffff:127.0.0.1', '::1']) expect(await handle(loopback)).toMatchObject({ status: 200 });
  });

  it('refuses to serve on a server that does not listen on 127.0.0.1', () => {
    for (const origin of ['http://0.0.0.0:4321', 'http://192.0.2.10:4321', 'http://localhost:4321']) {
      expect(() => mintRoutes({ ...context(), origin })).toThrow(/listens on 127\.0\.0\.1/);
    }
  });
});

describe('startLocalIdp', () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && !address.internal && address.family === 'IPv4')?.address;

  it.skipIf(external === undefined)('listens on 127.0.0.1 only: the port is closed on the machine’s other addresses', async () => {
    const port = Number(new URL(idp.url).port);
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: external as string, port, timeout: 2000 });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve('timeout');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(outcome).not.toBe('connected');
  });
});
