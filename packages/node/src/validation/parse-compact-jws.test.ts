import { isStrictBase64Url } from '@nav-auth/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCompactJws } from './parse-compact-jws.js';

const header = Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url');
const algorithms = new Set(['RS256']);

function structurallyAccepted(token: string): boolean {
  try {
    parseCompactJws(token, { algorithms });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_TOKEN_INVALID') throw error;
    return false;
  }
}

describe('parseCompactJws', () => {
  it("decides base64url strictness exactly as core's reference check, on arbitrary segments (property)", () => {
    const segment = fc.string({ unit: fc.constantFrom(...'AQgw_-+/= \n?é\u0000#'), maxLength: 10 });
    fc.assert(
      fc.property(segment, fc.string({ unit: fc.constantFrom(...'AQgw_-+/= ?'), minLength: 1, maxLength: 10 }), (payload, signature) => {
        const expected = isStrictBase64Url(payload) && isStrictBase64Url(signature);
        expect(structurallyAccepted(`${header}.${payload}.${signature}`)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('returns the parts of a good token and reuses a checked header', () => {
    const headerCache = new Map();
    const jws = parseCompactJws(`${header}.e30.AAAA`, { algorithms, headerCache });
    expect(jws).toMatchObject({ alg: 'RS256', kid: 'k', signingInput: `${header}.e30` });
    expect(jws.payload.toString()).toBe('{}');
    expect(headerCache.size).toBe(1);
    expect(parseCompactJws(`${header}.e30.AAAA`, { algorithms, headerCache }).header).toBe(jws.header);
  });
});
