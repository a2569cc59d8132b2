import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidOrganizationNumber, parseOrganizationIdentifier } from './organization-number.js';

describe('isValidOrganizationNumber', () => {
  it('accepts real organisation numbers (NAV, Digdir, the Altinn test org)', () => {
    for (const orgno of ['889640782', '991825827', '313367002', '974760673']) expect(isValidOrganizationNumber(orgno)).toBe(true);
  });

  it('rejects wrong check digits, lengths and non-digits', () => {
    for (const value of ['889640781', '88964078', '8896407820', '88964078a', ' 889640782', 889640782, undefined]) {
      expect(isValidOrganizationNumber(value)).toBe(false);
    }
  });

  it('accepts exactly one check digit for every 8-digit base, or none when mod 11 gives 10 (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{8}$/), (base) => {
        const valid = [...'0123456789'].filter((digit) => isValidOrganizationNumber(base + digit));
        expect(valid.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseOrganizationIdentifier', () => {
  it('strips 0192: from a valid identifier and refuses anything else', () => {
    expect(parseOrganizationIdentifier('0192:889640782')).toBe('889640782');
    for (const value of ['889640782', '0192:889640781', '0193:889640782', '0192: 889640782', null]) {
      expect(parseOrganizationIdentifier(value)).toBeUndefined();
    }
  });
});
