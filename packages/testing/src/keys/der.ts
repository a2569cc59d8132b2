// A minimal DER (ITU-T X.690) encoder: only the types an X.509 v3 certificate needs
// (RFC 5280 §4.1), so the IdP can issue throwaway certificates without a dependency.

type Bytes = Uint8Array | readonly number[];

const bytes = (content: Bytes) => (content instanceof Uint8Array ? content : Uint8Array.from(content));

/** The DER length octets (X.690 §8.1.3): short form below 128, else long form. */
export function derLength(length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('a DER length is a non-negative integer');
  if (length < 0x80) return Buffer.from([length]);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

/** One tag-length-value element. */
function tlv(tag: number, content: Bytes): Buffer {
  const value = bytes(content);
  return Buffer.concat([Buffer.from([tag]), derLength(value.length), value]);
}

/** An unsigned big-endian integer as a DER INTEGER: minimal octets, a 0x00 prefix when the top bit is set (X.690 §8.3). */
function unsignedInteger(value: Bytes): Buffer {
  let octets = Buffer.from(bytes(value));
  while (octets.length > 1 && octets[0] === 0) octets = octets.subarray(1);
  if (octets.length === 0) octets = Buffer.from([0]);
  return tlv(0x02, (octets[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), octets]) : octets);
}

/** An OBJECT IDENTIFIER from its dotted form (X.690 §8.19): the first two arcs share an octet, then base-128 arcs. */
function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => {
    if (!/^[0-9]+$/.test(arc)) throw new TypeError(`not an OID: ${dotted}`);
    return Number(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) throw new TypeError(`not an OID: ${dotted}`);
  const octets: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const groups = [arc % 128];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) groups.unshift((value % 128) | 0x80);
    octets.push(...groups);
  }
  return tlv(0x06, octets);
}

/** UTCTime through 2049, GeneralizedTime from 2050, both in UTC to the second (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new RangeError('certificate dates must fall in 1950-9999');
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'latin1')) : tlv(0x18, Buffer.from(digits, 'latin1'));
}

/** A BIT STRING of whole octets; `unusedBits` counts the padding bits of the last octet (X.690 §8.6). */
function bitString(content: Bytes, unusedBits = 0): Buffer {
  return tlv(0x03, [unusedBits, ...bytes(content)]);
}

/** The DER encoders an X.509 certificate is built from. */
export const der = {
  sequence: (...items: readonly Buffer[]) => tlv(0x30, Buffer.concat(items)),
  set: (...items: readonly Buffer[]) => tlv(0x31, Buffer.concat(items)),
  integer: unsignedInteger,
  oid: objectIdentifier,
  null: () => Buffer.from([0x05, 0x00]),
  boolean: (value: boolean) => tlv(0x01, [value ? 0xff : 0x00]),
  bitString,
  octetString: (content: Bytes) => tlv(0x04, content),
  utf8String: (text: string) => tlv(0x0c, Buffer.from(text, 'utf8')),
  time,
  /** `[n] EXPLICIT`: a constructed context-specific tag around one element. */
  explicit: (tagNumber: number, element: Buffer) => tlv(0xa0 | tagNumber, element),
  /** `[n] IMPLICIT` over a primitive type: a context-specific tag in place of the type's own. */
  implicit: (tagNumber: number, content: Bytes) => tlv(0x80 | tagNumber, content),
};

/** Wraps DER in PEM armour (RFC 7468 §2): base64 in 64-character lines. */
export function toPem(label: string, derBytes: Uint8Array): string {
  const base64 = Buffer.from(derBytes).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
