// The local ID-porten over real HTTP, with a fixed clock: discovery and JWKS served, access
// tokens minted as the Wonderwall login proxy forwards them, checked with jose as an app would.
import { createLocalJWKSet, decodeJwt, type JWK, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, startLocalIdp } from '../src/index.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const T = NOW.getTime() / 1000;
const CLIENT = 'b5b9d7c4-8f0e-4a59-9d8a-6f3c2b1a0e99';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp({ now: () => NOW });
  idp.registerIdportenClient({ clientId: CLIENT });
});
afterEach(() => idp.clearFaults());
afterAll(() => idp.close());

async function verify(token: string, audience = CLIENT) {
  const jwks = (await (await fetch(idp.idporten.jwksUri)).json()) as { keys: JWK[] };
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: idp.idporten.issuer, audience, algorithms: ['RS256'], currentDate: NOW });
}

/** The mod-11 check digits of a fødselsnummer (written here, not imported, to stay independent). */
function isFodselsnummer(pid: string): boolean {
  const digits = [...pid].map(Number);
  const check = (weights: readonly number[]) => {
    const rest = 11 - (weights.reduce((sum, weight, i) => sum + weight * (digits[i] as number), 0) % 11);
    return rest === 11 ? 0 : rest;
  };
  return (
    /^[0-9]{11}$/.test(pid) && check([3, 7, 6, 1, 8, 9, 4, 5, 2]) === digits[9] && check([5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) === digits[10]
  );
}

describe('ID-porten discovery and keys', () => {
  it('serves an OpenID configuration at IDPORTEN_WELL_KNOWN_URL that names the issuer and the JWKS', async () => {
    expect(idp.idporten.issuer).toBe(`${idp.url}/idporten`);
    expect(idp.idporten.wellKnownUrl).toBe(`${idp.url}/idporten/.well-known/openid-configuration`);
    const metadata = (await (await fetch(idp.idporten.wellKnownUrl)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: idp.idporten.issuer,
      jwks_uri: idp.idporten.jwksUri,
      token_endpoint: idp.idporten.tokenEndpoint,
      acr_values_supported: ['idporten-loa-substantial', 'idporten-loa-high'],
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['pairwise'],
    });
    const { keys } = (await (await fetch(idp.idporten.jwksUri)).json()) as { keys: JWK[] };
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('answers 501 on the login endpoints its document lists, for there is no login here', async () => {
    const metadata = (await (await fetch(idp.idporten.wellKnownUrl)).json()) as Record<string, string>;
    for (const member of [
      'authorization_endpoint',
      'pushed_authorization_request_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'end_session_endpoint',
    ]) {
      const response = await fetch(metadata[member] as string, { method: 'POST' });
      expect(response.status, member).toBe(501);
      expect(await response.json()).toMatchObject({
        error: 'not_implemented',
        error_description: expect.stringContaining('mintIdportenToken'),
      });
    }
    expect(idp.takeRequest('idporten.unimplemented')?.method).toBe('POST');
  });

  it('fails discovery and the JWKS as asked, and logs them under their endpoints', async () => {
    idp.injectFault('idporten.jwks', { type: 'status', status: 503 }, 1);
    idp.injectFault('idporten.discovery', { type: 'truncated' }, 1);
    expect((await fetch(idp.idporten.jwksUri)).status).toBe(503);
    await expect(fetch(idp.idporten.wellKnownUrl).then((response) => response.json())).rejects.toThrow();
    while (idp.takeRequest('idporten.jwks') !== undefined);
    await fetch(idp.idporten.jwksUri);
    expect(idp.takeRequest('idporten.jwks')).toMatchObject({ method: 'GET', path: '/idporten/jwks.json' });
  });
});

describe('registerIdportenClient', () => {
  it('returns the IDPORTEN_* variables NAIS injects, the client id as IDPORTEN_AUDIENCE', () => {
    expect(idp.registerIdportenClient({ clientId: 'my-client' })).toEqual({
      clientId: 'my-client',
      env: {
        IDPORTEN_AUDIENCE: 'my-client',
        IDPORTEN_WELL_KNOWN_URL: idp.idporten.wellKnownUrl,
        IDPORTEN_ISSUER: idp.idporten.issuer,
        IDPORTEN_JWKS_URI: idp.idporten.jwksUri,
      },
    });
  });

  it('generates a UUID client id by default', () => {
    expect(idp.registerIdportenClient().clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('mintIdportenToken', () => {
  it('mints an access token as ID-porten issues it to the login proxy, for the client it names', async () => {
    const { payload, protectedHeader } = await verify(await idp.mintIdportenToken({ audience: CLIENT }));
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toEqual({
      iss: idp.idporten.issuer,
      aud: CLIENT,
      sub: expect.stringMatching(/^[\w-]{43}$/),
      pid: '01819012365',
      acr: 'idporten-loa-high',
      amr: ['BankID'],
      client_id: CLIENT,
      client_amr: 'private_key_jwt',
      scope: 'openid',
      iat: T,
      nbf: T,
      exp: T + 3599,
      jti: expect.any(String),
    });
  });

  it('defaults pid to a synthetic fødselsnummer with valid check digits', async () => {
    const { pid } = decodeJwt(await idp.mintIdportenToken({ audience: CLIENT }));
    expect(isFodselsnummer(pid as string)).toBe(true);
    // Month + 80: Skatteetaten's mark of synthetic test persons.
    expect(Number((pid as string).slice(2, 4))).toBeGreaterThan(80);
  });

  it('takes pid, acr, amr and client_id, and gives MinID to a substantial login', async () => {
    const substantial = decodeJwt(await idp.mintIdportenToken({ audience: CLIENT, pid: '01819012446', acr: 'idporten-loa-substantial' }));
    expect(substantial).toMatchObject({ pid: '01819012446', acr: 'idporten-loa-substantial', amr: ['MinID'] });
    const chosen = decodeJwt(await idp.mintIdportenToken({ audience: CLIENT, amr: ['Buypass'], clientId: 'wonderwall-client' }));
    expect(chosen).toMatchObject({ amr: ['Buypass'], client_id: 'wonderwall-client', aud: CLIENT });
  });

  it('gives a user a pairwise sub: the same at one client, another at the next', async () => {
    idp.registerIdportenClient({ clientId: 'second-client' });
    const first = decodeJwt(await idp.mintIdportenToken({ audience: CLIENT })).sub;
    expect(decodeJwt(await idp.mintIdportenToken({ audience: CLIENT })).sub).toBe(first);
    expect(decodeJwt(await idp.mintIdportenToken({ audience: 'second-client' })).sub).not.toBe(first);
    expect(decodeJwt(await idp.mintIdportenToken({ audience: CLIENT, pid: '01819012527' })).sub).not.toBe(first);
  });

  it('lets claims override or add anything, an expired token among them', async () => {
    const token = await idp.mintIdportenToken({ audience: CLIENT, claims: { locale: 'en', exp: T - 10 } });
    expect(decodeJwt(token).locale).toBe('en');
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('mints for a client that is not registered too: a token for someone else, which an app must refuse', async () => {
    const elsewhere = await idp.mintIdportenToken({ audience: 'another-client' });
    expect((await verify(elsewhere, 'another-client')).payload.client_id).toBe('another-client');
    await expect(verify(elsewhere)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
    await expect(idp.mintIdportenToken({ audience: '' })).rejects.toThrow('audience must not be empty');
  });
});

describe('ID-porten keys', () => {
  it('mintToken and rotateKeys work for idporten: a rotated key stays published until dropped', async () => {
    const before = await idp.mintToken('idporten', { aud: CLIENT });
    expect((await verify(before)).payload.iss).toBe(idp.idporten.issuer);
    await idp.rotateKeys('idporten');
    expect((await verify(before)).payload.aud).toBe(CLIENT);
    await idp.rotateKeys('idporten', { dropPrevious: true });
    await expect(verify(before)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});
