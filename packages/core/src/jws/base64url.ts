const alphabet = /^[A-Za-z0-9_-]*$/;
const base64UrlDigits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * True when `text` is unpadded base64url in its one canonical form: only the alphabet (no
 * padding, whitespace or `+/`), a length that is not 4n+1, and zero unused trailing bits
 * (RFC 4648 §3.5). `atob` and `Buffer` accept all of these; JWS must not (RFC 7515 §2,
 * security catalogue A13). O(n), with no decoding.
 */
export function isStrictBase64Url(text: string): boolean {
  return alphabet.test(text) && hasCanonicalBase64UrlEnd(text, 0, text.length);
}

/**
 * For `text[start, end)` already known to hold only base64url characters: true when its
 * length is not 4n+1 and the unused bits of its last character are zero, i.e. it is the one
 * canonical encoding of its bytes (RFC 4648 §3.5).
 */
export function hasCanonicalBase64UrlEnd(text: string, start: number, end: number): boolean {
  const remainder = (end - start) % 4;
  if (remainder === 1) return false;
  if (remainder === 0) return true;
  // The last character carries 4 (length 4n+2) or 2 (length 4n+3) unused low bits.
  const value = base64UrlDigits.indexOf(text.charAt(end - 1));
  return (value & (remainder === 2 ? 0b1111 : 0b11)) === 0;
}

/** Encodes bytes as unpadded base64url (RFC 4648 §5), as JWS requires (RFC 7515 §2). */
export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes unpadded base64url strictly, or returns `undefined`: no padding, no whitespace,
 * no characters outside the alphabet, and only the canonical encoding (unused trailing bits
 * zero). `atob` alone accepts all of these (security catalogue §0.2, Wycheproof tc360/375).
 */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  if (!isStrictBase64Url(text)) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Encodes a UTF-8 string as unpadded base64url. */
export function encodeBase64UrlText(text: string): string {
  return encodeBase64Url(new TextEncoder().encode(text));
}
