import { isUtf8 } from 'node:buffer';
import { hasCanonicalBase64UrlEnd, hasDuplicateMembersOrDeepNesting, TokenValidationError } from '@nav-auth/core';

/**
 * A compact JWS taken apart, checked, and not yet verified.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export interface ParsedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly alg: string;
  readonly kid: string | undefined;
  /** `BASE64URL(header).BASE64URL(payload)`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly payload: Buffer;
  readonly signature: Buffer;
}

/**
 * Limits for {@link parseCompactJws}.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export interface ParseJwsOptions {
  /** Largest token accepted, in characters (default 16 KiB, Node's default header limit). */
  readonly maxTokenBytes?: number;
  /** Algorithms accepted, from configuration; the header never widens it (RFC 8725 §3.1). */
  readonly algorithms: ReadonlySet<string>;
  /**
   * Headers already checked under these same options, by their base64url text. An issuer
   * sends a handful of distinct headers (one per key), so a validator keeps them and skips
   * decoding and checking the header of every token.
   */
  readonly headerCache?: Map<string, CheckedHeader>;
}

/**
 * A header that passed every check.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export interface CheckedHeader {
  readonly header: Readonly<Record<string, unknown>>;
  readonly alg: string;
  readonly kid: string | undefined;
}

const HEADER_CACHE_LIMIT = 64;

const MAX_JSON_DEPTH = 20;
const MAX_KID_LENGTH = 256;
/** Header members that change how a JWS must be processed; nav-auth supports none of them. */
const REFUSED_HEADER_MEMBERS = ['crit', 'b64', 'cty', 'zip', 'enc'] as const;

const malformed = (detail: string) => new TokenValidationError('malformed', detail);
const notBase64Url = () => malformed('a segment is not strict, canonical base64url (RFC 7515 §2, RFC 4648 §3.5)');

/** Decodes a segment whose alphabet and ending were checked; a skipped stray character shows as a short result. */
function decodeSegment(segment: string): Buffer {
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.length !== Math.floor((segment.length * 3) / 4)) throw notBase64Url();
  return bytes;
}

/** Parses JSON text into an object, refusing invalid UTF-8, a BOM, non-objects, duplicates and deep nesting. */
export function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw malformed(`${what} starts with a byte order mark`);
  const text = bytes.toString('utf8');
  // The decoder replaces every invalid sequence with U+FFFD; only a text that has one can
  // have been invalid, so only then are the bytes checked.
  if (text.includes('\uFFFD') && !isUtf8(bytes)) throw malformed(`${what} is not valid UTF-8`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`${what} is not a JSON object`);
  if (hasDuplicateMembersOrDeepNesting(text, value, MAX_JSON_DEPTH)) throw malformed(`${what} has a duplicate member or nests too deep`);
  return value as Record<string, unknown>;
}

function checkHeader(header: Record<string, unknown>, algorithms: ReadonlySet<string>): CheckedHeader {
  const alg = header.alg;
  if (typeof alg !== 'string' || !algorithms.has(alg)) throw new TokenValidationError('unsupported_algorithm', 'alg is not allowed here');
  for (const member of REFUSED_HEADER_MEMBERS) {
    if (header[member] !== undefined) throw new TokenValidationError('unsupported_header', `the "${member}" header is not supported`);
  }
  const kid = header.kid;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    throw malformed(`kid must be a string of 1 to ${MAX_KID_LENGTH} characters`);
  }
  return { header, alg, kid };
}

/**
 * Takes a compact JWS apart before any crypto, refusing in O(length) anything that is not
 * exactly three strict base64url segments with a JSON-object header naming an allowed
 * algorithm (catalogue A01, A05, A07, A12-A17, A19). Key-carrying headers (`jwk`, `jku`,
 * `x5u`, `x5c`) are never used (A04): keys come only from the configured key set.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export function parseCompactJws(token: unknown, options: ParseJwsOptions): ParsedJws {
  if (typeof token !== 'string') throw malformed('the token is not a string');
  const max = options.maxTokenBytes ?? 16 * 1024;
  if (token.length > max) throw new TokenValidationError('too_large', `longer than ${max} characters`);
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) throw malformed('a compact JWS has exactly three segments');
  if (first === 0 || second === token.length - 1) throw malformed('the header or the signature is empty');
  // Strict base64url (RFC 7515 §2), checked with native string search and the decoder itself
  // rather than a regular expression over the whole token, which cost more than all the rest:
  // Buffer decodes the standard alphabet too, so "+", "/" and "=" are refused up front; it
  // skips any other stray character, which the exact decoded lengths below then expose.
  if (token.indexOf('+') >= 0 || token.indexOf('/') >= 0 || token.indexOf('=') >= 0) throw notBase64Url();
  if (
    !hasCanonicalBase64UrlEnd(token, 0, first) ||
    !hasCanonicalBase64UrlEnd(token, first + 1, second) ||
    !hasCanonicalBase64UrlEnd(token, second + 1, token.length)
  ) {
    throw notBase64Url();
  }
  const headerText = token.slice(0, first);
  let checked = options.headerCache?.get(headerText);
  if (checked === undefined) {
    checked = checkHeader(parseJsonObject(decodeSegment(headerText), 'the header'), options.algorithms);
    if (options.headerCache !== undefined) {
      if (options.headerCache.size >= HEADER_CACHE_LIMIT) options.headerCache.clear();
      options.headerCache.set(headerText, checked);
    }
  }
  return {
    header: checked.header,
    alg: checked.alg,
    kid: checked.kid,
    signingInput: token.slice(0, second),
    payload: decodeSegment(token.slice(first + 1, second)),
    signature: decodeSegment(token.slice(second + 1)),
  };
}
