import { request as httpRequest } from 'node:http';
import type { JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, startLocalIdp } from '../src/index.js';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp();
});
afterEach(() => idp.clearFaults());
afterAll(() => idp.close());

/** A raw GET with node:http, reporting how it ended: a response, or the socket error. */
function rawGet(url: string, timeoutMs = 2000): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode as number, body }));
      res.on('aborted', () => resolve({ status: res.statusCode as number, error: 'aborted' }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ status: res.statusCode as number, error: error.code ?? error.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ error: 'timeout' });
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

describe('injectFault', () => {
  it('delay: answers normally, later', async () => {
    idp.injectFault('maskinporten.jwks', { type: 'delay', ms: 300 }, 1);
    const started = performance.now();
    const result = await rawGet(idp.maskinporten.jwksUri);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body as string).keys).toHaveLength(1);
  });

  it('hang: never answers, so the client times out', async () => {
    idp.injectFault('maskinporten.jwks', { type: 'hang' }, 1);
    expect(await rawGet(idp.maskinporten.jwksUri, 300)).toEqual({ error: 'timeout' });
    expect((await rawGet(idp.maskinporten.jwksUri)).status).toBe(200);
  });

  it('reset: the connection is reset without an answer', async () => {
    idp.injectFault('azure.jwks', { type: 'reset' }, 1);
    expect((await rawGet(idp.azure.jwksUri)).error).toBe('ECONNRESET');
  });

  it.each([500, 503])('status %i: answers the error status', async (status) => {
    idp.injectFault('maskinporten.discovery', { type: 'status', status }, 1);
    expect((await rawGet(idp.maskinporten.wellKnownUrl)).status).toBe(status);
  });

  it('status 429 with Retry-After in seconds and as an HTTP-date', async () => {
    idp.injectFault('maskinporten.token', { type: 'status', status: 429, retryAfter: 7 }, 1);
    const seconds = await fetch(idp.maskinporten.tokenEndpoint, { method: 'POST' });
    expect([seconds.status, seconds.headers.get('retry-after')]).toEqual([429, '7']);
    const date = new Date(Date.now() + 5000).toUTCString();
    idp.injectFault('maskinporten.token', { type: 'status', status: 503, retryAfter: date }, 1);
    expect((await fetch(idp.maskinporten.tokenEndpoint, { method: 'POST' })).headers.get('retry-after')).toBe(date);
  });

  it('garbage: a 200 whose body is not JSON', async () => {
    idp.injectFault('generic.discovery', { type: 'garbage' }, 1);
    const result = await rawGet(idp.generic.wellKnownUrl);
    expect(result.status).toBe(200);
    expect(() => JSON.parse(result.body as string)).toThrow();
  });

  it('truncated: the body stops halfway and the connection closes', async () => {
    idp.injectFault('azure.discovery', { type: 'truncated' }, 1);
    const result = await rawGet(idp.azure.wellKnownUrl);
    expect(result.status).toBe(200);
    expect(result.error).toBeDefined();
    await expect(fetch(idp.azure.wellKnownUrl).then((r) => r.json())).resolves.toHaveProperty('issuer');
  });

  it('fires as many times as asked, then the endpoint recovers; without a count it stays until cleared', async () => {
    idp.injectFault('generic.jwks', { type: 'status', status: 503 }, 2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await rawGet(idp.generic.jwksUri)).status);
    expect(statuses).toEqual([503, 503, 200]);
    idp.injectFault('generic.jwks', { type: 'status', status: 500 });
    for (let i = 0; i < 3; i++) expect((await rawGet(idp.generic.jwksUri)).status).toBe(500);
    idp.clearFaults('generic.jwks');
    expect((await rawGet(idp.generic.jwksUri)).status).toBe(200);
  });

  it('JWKS outage: the key set is unavailable while armed', async () => {
    idp.injectFault('azure.jwks', { type: 'status', status: 503 });
    expect((await rawGet(idp.azure.jwksUri)).status).toBe(503);
  });
});

describe('rotateKeys', () => {
  const kids = async () =>
    ((await (await fetch(idp.maskinporten.jwksUri)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
  const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid as string;

  it('publishes a new signing key, keeps the old one, and can drop it', async () => {
    const before = await kids();
    await idp.rotateKeys('maskinporten');
    const after = await kids();
    expect(after).toHaveLength(before.length + 1);
    expect(after.slice(1)).toEqual(before);
    expect(kidOf(await idp.mintToken('maskinporten', { scope: 'x' }))).toBe(after[0]);
    await idp.rotateKeys('maskinporten', { dropPrevious: true });
    const dropped = await kids();
    expect(dropped).toHaveLength(1);
    expect(before).not.toContain(dropped[0]);
  });
});

describe('request log', () => {
  it('records what clients sent, and takeRequest hands requests out once, oldest first', async () => {
    while (idp.takeRequest() !== undefined);
    await fetch(idp.azure.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=a',
    });
    await fetch(idp.maskinporten.jwksUri);
    const jwks = idp.takeRequest('maskinporten.jwks');
    expect(jwks).toMatchObject({ endpoint: 'maskinporten.jwks', method: 'GET' });
    const token = idp.takeRequest();
    expect(token).toMatchObject({ endpoint: 'azure.token', method: 'POST', form: { grant_type: 'client_credentials', scope: 'a' } });
    expect(idp.takeRequest()).toBeUndefined();
    expect(idp.requests.at(-1)?.endpoint).toBe('maskinporten.jwks');
  });
});

describe('mintToken', () => {
  it('signs with a published key by default and with an unpublished one when asked', async () => {
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const jwks = createLocalJWKSet((await (await fetch(idp.azure.jwksUri)).json()) as { keys: JWK[] });
    const good = await idp.mintToken('azure', { aud: 'x' }, { header: { typ: 'JWT' } });
    expect((await jwtVerify(good, jwks, { issuer: idp.azure.issuer, audience: 'x' })).payload.iss).toBe(idp.azure.issuer);
    await expect(jwtVerify(await idp.mintToken('azure', { aud: 'x' }, { unpublishedKey: true }), jwks)).rejects.toThrow();
    await expect(jwtVerify(await idp.mintToken('azure', { aud: 'x' }, { expiresInSeconds: -10 }), jwks)).rejects.toThrow(/exp/);
  });
});
