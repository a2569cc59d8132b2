import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { nodeEcJwk, nodeRsaJwk } from '../../test/support/keys.js';
import { loadWycheproof } from '../../test/support/shared-testdata.js';
import { isNavAuthError, type KeyErrorReason } from '../error/nav-auth-error.js';
import { parsePrivateJwk, parsePublicJwk, toPublicJwk } from './jwk.js';

const rsa = nodeRsaJwk('rsa-1');
const ec = nodeEcJwk('ec-1');
const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rsaPublic } = rsa;

function refusal(parse: () => unknown): KeyErrorReason | undefined {
  const error = caught(parse);
  return isNavAuthError(error, 'ERR_KEY') ? error.reason : undefined;
}

describe('parsePrivateJwk', () => {
  it('accepts RSA and P-256 keys from node:crypto, as objects or JSON text', () => {
    expect(parsePrivateJwk(rsa).kty).toBe('RSA');
    expect(parsePrivateJwk(JSON.stringify(ec)).kty).toBe('EC');
  });

  it('refuses unsafe and malformed keys with a reason (E08)', () => {
    const cases: Array<[string, unknown, KeyErrorReason]> = [
      ['not JSON', '{"kty":', 'malformed'],
      ['an array', [rsa], 'malformed'],
      ['a symmetric key', { kty: 'oct', k: 'AAAA', kid: 'h' }, 'unsupported_type'],
      ['an unknown kty', { ...rsa, kty: 'OKP' }, 'unsupported_type'],
      ['RSA under 2048 bits', nodeRsaJwk('small', 1024), 'weak_key'],
      ['RSA with e = 1', { ...rsa, e: 'AQ' }, 'weak_key'],
      ['RSA with an even exponent', { ...rsa, e: 'AQAA' }, 'weak_key'],
      ['no kid', { ...rsa, kid: undefined }, 'missing_kid'],
      ['an empty kid', { ...rsa, kid: '' }, 'malformed'],
      ['no d', rsaPublic, 'not_private'],
      ['a P-384 key', nodeEcJwk('ec-384', 'P-384'), 'unsupported_type'],
      ['HS256 as alg', { ...rsa, alg: 'HS256' }, 'unsupported_algorithm'],
      ['ES256 on an RSA key', { ...rsa, alg: 'ES256' }, 'unsupported_algorithm'],
      ['use "enc"', { ...rsa, use: 'enc' }, 'unsupported_algorithm'],
      ['non-canonical base64url in n', { ...rsa, n: `${rsa.n as string}=` }, 'malformed'],
      ['whitespace in n', { ...rsa, n: ` ${rsa.n as string}` }, 'malformed'],
      ['a multi-prime key', { ...rsa, oth: [] }, 'unsupported_type'],
    ];
    for (const [name, input, reason] of cases) {
      expect(
        refusal(() => parsePrivateJwk(input)),
        name,
      ).toBe(reason);
    }
  });

  it('does not require kid when told so', () => {
    expect(parsePrivateJwk({ ...rsa, kid: undefined }, { requireKid: false }).kid).toBeUndefined();
  });
});

describe('parsePublicJwk', () => {
  it('accepts a public key and refuses one that carries private members', () => {
    expect(parsePublicJwk(rsaPublic).kty).toBe('RSA');
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
      expect(
        refusal(() => parsePublicJwk({ ...rsaPublic, [member]: 'AQAB' })),
        member,
      ).toBe('private_members');
    }
  });

  it('refuses kid only when required', () => {
    const { kid: _kid, ...anonymous } = rsaPublic;
    expect(parsePublicJwk(anonymous).kid).toBeUndefined();
    expect(refusal(() => parsePublicJwk(anonymous, { requireKid: true }))).toBe('missing_kid');
  });

  it('accepts a 3072-bit modulus with an exponent other than 65537', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 0x10001 + 2 });
    expect(parsePublicJwk(publicKey.export({ format: 'jwk' })).kty).toBe('RSA');
  });
});

describe('toPublicJwk', () => {
  it('keeps public members only', () => {
    const publicJwk = toPublicJwk(parsePrivateJwk({ ...rsa, alg: 'RS256', use: 'sig' }));
    expect(Object.keys(publicJwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(Object.keys(toPublicJwk(parsePrivateJwk(ec))).sort()).toEqual(['crv', 'kid', 'kty', 'x', 'y']);
  });
});

// Wycheproof json_web_key_test.json: every key it marks invalid for a key-level reason must be
// refused at parse time. Vectors about signatures or key sets are exercised by the validator.
const keyGroups = loadWycheproof('json_web_key_test.json');
describe.runIf(keyGroups !== undefined)('Wycheproof JWK vectors', () => {
  const keyOf = (group: NonNullable<typeof keyGroups>[number]): unknown => {
    const set = group.private as { keys?: unknown[] } | undefined;
    return set?.keys?.[0];
  };
  const keyLevel: Record<number, string> = {
    6: 'RSA key with use "enc" / alg RSA1_5',
    7: 'ROCA modulus (CVE-2017-15361)',
    8: '1024-bit RSA',
    9: 'public exponent 1',
    10: 'short HS256 key (symmetric)',
    11: 'short HS384 key (symmetric)',
    12: 'short HS512 key (symmetric)',
    16: 'empty HS256 key',
    17: 'empty HS384 key',
    18: 'empty HS512 key',
    19: 'ES521 on a P-256 key',
    20: 'ES224 on a P-256 key',
    21: 'EC key with use "enc"',
    23: 'P-256 coordinates labelled P-384',
    24: 'EC members labelled RSA',
    25: 'AES-GCM key',
    26: 'AES-KW key',
  };

  for (const group of keyGroups ?? []) {
    for (const test of group.tests) {
      const why = keyLevel[test.tcId];
      if (why === undefined) continue;
      it(`tc${test.tcId} (${test.comment}): refuses ${why}`, () => {
        expect(test.result).toBe('invalid');
        expect(refusal(() => parsePrivateJwk(keyOf(group), { requireKid: false }))).toBeDefined();
      });
    }
  }

  it('tc5: accepts the valid RS256 key', () => {
    const group = (keyGroups ?? []).find((g) => g.tests.some((t) => t.tcId === 5));
    expect(group).toBeDefined();
    expect(parsePrivateJwk(keyOf(group as NonNullable<typeof group>)).kty).toBe('RSA');
  });
});
