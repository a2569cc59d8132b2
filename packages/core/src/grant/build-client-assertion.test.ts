import { describe, expect, it } from 'vitest';
import { decodeJws, verifyWithNodeCrypto } from '../../test/support/independent-verifier.js';
import { testSigningKey } from '../../test/support/keys.js';
import { isNavAuthError } from '../error/nav-auth-error.js';
import type { SigningKey } from '../key/signing-key.js';
import { buildClientAssertion, buildTokenXClientAssertion, type ClientAssertionOptions } from './build-client-assertion.js';

const now = new Date('2026-11-22T10:00:00Z');
const iat = now.getTime() / 1000;
const keys = {
  RS256: await testSigningKey('RS256'),
  PS256: await testSigningKey('PS256'),
  ES256: await testSigningKey('ES256'),
};
const tokenEndpoint = 'https://login.microsoftonline.com/62366534-1ec3-4962-8869-9b5535279d0b/oauth2/v2.0/token';

function options(key: SigningKey, overrides: Partial<ClientAssertionOptions> = {}): ClientAssertionOptions {
  return { clientId: 'client-1', audience: tokenEndpoint, key, now, jti: 'f3b1c7c2-1f6a-4a43-8f1e-7c9a2b0e5d11', ...overrides };
}

describe('buildClientAssertion', () => {
  it.each(['RS256', 'PS256', 'ES256'] as const)('signs %s that an independent node:crypto verifier accepts (E07, E10)', async (alg) => {
    const key = keys[alg];
    const assertion = await buildClientAssertion(options(key));
    expect(verifyWithNodeCrypto(assertion, key.publicJwk)).toBe(true);
    const { header, payload, signature } = decodeJws(assertion);
    expect(header).toStrictEqual({ alg, kid: `test-${alg}`, typ: 'JWT' });
    expect(payload).toStrictEqual({
      iss: 'client-1',
      sub: 'client-1',
      aud: tokenEndpoint,
      jti: 'f3b1c7c2-1f6a-4a43-8f1e-7c9a2b0e5d11',
      iat,
      nbf: iat,
      exp: iat + 60,
    });
    if (alg === 'ES256') expect(signature).toHaveLength(64);
    else expect(signature).toHaveLength(256);
  });

  it('gives different PS256 and ES256 signatures each time, both verifying (randomized schemes)', async () => {
    for (const alg of ['PS256', 'ES256'] as const) {
      const a = await buildClientAssertion(options(keys[alg]));
      const b = await buildClientAssertion(options(keys[alg]));
      expect(a).not.toBe(b);
      expect(verifyWithNodeCrypto(b, keys[alg].publicJwk)).toBe(true);
    }
  });

  it('is deterministic for RS256: the same input gives the same bytes', async () => {
    expect(await buildClientAssertion(options(keys.RS256))).toBe(await buildClientAssertion(options(keys.RS256)));
  });

  it('adds x5t#S256 for Entra certificate credentials and optional scopes (E01, seed 004)', async () => {
    const thumbprint = 'a'.repeat(43);
    const { header, payload } = decodeJws(
      await buildClientAssertion(options(keys.PS256, { certificateThumbprint: thumbprint, scopes: ['read', 'write'] })),
    );
    expect(header['x5t#S256']).toBe(thumbprint);
    expect(payload.scope).toBe('read write');
    await expect(buildClientAssertion(options(keys.PS256, { certificateThumbprint: 'abc' }))).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      field: 'certificateThumbprint',
    });
  });

  it('limits the lifetime to 10 minutes (E03)', async () => {
    const { payload } = decodeJws(await buildClientAssertion(options(keys.RS256, { lifetimeSeconds: 600 })));
    expect((payload.exp as number) - (payload.nbf as number)).toBe(600);
    const error = await buildClientAssertion(options(keys.RS256, { lifetimeSeconds: 601 })).catch((e: unknown) => e);
    expect(isNavAuthError(error, 'ERR_INVALID_INPUT')).toBe(true);
  });

  it('refuses a relative audience and an empty jti', async () => {
    await expect(buildClientAssertion(options(keys.RS256, { audience: '/token' }))).rejects.toMatchObject({ field: 'audience' });
    await expect(buildClientAssertion(options(keys.RS256, { jti: '' }))).rejects.toMatchObject({ field: 'jti' });
  });
});

describe('buildTokenXClientAssertion', () => {
  const tokenXEndpoint = 'https://tokenx.dev-gcp.nav.cloud.nais.io/token';
  const base = {
    clientId: 'dev-gcp:team:app-a',
    tokenEndpoint: tokenXEndpoint,
    key: keys.RS256,
    now,
    jti: 'a0f4c9e2-7f55-4a8e-9c0d-2b1e3f4a5c6d',
  };

  it('makes the assertion tokendings checks: iss = sub = client id, aud one string, 30 s by default', async () => {
    const assertion = await buildTokenXClientAssertion(base);
    expect(verifyWithNodeCrypto(assertion, keys.RS256.publicJwk)).toBe(true);
    const { header, payload } = decodeJws(assertion);
    expect(header).toStrictEqual({ alg: 'RS256', kid: 'test-RS256', typ: 'JWT' });
    expect(payload).toStrictEqual({
      iss: 'dev-gcp:team:app-a',
      sub: 'dev-gcp:team:app-a',
      aud: tokenXEndpoint,
      jti: base.jti,
      iat,
      nbf: iat,
      exp: iat + 30,
    });
  });

  it("allows up to 120 s, tokendings' limit, and no more", async () => {
    expect(decodeJws(await buildTokenXClientAssertion({ ...base, lifetimeSeconds: 120 })).payload.exp).toBe(iat + 120);
    await expect(buildTokenXClientAssertion({ ...base, lifetimeSeconds: 121 })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      field: 'lifetimeSeconds',
    });
  });

  it('refuses a client id that is not cluster:namespace:app', async () => {
    await expect(buildTokenXClientAssertion({ ...base, clientId: 'some-client' })).rejects.toMatchObject({ code: 'ERR_SCOPE_NAME' });
  });
});
