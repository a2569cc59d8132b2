// core signs with WebCrypto directly; jose (a devDependency only) is the independent referee
// that its JWS output is what every other verifier will accept.
import { calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  buildClientAssertion,
  buildMaskinportenGrant,
  generateSigningKey,
  importSigningKey,
  type SigningAlgorithm,
  type SigningKey,
  signCompactJws,
} from '../src/index.js';
import { nodeEcJwk, nodeRsaJwk, testSigningKey } from './support/keys.js';

const now = new Date('2026-11-22T10:00:00Z');
const jti = 'f3b1c7c2-1f6a-4a43-8f1e-7c9a2b0e5d11';

async function verifyWithJose(jws: string, key: SigningKey) {
  const publicKey = await importJWK({ ...key.publicJwk }, key.alg);
  return compactVerify(jws, publicKey, { algorithms: [key.alg] });
}

describe('core output verified by jose', () => {
  it.each(['RS256', 'RS384', 'RS512', 'PS256', 'ES256'] as const)('signCompactJws %s', async (alg: SigningAlgorithm) => {
    const key = await testSigningKey(alg);
    const payload = new TextEncoder().encode('{"x":"æøå"}');
    const jws = await signCompactJws({ alg, kid: key.kid, typ: 'JWT' }, payload, key);
    const { payload: verified, protectedHeader } = await verifyWithJose(jws, key);
    expect(protectedHeader).toStrictEqual({ alg, kid: key.kid, typ: 'JWT' });
    expect(verified).toStrictEqual(payload);
  });

  it.each(['RS256', 'PS256', 'ES256'] as const)('buildClientAssertion %s', async (alg) => {
    const key = await testSigningKey(alg);
    const assertion = await buildClientAssertion({ clientId: 'client-1', audience: 'https://idp.example/token', key, now, jti });
    await expect(verifyWithJose(assertion, key)).resolves.toMatchObject({ protectedHeader: { alg, kid: key.kid } });
  });

  it('buildMaskinportenGrant, from a key node:crypto generated', async () => {
    const key = await importSigningKey(nodeRsaJwk('mp-1'));
    const grant = await buildMaskinportenGrant({
      clientId: 'client-1',
      issuer: 'https://test.maskinporten.no/',
      scopes: ['nav:test/api'],
      key,
      now,
      jti,
    });
    await expect(verifyWithJose(grant, key)).resolves.toMatchObject({ protectedHeader: { alg: 'RS256', kid: 'mp-1' } });
  });

  it.each(['RS256', 'ES256'] as const)('generateSigningKey %s: the default kid is the RFC 7638 thumbprint', async (alg) => {
    const { publicJwk } = await generateSigningKey({ alg });
    expect(publicJwk.kid).toBe(await calculateJwkThumbprint({ ...publicJwk }, 'sha256'));
  });

  it('refuses to sign with a key made for another algorithm, as jose did', async () => {
    const rs256 = await importSigningKey(nodeRsaJwk('rsa'));
    const es256 = await importSigningKey(nodeEcJwk('ec'));
    const payload = new TextEncoder().encode('{}');
    await expect(signCompactJws({ alg: 'RS384' }, payload, rs256)).rejects.toThrow(TypeError);
    await expect(signCompactJws({ alg: 'PS256' }, payload, rs256)).rejects.toThrow(TypeError);
    await expect(signCompactJws({ alg: 'RS256' }, payload, es256)).rejects.toThrow(TypeError);
    await expect(signCompactJws({ alg: 'HS256' as 'RS256' }, payload, rs256)).rejects.toThrow(TypeError);
  });
});
