import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { type ClaimFailureReason, isNavAuthError } from '../error/nav-auth-error.js';
import { assertGranted, parseScopeClaim, validateAudience, validateIssuer, validateTimeClaims } from './jwt-claims.js';

const NOW = 1_700_000_000;
const now = new Date(NOW * 1000);

function claimFailure(run: () => unknown): { claim: string; reason: ClaimFailureReason } | undefined {
  const error = caught(run);
  if (error === undefined || isNavAuthError(error, 'ERR_CLAIM_VALIDATION'))
    return error as { claim: string; reason: ClaimFailureReason } | undefined;
  throw error;
}

describe('validateTimeClaims', () => {
  const strict = { now, clockToleranceSeconds: 0 };

  it('B01: rejects a missing exp, a past exp and exp == now', () => {
    expect(claimFailure(() => validateTimeClaims({ iat: NOW }, strict))).toMatchObject({ claim: 'exp', reason: 'missing' });
    expect(claimFailure(() => validateTimeClaims({ exp: NOW - 1, iat: NOW - 60 }, strict))).toMatchObject({
      claim: 'exp',
      reason: 'expired',
    });
    expect(claimFailure(() => validateTimeClaims({ exp: NOW, iat: NOW - 60 }, strict))).toMatchObject({ claim: 'exp', reason: 'expired' });
    expect(validateTimeClaims({ exp: NOW + 1, iat: NOW }, strict).expiresAt).toBe(NOW + 1);
  });

  it('B02: rejects nbf in the future beyond skew, accepts nbf == now', () => {
    expect(validateTimeClaims({ exp: NOW + 60, iat: NOW, nbf: NOW }, strict).notBefore).toBe(NOW);
    expect(claimFailure(() => validateTimeClaims({ exp: NOW + 60, iat: NOW, nbf: NOW + 1 }, strict))).toMatchObject({
      claim: 'nbf',
      reason: 'not_yet_valid',
    });
    expect(claimFailure(() => validateTimeClaims({ exp: NOW + 60, iat: NOW }, { ...strict, requireNotBefore: true }))).toMatchObject({
      claim: 'nbf',
      reason: 'missing',
    });
  });

  it('B03: rejects a future iat and, with maxTokenAge, a token too old', () => {
    expect(claimFailure(() => validateTimeClaims({ exp: NOW + 60, iat: NOW + 1 }, strict))).toMatchObject({
      claim: 'iat',
      reason: 'issued_in_future',
    });
    expect(validateTimeClaims({ exp: NOW + 60, iat: NOW - 120 }, { ...strict, maxTokenAgeSeconds: 120 }).issuedAt).toBe(NOW - 120);
    expect(claimFailure(() => validateTimeClaims({ exp: NOW + 60, iat: NOW - 121 }, { ...strict, maxTokenAgeSeconds: 120 }))).toMatchObject(
      {
        claim: 'iat',
        reason: 'too_old',
      },
    );
    expect(claimFailure(() => validateTimeClaims({ exp: NOW + 60 }, strict))).toMatchObject({ claim: 'iat', reason: 'missing' });
    expect(validateTimeClaims({ exp: NOW + 60 }, { ...strict, requireIssuedAt: false }).issuedAt).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['a numeric string', '1700000060'],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a boolean', true],
    ['a negative number', -1],
    ['a number above 2^53', 2 ** 53 + 2],
    ['null', null],
    ['an object', { $date: 1 }],
  ])('B04: rejects %s as a NumericDate', (_name, value) => {
    for (const claim of ['exp', 'nbf', 'iat']) {
      const payload = { exp: NOW + 60, iat: NOW, [claim]: value };
      expect(claimFailure(() => validateTimeClaims(payload, strict))).toMatchObject({ claim, reason: 'invalid' });
    }
  });

  it('B04: accepts a non-integer NumericDate (RFC 7519 §2)', () => {
    expect(validateTimeClaims({ exp: NOW + 0.5, iat: NOW - 0.5 }, strict).expiresAt).toBe(NOW + 0.5);
  });

  it('B05: applies the configured skew exactly at ±skew±1 s', () => {
    const skew = { now, clockToleranceSeconds: 30 };
    expect(validateTimeClaims({ exp: NOW - 29, iat: NOW - 100 }, skew).expiresAt).toBe(NOW - 29);
    expect(claimFailure(() => validateTimeClaims({ exp: NOW - 30, iat: NOW - 100 }, skew))?.reason).toBe('expired');
    expect(validateTimeClaims({ exp: NOW + 100, iat: NOW + 30, nbf: NOW + 30 }, skew).issuedAt).toBe(NOW + 30);
    expect(claimFailure(() => validateTimeClaims({ exp: NOW + 100, iat: NOW + 31 }, skew))?.reason).toBe('issued_in_future');
    expect(claimFailure(() => validateTimeClaims({ exp: NOW + 100, iat: NOW, nbf: NOW + 31 }, skew))?.reason).toBe('not_yet_valid');
  });

  it('B05: refuses a negative, NaN or infinite skew in configuration', () => {
    for (const clockToleranceSeconds of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => validateTimeClaims({ exp: NOW + 60, iat: NOW }, { now, clockToleranceSeconds })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'clockToleranceSeconds' }),
      );
    }
    expect(() => validateTimeClaims({ exp: NOW + 60, iat: NOW }, { now: new Date('nope') })).toThrow(
      expect.objectContaining({ field: 'now' }),
    );
  });

  it('uses a small default skew of 10 s', () => {
    expect(validateTimeClaims({ exp: NOW - 9, iat: NOW - 60 }, { now }).expiresAt).toBe(NOW - 9);
    expect(claimFailure(() => validateTimeClaims({ exp: NOW - 10, iat: NOW - 60 }, { now }))?.reason).toBe('expired');
  });

  it('accepts exactly the tokens inside the window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000, max: 10_000 }),
        fc.integer({ min: -10_000, max: 10_000 }),
        fc.integer({ min: 0, max: 300 }),
        (expOffset, iatOffset, skew) => {
          const payload = { exp: NOW + expOffset, iat: NOW + iatOffset };
          const inside = NOW < payload.exp + skew && payload.iat <= NOW + skew && payload.exp >= payload.iat;
          const failure = claimFailure(() => validateTimeClaims(payload, { now, clockToleranceSeconds: skew }));
          expect(failure === undefined).toBe(inside);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('validateIssuer', () => {
  it('B07: matches exactly, with no trailing-slash or case leniency', () => {
    expect(validateIssuer({ iss: 'https://maskinporten.no/' }, 'https://maskinporten.no/')).toBe('https://maskinporten.no/');
    for (const iss of [
      'https://maskinporten.no',
      'https://Maskinporten.no/',
      'https://test.maskinporten.no/',
      ' https://maskinporten.no/',
    ]) {
      expect(claimFailure(() => validateIssuer({ iss }, 'https://maskinporten.no/'))).toMatchObject({ claim: 'iss', reason: 'mismatch' });
    }
    expect(claimFailure(() => validateIssuer({ iss: ['https://maskinporten.no/'] }, 'https://maskinporten.no/'))?.reason).toBe('invalid');
    expect(claimFailure(() => validateIssuer({}, 'https://maskinporten.no/'))?.reason).toBe('missing');
    expect(() => validateIssuer({ iss: '' }, '')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});

describe('validateAudience', () => {
  it('B06: accepts a matching string or an array containing the expected audience', () => {
    expect(validateAudience({ aud: 'api' }, 'api')).toEqual(['api']);
    expect(validateAudience({ aud: ['other', 'api'] }, 'api')).toEqual(['other', 'api']);
    expect(validateAudience({ aud: 'b' }, ['a', 'b'])).toEqual(['b']);
  });

  it.each<[string, unknown, ClaimFailureReason]>([
    ['an array without it', ['other'], 'mismatch'],
    ['an empty array', [], 'invalid'],
    ['null', null, 'invalid'],
    ['a number member', ['api', 1], 'invalid'],
    ['an object member', [{ aud: 'api' }], 'invalid'],
    ['a nested array', [['api']], 'invalid'],
    ['an empty string', '', 'invalid'],
    ['a different case', 'API', 'mismatch'],
    ['missing', undefined, 'missing'],
  ])('B06: rejects %s', (_name, aud, reason) => {
    expect(claimFailure(() => validateAudience(aud === undefined ? {} : { aud }, 'api'))).toMatchObject({ claim: 'aud', reason });
  });

  it('B06: never lets an empty expected audience match a missing one (CVE-2020-26160)', () => {
    for (const expected of ['', [], ['']]) {
      expect(() => validateAudience({}, expected as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
      expect(() => validateAudience({ aud: '' }, expected as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    }
  });
});

describe('parseScopeClaim and assertGranted', () => {
  it('B09: splits on single spaces and compares exact tokens', () => {
    const scopes = parseScopeClaim({ scope: 'read.all nav:a' }, 'scope');
    expect(scopes).toEqual(['read.all', 'nav:a']);
    expect(() => assertGranted('scope', scopes, ['read'])).toThrow(expect.objectContaining({ reason: 'insufficient' }));
    expect(() => assertGranted('scope', scopes, ['nav'])).toThrow(expect.objectContaining({ reason: 'insufficient' }));
    expect(() => assertGranted('scope', parseScopeClaim({ scope: 'read,write' }, 'scope'), ['read'])).toThrow(
      expect.objectContaining({ reason: 'insufficient' }),
    );
    expect(() => assertGranted('scope', scopes, ['READ.ALL'])).toThrow(expect.objectContaining({ reason: 'insufficient' }));
    assertGranted('scope', scopes, ['nav:a', 'read.all']);
    assertGranted('scope', scopes, ['x', 'nav:a'], 'any');
  });

  it('B09: refuses malformed scope strings', () => {
    for (const scope of ['a  b', ' a', 'a ', 'a\tb', '', ['a']]) {
      expect(claimFailure(() => parseScopeClaim({ scope }, 'scope'))).toMatchObject({ claim: 'scope', reason: 'invalid' });
    }
  });

  it('refuses an empty list of required values instead of granting everything', () => {
    expect(() => assertGranted('roles', ['a'], [])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});
