const alphabet = /^[A-Za-z0-9_-]*$/;

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
  if (!alphabet.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return encodeBase64Url(bytes) === text ? bytes : undefined;
}

/** Encodes a UTF-8 string as unpadded base64url. */
export function encodeBase64UrlText(text: string): string {
  return encodeBase64Url(new TextEncoder().encode(text));
}
