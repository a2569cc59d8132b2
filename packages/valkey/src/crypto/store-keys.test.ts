import { generateKeyPairSync } from 'node:crypto';
import { isNavAuthError } from '@nav-auth/core';
import { describe, expect, it } from 'vitest';
import { deriveStoreKeys, jwkKeyMaterial } from './store-keys.js';

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const configProblem = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isNavAuthError(error, 'ERR_CONFIG')) return { variable: error.problems[0]?.variable, message: error.message };
    throw error;
  }
  throw new Error('no ConfigError');
};

describe('deriveStoreKeys', () => {
  it('derives three distinct 32-byte keys, the same on every replica', () => {
    const secret = 'a shared secret of at least 32 bytes';
    const keys = deriveStoreKeys({ secret });
    expect([keys.index, keys.encryption, keys.tokenTag].map((k) => k.length)).toEqual([32, 32, 32]);
    expect(new Set([keys.index, keys.encryption, keys.tokenTag].map((k) => k.toString('hex'))).size).toBe(3);
    expect(deriveStoreKeys({ secret: Buffer.from(secret) })).toEqual(keys);
  });

  it('prefers the secret to the JWK', () => {
    const secret = new Uint8Array(32).fill(7);
    expect(deriveStoreKeys({ secret, privateJwk: rsa() })).toEqual(deriveStoreKeys({ secret }));
  });

  it('derives from the private JWK whatever its member order or form, and differently after rotation', () => {
    const jwk = rsa() as Record<string, unknown>;
    const keys = deriveStoreKeys({ privateJwk: jwk });
    expect(deriveStoreKeys({ privateJwk: JSON.stringify(Object.fromEntries(Object.entries(jwk).reverse())) })).toEqual(keys);
    // Public members and metadata do not matter; the private ones do.
    expect(deriveStoreKeys({ privateJwk: { ...jwk, kid: 'another-kid', n: 'x', use: 'sig' } })).toEqual(keys);
    expect(deriveStoreKeys({ privateJwk: rsa() }).index.equals(keys.index)).toBe(false);
  });

  it('reads EC and OKP private keys', () => {
    for (const jwk of [
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
      generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }),
    ])
      expect(deriveStoreKeys({ privateJwk: jwk }).index).toHaveLength(32);
  });

  it('refuses to start without usable key material, naming the option and never its value', () => {
    const cases: [object, string][] = [
      [{}, 'secret'],
      [{ secret: 'too short' }, 'secret'],
      [{ secret: new Uint8Array(31) }, 'secret'],
      [{ privateJwk: '{not json' }, 'privateJwk'],
      [{ privateJwk: [] }, 'privateJwk'],
      [{ privateJwk: { kty: 'oct', k: 'A'.repeat(43) } }, 'privateJwk'],
      [{ privateJwk: { kty: 'RSA', n: 'public-only', e: 'AQAB' } }, 'privateJwk'],
      [{ privateJwk: { kty: 'EC', crv: 'P-256', d: 'short' } }, 'privateJwk'],
      [{ privateJwk: { kty: 'RSA', d: 'A'.repeat(300), p: 7 } }, 'privateJwk'],
    ];
    for (const [source, variable] of cases) {
      const problem = configProblem(() => deriveStoreKeys(source));
      expect(problem.variable).toBe(variable);
      expect(problem.message).not.toContain('too short');
      expect(problem.message).not.toContain('AAAA');
    }
  });
});

describe('jwkKeyMaterial', () => {
  it('encodes the private members with length prefixes, so no two keys share an encoding', () => {
    expect(jwkKeyMaterial({ kty: 'EC', crv: 'P-256', d: 'd'.repeat(43) }).toString()).toBe(`2:EC5:P-25643:${'d'.repeat(43)}`);
    expect(jwkKeyMaterial({ kty: 'RSA', d: 'd'.repeat(43), q: 'qq' }).toString()).toBe(`3:RSA43:${'d'.repeat(43)}~2:qq~~~`);
  });
});
