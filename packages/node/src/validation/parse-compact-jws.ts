import { isUtf8 } from 'node:buffer';
import { isStrictBase64Url, TokenValidationError } from '@nav-auth/core';
import { hasDuplicateMembersOrDeepNesting } from './duplicate-members.js';

/** A compact JWS taken apart, checked, and not yet verified. */
export interface ParsedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly alg: string;
  readonly kid: string | undefined;
  /** `BASE64URL(header).BASE64URL(payload)`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly payload: Buffer;
  readonly signature: Buffer;
}

/** Limits for {@link parseCompactJws}. */
export interface ParseJwsOptions {
  /** Largest token accepted, in characters (default 16 KiB, Node's default header limit). */
  readonly maxTokenBytes?: number;
  /** Algorithms accepted, from configuration; the header never widens it (RFC 8725 §3.1). */
  readonly algorithms: ReadonlySet<string>;
}

const MAX_JSON_DEPTH = 20;
const MAX_KID_LENGTH = 256;
/** Header members that change how a JWS must be processed; nav-auth supports none of them. */
const REFUSED_HEADER_MEMBERS = ['crit', 'b64', 'cty', 'zip', 'enc'] as const;

const malformed = (detail: string) => new TokenValidationError('malformed', detail);

/** Parses JSON text into an object, refusing invalid UTF-8, a BOM, non-objects, duplicates and deep nesting. */
export function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  if (!isUtf8(bytes)) throw malformed(`${what} is not valid UTF-8`);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw malformed(`${what} starts with a byte order mark`);
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`${what} is not a JSON object`);
  if (hasDuplicateMembersOrDeepNesting(text, MAX_JSON_DEPTH)) throw malformed(`${what} has a duplicate member or nests too deep`);
  return value as Record<string, unknown>;
}

/**
 * Takes a compact JWS apart before any crypto, refusing in O(length) anything that is not
 * exactly three strict base64url segments with a JSON-object header naming an allowed
 * algorithm (catalogue A01, A05, A07, A12-A17, A19). Key-carrying headers (`jwk`, `jku`,
 * `x5u`, `x5c`) are never used (A04): keys come only from the configured key set.
 */
export function parseCompactJws(token: unknown, options: ParseJwsOptions): ParsedJws {
  if (typeof token !== 'string') throw malformed('the token is not a string');
  const max = options.maxTokenBytes ?? 16 * 1024;
  if (token.length > max) throw new TokenValidationError('too_large', `longer than ${max} characters`);
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) throw malformed('a compact JWS has exactly three segments');
  const headerText = token.slice(0, first);
  const payloadText = token.slice(first + 1, second);
  const signatureText = token.slice(second + 1);
  if (headerText.length === 0 || signatureText.length === 0) throw malformed('the header or the signature is empty');
  if (!isStrictBase64Url(headerText) || !isStrictBase64Url(payloadText) || !isStrictBase64Url(signatureText)) {
    throw malformed('a segment is not strict base64url (RFC 7515 §2)');
  }

  const header = parseJsonObject(Buffer.from(headerText, 'base64url'), 'the header');
  const alg = header.alg;
  if (typeof alg !== 'string' || !options.algorithms.has(alg))
    throw new TokenValidationError('unsupported_algorithm', 'alg is not allowed here');
  for (const member of REFUSED_HEADER_MEMBERS) {
    if (header[member] !== undefined) throw new TokenValidationError('unsupported_header', `the "${member}" header is not supported`);
  }
  const kid = header.kid;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    throw malformed(`kid must be a string of 1 to ${MAX_KID_LENGTH} characters`);
  }
  return {
    header,
    alg,
    kid,
    signingInput: token.slice(0, second),
    payload: Buffer.from(payloadText, 'base64url'),
    signature: Buffer.from(signatureText, 'base64url'),
  };
}
