import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { caughtAsync } from '../../test/support/caught.js';
import { verifyWithNodeCrypto } from '../../test/support/independent-verifier.js';
import { nodeEcJwk, nodeRsaJwk } from '../../test/support/keys.js';
import { loadWycheproof } from '../../test/support/shared-testdata.js';
import { signCompactJws } from '../jws/sign-compact-jws.js';
import { buildJwks } from './build-jwks.js';
import { generateSigningKey } from './generate-signing-key.js';
import { importSigningKey } from './signing-key.js';

const rsa = nodeRsaJwk('rsa-1');
const payload = new TextEncoder().encode('{"x":1}');

describe('importSigningKey', () => {
  it('defaults the algorithm from the key type and honours the JWK alg', async () => {
    expect((await importSigningKey(rsa)).alg).toBe('RS256');
    expect((await importSigningKey(nodeEcJwk('ec'))).alg).toBe('ES256');
    expect((await importSigningKey({ ...rsa, alg: 'PS256' })).alg).toBe('PS256');
  });

  it('refuses an algorithm that contradicts the JWK or the key type', async () => {
    await expect(importSigningKey({ ...rsa, alg: 'RS256' }, { alg: 'PS256' })).rejects.toMatchObject({ code: 'ERR_KEY' });
    await expect(importSigningKey(rsa, { alg: 'ES256' })).rejects.toMatchObject({ reason: 'unsupported_algorithm' });
  });

  it('refuses a private key whose public members belong to another key, without quoting it (E08)', async () => {
    const other = nodeRsaJwk('rsa-2');
    const error = await caughtAsync(() => importSigningKey({ ...rsa, n: other.n }));
    expect(error).toMatchObject({ code: 'ERR_KEY', reason: 'import_failed' });
    for (const secret of [rsa.d, rsa.p, rsa.q, rsa.dp]) {
      expect(inspect(error)).not.toContain(secret as string);
      expect(JSON.stringify(error)).not.toContain(secret as string);
    }
  });

  it('keeps the private key non-extractable and out of its printed form', async () => {
    const key = await importSigningKey(rsa);
    expect(key.cryptoKey.extractable).toBe(false);
    expect(JSON.stringify(key)).not.toContain(rsa.d as string);
    expect(inspect(key, { depth: 5 })).not.toContain(rsa.d as string);
  });

  const keyGroups = loadWycheproof('json_web_key_test.json');
  it.runIf(keyGroups !== undefined)('refuses Wycheproof tc22, a P-256 point off the curve', async () => {
    const group = keyGroups?.find((g) => g.tests.some((t) => t.tcId === 22));
    const jwk = (group?.private as { keys: unknown[] } | undefined)?.keys[0];
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    await expect(importSigningKey(jwk)).rejects.toMatchObject({ code: 'ERR_KEY' });
  });
});

describe('generateSigningKey', () => {
  it.each(['RS256', 'PS256', 'ES256'] as const)('generates a %s pair that signs and verifies independently', async (alg) => {
    const { privateJwk, publicJwk } = await generateSigningKey({ alg });
    expect(publicJwk).not.toHaveProperty('d');
    expect(publicJwk.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(privateJwk).toMatchObject({ alg, use: 'sig', kid: publicJwk.kid });
    const key = await importSigningKey(privateJwk);
    const jws = await signCompactJws({ alg, kid: key.kid }, payload, key);
    expect(verifyWithNodeCrypto(jws, publicJwk)).toBe(true);
  });

  it('uses the given kid and modulus length', async () => {
    const { publicJwk } = await generateSigningKey({ alg: 'RS256', kid: 'k1', modulusLength: 3072 });
    expect(publicJwk.kid).toBe('k1');
    expect(Buffer.from((publicJwk as { n: string }).n, 'base64url').length * 8).toBe(3072);
    await expect(generateSigningKey({ alg: 'RS256', modulusLength: 1024 as 2048 })).rejects.toMatchObject({ field: 'modulusLength' });
    await expect(generateSigningKey({ alg: 'HS256' as 'RS256' })).rejects.toMatchObject({ field: 'alg' });
  });
});

describe('buildJwks', () => {
  it('emits public members only, even from private keys', async () => {
    const current = await generateSigningKey({ alg: 'PS256', kid: 'current' });
    const next = await generateSigningKey({ alg: 'ES256', kid: 'next' });
    const jwks = buildJwks([current.privateJwk, next.privateJwk]);
    expect(jwks.keys.map((k) => k.kid)).toEqual(['current', 'next']);
    const text = JSON.stringify(jwks);
    for (const member of ['"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"']) expect(text).not.toContain(member);
    expect(text).not.toContain((current.privateJwk as { d: string }).d);
  });

  it('refuses duplicate and missing kids', async () => {
    const a = await generateSigningKey({ alg: 'ES256', kid: 'same' });
    const b = await generateSigningKey({ alg: 'ES256', kid: 'same' });
    expect(() => buildJwks([a.publicJwk, b.publicJwk])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'keys[1].kid' }),
    );
    const { kid: _kid, ...anonymous } = a.publicJwk;
    expect(() => buildJwks([anonymous])).toThrow(expect.objectContaining({ code: 'ERR_KEY', reason: 'missing_kid' }));
  });
});
