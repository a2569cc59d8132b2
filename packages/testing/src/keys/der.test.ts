import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { der, derLength, toPem } from './der.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Reads DER length octets back (X.690 §8.1.3), to check the encoder against the rule rather than examples. */
function readLength(octets: Uint8Array): number {
  const first = octets[0] as number;
  if (first < 0x80) return first;
  return [...octets.subarray(1, 1 + (first & 0x7f))].reduce((value, octet) => value * 256 + octet, 0);
}

describe('derLength', () => {
  it('uses the short form below 128 and the minimal long form above', () => {
    expect(hex(derLength(0))).toBe('00');
    expect(hex(derLength(127))).toBe('7f');
    expect(hex(derLength(128))).toBe('8180');
    expect(hex(derLength(256))).toBe('820100');
    expect(hex(derLength(65_535))).toBe('82ffff');
    expect(() => derLength(-1)).toThrow(RangeError);
  });

  it('round-trips every length, with no leading zero octet in the long form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (length) => {
        const octets = derLength(length);
        expect(readLength(octets)).toBe(length);
        if (length >= 0x80) expect(octets[1]).not.toBe(0);
      }),
    );
  });
});

describe('der', () => {
  it('encodes object identifiers (X.690 §8.19)', () => {
    expect(hex(der.oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(der.oid('2.5.29.17'))).toBe('0603551d11');
    expect(hex(der.oid('1.3.6.1.5.5.7.3.1'))).toBe('06082b06010505070301');
    for (const bad of ['1', '3.1', '1.40', '1.2.x', '']) expect(() => der.oid(bad)).toThrow(TypeError);
  });

  it('encodes unsigned integers minimally, with a zero octet before a set top bit (X.690 §8.3)', () => {
    expect(hex(der.integer([0x80]))).toBe('02020080');
    expect(hex(der.integer([0, 0, 1]))).toBe('020101');
    expect(hex(der.integer([]))).toBe('020100');
    expect(hex(der.integer([2]))).toBe('020102');
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(der.time(new Date('2049-12-31T23:59:59Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(der.time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
    expect(() => der.time(new Date('1949-12-31T23:59:59Z'))).toThrow(RangeError);
  });

  it('encodes the other primitives a certificate uses', () => {
    expect(hex(der.bitString([0x06], 1))).toBe('03020106');
    expect(hex(der.boolean(true))).toBe('0101ff');
    expect(hex(der.null())).toBe('0500');
    expect(hex(der.utf8String('å'))).toBe('0c02c3a5');
    expect(hex(der.sequence(der.null(), der.boolean(false)))).toBe('30050500010100');
    expect(hex(der.explicit(3, der.null()))).toBe('a3020500');
    expect(hex(der.implicit(7, [127, 0, 0, 1]))).toBe('87047f000001');
  });
});

describe('toPem', () => {
  it('armours DER in 64-character base64 lines (RFC 7468 §2)', () => {
    const pem = toPem('CERTIFICATE', new Uint8Array(100).fill(1));
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(lines.slice(1, -1).map((line) => line.length)).toEqual([64, 64, 8]);
    expect(Buffer.from(lines.slice(1, -1).join(''), 'base64')).toEqual(Buffer.alloc(100, 1));
  });
});
