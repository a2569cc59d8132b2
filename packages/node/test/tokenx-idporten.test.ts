// TokenX and ID-porten end to end against @nav-auth/testing's local IdP, whose TokenX endpoint
// is as strict as tokendings (its own tests check it with openid-client and hand-made assertions).
import { inspect } from 'node:util';
import { parseIdportenConfig, parseTokenXConfig, type TokenXClaims } from '@nav-auth/core';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdportenTokenValidator,
  createTokenXClient,
  createTokenXTokenValidator,
  discoverTokenXConfig,
  loadTokenXConfig,
  type TokenValidator,
  type TokenXClient,
} from '../src/index.js';

const pid = '01017012345';
let idp: LocalIdp;
let appA: Awaited<ReturnType<LocalIdp['registerTokenXApp']>>;
let appB: Awaited<ReturnType<LocalIdp['registerTokenXApp']>>;
let idportenAudience: string;
let tokenxA: TokenXClient;
let validatorB: TokenValidator<TokenXClaims>;

beforeAll(async () => {
  idp = await startLocalIdp();
  appA = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-a' });
  appB = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-b', inbound: ['dev-gcp:team:app-a'] });
  idportenAudience = idp.registerIdportenClient({ clientId: 'dev-gcp:team:app-a' }).clientId;
  tokenxA = createTokenXClient({ config: parseTokenXConfig(appA.env) });
  validatorB = createTokenXTokenValidator({ config: parseTokenXConfig(appB.env), allowedClients: ['dev-gcp:team:app-a'] });
});
afterAll(() => idp.close());

const citizenToken = (acr = 'idporten-loa-high') => idp.mintIdportenToken({ audience: idportenAudience, pid, acr });

describe('createTokenXClient', () => {
  it('exchanges an ID-porten token for app B; B validates it with typed claims; the exchange is cached', async () => {
    while (idp.takeRequest() !== undefined);
    const subject = await citizenToken();
    const exchanged = await tokenxA.exchange(subject, 'dev-gcp:team:app-b');
    const claims = await validatorB.validate(exchanged.token);
    expect({ ...claims, pid: claims.pid }).toMatchObject({
      pid,
      loginLevel: 'high',
      acr: 'Level4',
      clientId: 'dev-gcp:team:app-a',
      idp: idp.idporten.issuer,
      audience: ['dev-gcp:team:app-b'],
      issuer: idp.tokenx.issuer,
    });
    expect(await tokenxA.exchange(Buffer.from(subject).toString(), 'dev-gcp:team:app-b')).toBe(exchanged);
    expect(idp.requests.filter((r) => r.endpoint === 'tokenx.token')).toHaveLength(1);
    expect(`${JSON.stringify(exchanged)} ${inspect(exchanged)}`).not.toContain(exchanged.token);
  });

  it('sends the TokenX form and a fresh assertion on every request, as tokendings checks it', async () => {
    const subject = await citizenToken();
    await tokenxA.exchange(subject, 'dev-gcp:team:app-b', { forceRefresh: true });
    await tokenxA.exchange(subject, 'dev-gcp:team:app-b', { forceRefresh: true });
    const sent = idp.requests.filter((r) => r.endpoint === 'tokenx.token').slice(-2);
    const assertions = sent.map((request) => request.form?.client_assertion as string);
    expect(new Set(assertions.map((assertion) => decodeJwt(assertion).jti)).size).toBe(2);
    for (const request of sent) {
      expect(Object.keys(request.form ?? {}).sort()).toStrictEqual(
        ['audience', 'client_assertion', 'client_assertion_type', 'grant_type', 'subject_token', 'subject_token_type'].sort(),
      );
    }
    const payload = decodeJwt(assertions[0] as string);
    expect(payload).toMatchObject({ iss: 'dev-gcp:team:app-a', sub: 'dev-gcp:team:app-a', aud: idp.tokenx.tokenEndpoint });
    expect((payload.exp as number) - (payload.iat as number)).toBe(30);
    expect(payload.nbf).toBe(payload.iat);
    expect(decodeProtectedHeader(assertions[0] as string)).toMatchObject({ alg: 'RS256', kid: appA.privateJwk?.kid, typ: 'JWT' });
  });

  it('surfaces a missing access policy as tokendings words it, without retrying', async () => {
    const appC = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-c' });
    const before = idp.requests.filter((r) => r.endpoint === 'tokenx.token').length;
    const error = await tokenxA.exchange(await citizenToken(), appC.clientId).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_ENDPOINT', error: 'invalid_request' });
    expect(String((error as Error).message)).toContain('is not authorized to get token with aud=dev-gcp:team:app-c');
    expect(idp.requests.filter((r) => r.endpoint === 'tokenx.token').length - before).toBe(1);
  });

  it('refuses, before any request, a TokenX token for another app and an expired subject token', async () => {
    const before = idp.requests.length;
    const forOther = await idp.mintTokenXToken({ audience: 'dev-gcp:team:app-z', clientId: 'dev-gcp:team:app-y', pid });
    await expect(tokenxA.exchange(forOther, 'dev-gcp:team:app-b')).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: expect.stringContaining('TOKEN_X_CLIENT_ID'),
    });
    const expired = await idp.mintIdportenToken({ audience: idportenAudience, pid, claims: { exp: Math.floor(Date.now() / 1000) - 60 } });
    await expect(tokenxA.exchange(expired, 'dev-gcp:team:app-b')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect(idp.requests.length).toBe(before);
  });

  it('exchanges again a TokenX token that is for this app (B calls on to C)', async () => {
    const appC = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-c2', inbound: ['dev-gcp:team:app-b'] });
    const toB = await tokenxA.exchange(await citizenToken(), 'dev-gcp:team:app-b');
    const tokenxB = createTokenXClient({ config: parseTokenXConfig(appB.env) });
    const toC = await tokenxB.exchange(toB.token, appC.clientId);
    expect(decodeJwt(toC.token)).toMatchObject({ aud: appC.clientId, client_id: 'dev-gcp:team:app-b', pid, idp: idp.idporten.issuer });
  });

  it('refuses a bad target without a request, rejecting rather than throwing', async () => {
    const result = tokenxA.exchange(await citizenToken(), 'api://dev-gcp.team.app-b/.default');
    await expect(result).rejects.toMatchObject({ code: 'ERR_SCOPE_NAME' });
    await expect(tokenxA.exchange('', 'dev-gcp:team:app-b')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('needs TOKEN_X_PRIVATE_JWK and TOKEN_X_TOKEN_ENDPOINT at creation, naming both, never a value', () => {
    const { TOKEN_X_PRIVATE_JWK: jwk, TOKEN_X_TOKEN_ENDPOINT: _endpoint, ...validationOnly } = appA.env;
    const error = (() => {
      try {
        createTokenXClient({ config: loadTokenXConfig({ env: validationOnly }) });
      } catch (e) {
        return e as { code: string; problems: { variable: string }[]; message: string };
      }
    })();
    expect(error?.code).toBe('ERR_CONFIG');
    expect(error?.problems.map((p) => p.variable)).toStrictEqual(['TOKEN_X_PRIVATE_JWK', 'TOKEN_X_TOKEN_ENDPOINT']);
    expect(error?.message).not.toContain(JSON.parse(jwk as string).d);
  });

  it('finds the issuer, JWKS and token endpoint from TOKEN_X_WELL_KNOWN_URL', async () => {
    const { TOKEN_X_ISSUER: _i, TOKEN_X_JWKS_URI: _j, TOKEN_X_TOKEN_ENDPOINT: _t, ...wellKnownOnly } = appA.env;
    const config = await discoverTokenXConfig({ env: wellKnownOnly });
    expect(config).toMatchObject({ issuer: idp.tokenx.issuer, jwksUri: idp.tokenx.jwksUri, tokenEndpoint: idp.tokenx.tokenEndpoint });
    const exchanged = await createTokenXClient({ config }).exchange(await citizenToken(), 'dev-gcp:team:app-b');
    expect(decodeJwt(exchanged.token).aud).toBe('dev-gcp:team:app-b');
  });
});

describe('createTokenXTokenValidator', () => {
  it.each([
    ['a token for another app', { audience: 'dev-gcp:team:app-z', clientId: 'dev-gcp:team:app-a' }, 'ERR_CLAIM_VALIDATION:aud:mismatch'],
    [
      'a caller outside allowedClients',
      { audience: 'dev-gcp:team:app-b', clientId: 'dev-gcp:team:app-x' },
      'ERR_CLAIM_VALIDATION:client_id:not_allowed',
    ],
    [
      'login level substantial (Level3)',
      { audience: 'dev-gcp:team:app-b', clientId: 'dev-gcp:team:app-a', acr: 'Level3' },
      'ERR_CLAIM_VALIDATION:acr:insufficient',
    ],
    [
      'an unknown acr',
      { audience: 'dev-gcp:team:app-b', clientId: 'dev-gcp:team:app-a', acr: 'Level2' },
      'ERR_CLAIM_VALIDATION:acr:invalid',
    ],
    [
      'no pid',
      { audience: 'dev-gcp:team:app-b', clientId: 'dev-gcp:team:app-a', claims: { pid: undefined } },
      'ERR_CLAIM_VALIDATION:pid:missing',
    ],
  ])('refuses %s', async (_what, mint, expected) => {
    const token = await idp.mintTokenXToken({ pid, ...mint });
    const outcome = await validatorB.validate(token).then(
      () => 'accepted',
      (error: { code: string; claim?: string; reason: string }) => `${error.code}:${error.claim}:${error.reason}`,
    );
    expect(outcome).toBe(expected);
  });

  it('refuses an ID-porten token: another issuer, another key', async () => {
    await expect(validatorB.validate(await citizenToken())).rejects.toMatchObject({
      code: expect.stringMatching(/ERR_TOKEN_INVALID|ERR_CLAIM_VALIDATION/),
    });
  });

  it("accepts substantial with requiredLoginLevel: 'substantial'", async () => {
    const relaxed = createTokenXTokenValidator({ config: parseTokenXConfig(appB.env), requiredLoginLevel: 'substantial' });
    const token = await idp.mintTokenXToken({ audience: 'dev-gcp:team:app-b', clientId: 'dev-gcp:team:app-a', pid, acr: 'Level3' });
    expect((await relaxed.validate(token)).loginLevel).toBe('substantial');
  });
});

describe('createIdportenTokenValidator', () => {
  it('validates ID-porten tokens from the IDPORTEN_* environment: high by default, substantial on request', async () => {
    const { env } = idp.registerIdportenClient({ clientId: 'idporten-client-9' });
    const validator = createIdportenTokenValidator({ env });
    const high = await validator.validate(await idp.mintIdportenToken({ audience: 'idporten-client-9', pid }));
    expect(high).toMatchObject({ pid, loginLevel: 'high', acr: 'idporten-loa-high', issuer: idp.idporten.issuer });
    expect(JSON.stringify(high)).not.toContain(pid);
    const substantial = await idp.mintIdportenToken({ audience: 'idporten-client-9', pid, acr: 'idporten-loa-substantial' });
    await expect(validator.validate(substantial)).rejects.toMatchObject({ claim: 'acr', reason: 'insufficient' });
    const relaxed = createIdportenTokenValidator({ config: parseIdportenConfig(env), requiredLoginLevel: 'substantial' });
    expect((await relaxed.validate(substantial)).loginLevel).toBe('substantial');
    await expect(validator.validate(await idp.mintIdportenToken({ audience: 'someone-else', pid }))).rejects.toMatchObject({
      claim: 'aud',
      reason: 'mismatch',
    });
  });

  it('refuses a TokenX token, and an ID token (no client_id)', async () => {
    const { env } = idp.registerIdportenClient({ clientId: 'idporten-client-10' });
    const validator = createIdportenTokenValidator({ env });
    const tokenX = await idp.mintTokenXToken({ audience: 'idporten-client-10', clientId: 'dev-gcp:team:app-a', pid });
    await expect(validator.validate(tokenX)).rejects.toMatchObject({
      code: expect.stringMatching(/ERR_TOKEN_INVALID|ERR_CLAIM_VALIDATION/),
    });
    const idToken = await idp.mintIdportenToken({ audience: 'idporten-client-10', pid, claims: { client_id: undefined, nonce: 'n' } });
    await expect(validator.validate(idToken)).rejects.toMatchObject({ claim: 'client_id', reason: 'missing' });
  });
});
