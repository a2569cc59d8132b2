import { createPublicKey, type KeyObject, verify as verifySignature } from 'node:crypto';
import { describeUnexpected, oneOf, SerdeJsonError, SerdeJsonReader } from './serde-json-reader.js';
import { type HttpPolicy, sendUpstream, UpstreamBodyError, UpstreamRequestError } from './texas-http-client.js';

/** A JWKS problem or a refused token, worded as nais/texas `src/oauth/token.rs` `Error` displays it. */
export class TexasJwksError extends Error {}

/** jsonwebtoken 10's `Algorithm` names, in its declaration order. */
const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'ES256', 'ES384', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];
const CURVES = ['P-256', 'P-384', 'P-521', 'Ed25519'];
const LEEWAY_SECONDS = 60;
const U64_MAX = 18446744073709551615n;

type Family = 'rsa' | 'ec' | 'ed' | 'hmac';

interface PublicKey {
  readonly family: Family;
  /** For RSA: the modulus and exponent, made into a key when a token is checked (as jsonwebtoken does). */
  readonly rsa?: { readonly n: string; readonly e: string };
}

const B64_ALPHABET = /[A-Za-z0-9_-]/;

/** base64 0.22 `URL_SAFE_NO_PAD.decode`, with its error texts. */
export function decodeBase64Url(input: string): Uint8Array {
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    if (!B64_ALPHABET.test(ch)) {
      if (ch === '=' && /^=+$/.test(input.slice(i)) && i % 4 >= 2) throw new Error('Invalid padding');
      throw new Error(`Invalid symbol ${input.charCodeAt(i)}, offset ${i}.`);
    }
  }
  if (input.length % 4 === 1) throw new Error(`Invalid input length: ${input.length}`);
  const bytes = Buffer.from(input, 'base64url');
  // A last symbol whose unused bits are not zero is not canonical, and base64 refuses it.
  if (input.length % 4 !== 0 && Buffer.from(bytes).toString('base64url') !== input) {
    const last = input.length - 1;
    throw new Error(`Invalid last symbol ${input.charCodeAt(last)}, offset ${last}.`);
  }
  return new Uint8Array(bytes);
}

function jwtBase64(input: string, context: 'token header' | 'token'): Uint8Array {
  try {
    return decodeBase64Url(input);
  } catch (error) {
    throw new TexasJwksError(`invalid ${context}: Base64 error: ${(error as Error).message}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** jsonwebtoken's `JwkSet` deserialization: `undefined` when serde would refuse it. */
function parseJwkSet(bytes: Uint8Array): Record<string, unknown>[] | undefined {
  let document: unknown;
  try {
    const reader = new SerdeJsonReader(bytes);
    document = reader.value();
    reader.end();
  } catch {
    return undefined;
  }
  if (!isObject(document) || !Array.isArray(document.keys)) return undefined;
  const keys = document.keys as unknown[];
  for (const key of keys) {
    if (!isObject(key)) return undefined;
    const optional = (name: string, check: (value: unknown) => boolean) =>
      key[name] === undefined || key[name] === null || check(key[name]);
    const string = (value: unknown) => typeof value === 'string';
    const common =
      optional('use', string) &&
      optional('key_ops', isStringArray) &&
      optional('alg', string) &&
      optional('kid', string) &&
      optional('x5u', string) &&
      optional('x5c', isStringArray) &&
      optional('x5t', string) &&
      optional('x5t#S256', string);
    const params =
      (key.kty === 'RSA' && string(key.n) && string(key.e)) ||
      (key.kty === 'EC' && CURVES.includes(key.crv as string) && string(key.x) && string(key.y)) ||
      (key.kty === 'oct' && string(key.k)) ||
      (key.kty === 'OKP' && CURVES.includes(key.crv as string) && string(key.x));
    if (!common || !params) return undefined;
  }
  return keys as Record<string, unknown>[];
}

/** `DecodingKey::from_jwk`: the key's family, its parts checked as base64url. */
function decodingKey(jwk: Record<string, unknown>): PublicKey {
  const parts = jwk.kty === 'RSA' ? ['n', 'e'] : jwk.kty === 'EC' ? ['x', 'y'] : jwk.kty === 'OKP' ? ['x'] : ['k'];
  for (const part of parts) {
    try {
      decodeBase64Url(jwk[part] as string);
    } catch (error) {
      throw new TexasJwksError(`invalid public jwk: Base64 error: ${(error as Error).message}`);
    }
  }
  if (jwk.kty === 'RSA') return { family: 'rsa', rsa: { n: jwk.n as string, e: jwk.e as string } };
  if (jwk.kty === 'EC') return { family: 'ec' };
  return { family: jwk.kty === 'OKP' ? 'ed' : 'hmac' };
}

/** Reads the JSON of a token header as jsonwebtoken's `Header` does; throws the serde_json error. */
function parseHeader(bytes: Uint8Array): { alg: string; kid: string | undefined } {
  const reader = new SerdeJsonReader(bytes);
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x7b) throw reader.invalidType('struct Header');
  reader.enter();
  reader.eat();
  const strings = ['typ', 'cty', 'jku', 'kid', 'x5u', 'x5t', 'x5t#S256', 'url', 'nonce', 'enc', 'zip'];
  const extras: unknown[] = [];
  const seen = new Set<string>();
  let alg: string | undefined;
  let kid: string | undefined;
  try {
    for (let first = true; ; first = false) {
      const key = reader.nextKey(first);
      if (key === undefined) break;
      const known = key === 'alg' || key === 'jwk' || key === 'x5c' || key === 'crit' || strings.includes(key);
      if (known && seen.has(key)) throw SerdeJsonError.custom(`duplicate field \`${key}\``);
      seen.add(key);
      reader.objectColon();
      if (key === 'alg') alg = headerAlgorithm(reader);
      else if (strings.includes(key)) {
        const value = optional(reader, () => headerString(reader));
        if (key === 'kid') kid = value;
      } else if (key === 'x5c' || key === 'crit') {
        optional(reader, () => headerStrings(reader));
      } else {
        const value = reader.value();
        if (key !== 'jwk') extras.push(value);
      }
    }
    if (alg === undefined) throw SerdeJsonError.custom('missing field `alg`');
    const odd = extras.find((value) => typeof value !== 'string');
    if (odd !== undefined) throw SerdeJsonError.custom(`invalid type: ${describeUnexpected(odd)}, expected a string`);
  } catch (error) {
    try {
      reader.endMap();
    } catch {
      // the first error wins
    }
    throw reader.fix(error);
  }
  reader.leave();
  reader.endMap();
  reader.end();
  return { alg, kid };
}

/** serde_json's `deserialize_option`: `null` is `None`, anything else is read by `some`. */
function optional<T>(reader: SerdeJsonReader, some: () => T): T | undefined {
  if (reader.whitespace() !== 0x6e) return some();
  reader.eat();
  reader.ident('ull');
  return undefined;
}

function headerString(reader: SerdeJsonReader): string {
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x22) throw reader.invalidType('a string');
  reader.eat();
  return reader.string();
}

/** A `Vec<String>` member (`x5c`, `crit`). */
function headerStrings(reader: SerdeJsonReader): string[] {
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x5b) throw reader.invalidType('a sequence');
  reader.enter();
  reader.eat();
  const values: string[] = [];
  for (let i = 0; reader.hasNextElement(i === 0); i++) values.push(headerString(reader));
  reader.leave();
  reader.endSeq();
  return values;
}

function headerAlgorithm(reader: SerdeJsonReader): string {
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x22) throw reader.peekError('expected value');
  reader.eat();
  const name = reader.string();
  if (!JWT_ALGORITHMS.includes(name))
    throw reader.fix(SerdeJsonError.custom(`unknown variant \`${name}\`, expected ${oneOf(JWT_ALGORITHMS)}`));
  return name;
}

/** `rsplitn(2, '.')` twice, as jsonwebtoken's `expect_two!` splits a token: header, payload, signature. */
function splitToken(token: string): { header: string; payload: string; signature: string; message: string } {
  const last = token.lastIndexOf('.');
  if (last < 0) throw new TexasJwksError('InvalidToken');
  const message = token.slice(0, last);
  const middle = message.lastIndexOf('.');
  if (middle < 0) throw new TexasJwksError('InvalidToken');
  return { header: message.slice(0, middle), payload: message.slice(middle + 1), signature: token.slice(last + 1), message };
}

/** `decode_header`, its failures as "invalid token header: ..." (`Error::InvalidTokenHeader`). */
function decodeHeader(token: string): { alg: string; kid: string | undefined } {
  let parts: ReturnType<typeof splitToken>;
  try {
    parts = splitToken(token);
  } catch {
    throw new TexasJwksError('invalid token header: InvalidToken');
  }
  const bytes = jwtBase64(parts.header, 'token header');
  try {
    return parseHeader(bytes);
  } catch (error) {
    if (error instanceof SerdeJsonError) throw new TexasJwksError(`invalid token header: JSON error: ${error.text}`);
    throw error;
  }
}

type Parsed<T> = { readonly state: 'parsed'; readonly value: T } | { readonly state: 'failed' } | { readonly state: 'absent' };

/** jsonwebtoken's `numeric_type` for `exp` and `nbf`: a u64, or a float rounded into one. */
function numeric(value: unknown, lexeme: string | undefined): Parsed<number> {
  if (value === undefined) return { state: 'absent' };
  if (typeof value !== 'number' || lexeme === undefined) return { state: 'failed' };
  // An integer past u64 is parsed as a float, and no float from 2^64 on fits.
  if (/^[0-9]+$/.test(lexeme)) return BigInt(lexeme) <= U64_MAX ? { state: 'parsed', value } : { state: 'failed' };
  // A negative integer reaches `visit_i64`, which the visitor does not take.
  if (/^-[0-9]+$/.test(lexeme) && lexeme !== '-0') return { state: 'failed' };
  return Number.isFinite(value) && value >= 0 && value < 2 ** 64 ? { state: 'parsed', value: Math.round(value) } : { state: 'failed' };
}

/** `TryParse<Issuer>` / `TryParse<Audience>`: one string, or an array of strings. */
function stringOrSet(value: unknown): Parsed<readonly string[]> {
  if (value === undefined || value === null) return { state: 'absent' };
  if (typeof value === 'string') return { state: 'parsed', value: [value] };
  if (isStringArray(value)) return { state: 'parsed', value: value as string[] };
  return { state: 'failed' };
}

/** Reads the claims as `HashMap<String, Value>`, keeping each top-level member's number text for the checks that need it. */
function parseClaims(bytes: Uint8Array): { claims: Record<string, unknown>; numbers: Map<string, string> } {
  const reader = new SerdeJsonReader(bytes);
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x7b) throw reader.invalidType('a map');
  const claims = reader.value() as Record<string, unknown>;
  reader.end();
  // Again, for the number texts and for `ClaimsForValidation`, which refuses a repeated exp, nbf, sub, iss or aud.
  const numbers = new Map<string, string>();
  const again = new SerdeJsonReader(bytes);
  again.whitespace();
  again.eat();
  const seen = new Set<string>();
  for (let first = true; ; first = false) {
    const key = again.nextKey(first) as string | undefined;
    if (key === undefined) break;
    if (['exp', 'nbf', 'sub', 'iss', 'aud'].includes(key)) {
      if (seen.has(key)) {
        again.whitespace();
        throw again.fix(SerdeJsonError.custom(`duplicate field \`${key}\``));
      }
      seen.add(key);
    }
    again.objectColon();
    again.whitespace();
    const start = again.index;
    again.ignoreValue();
    numbers.set(key, new TextDecoder().decode(bytes.subarray(start, again.index)));
  }
  return { claims, numbers };
}

/**
 * A provider's signing keys and token checks, as Texas' `Jwks` (nais/texas `src/oauth/token.rs`):
 * fetched at startup, fetched again whenever a token names a `kid` it does not hold (no
 * cooldown), and jsonwebtoken 10's validation with Texas' settings: RS256 only, 60 s leeway,
 * `iss`, `exp` and `iat` required (`aud` too, and checked, when an audience is set), `nbf`
 * checked when present, `iat` not in the future.
 */
export class TexasJwks {
  private constructor(
    private readonly issuer: string,
    private readonly endpoint: string,
    private readonly audience: string | undefined,
    private readonly policy: HttpPolicy,
    private keys: ReadonlyMap<string, PublicKey>,
  ) {}

  /** `Jwks::new`: fetches and reads the key set; throws {@link TexasJwksError}. */
  static async load(issuer: string, endpoint: string, audience: string | undefined, policy: HttpPolicy): Promise<TexasJwks> {
    return new TexasJwks(issuer, endpoint, audience, policy, await fetchKeys(endpoint, policy));
  }

  /** `Jwks::validate`: the token's claims, or a {@link TexasJwksError} with Texas' reason. */
  async validate(token: string, nowSeconds: number): Promise<Record<string, unknown>> {
    const { kid } = decodeHeader(token);
    if (kid === undefined) throw new TexasJwksError('missing key id from token header');
    let key = this.keys.get(kid);
    if (key === undefined) {
      this.keys = await fetchKeys(this.endpoint, this.policy);
      key = this.keys.get(kid);
      if (key === undefined) throw new TexasJwksError('token can not be validated with this identity provider');
    }
    const invalid = (kind: string) => new TexasJwksError(`invalid token: ${kind}`);

    // jsonwebtoken `decode`: algorithm, key family, signature, then the claims.
    const { alg } = decodeHeader(token);
    if (alg !== 'RS256') throw invalid('InvalidAlgorithm');
    if (key.family !== 'rsa' || key.rsa === undefined) throw invalid('InvalidKeyFormat');
    const parts = splitToken(token);
    const signature = jwtBase64(parts.signature, 'token');
    let publicKey: KeyObject | undefined;
    try {
      publicKey = createPublicKey({ key: { kty: 'RSA', n: key.rsa.n, e: key.rsa.e }, format: 'jwk' });
    } catch {
      publicKey = undefined;
    }
    if (publicKey === undefined || !verifySignature('RSA-SHA256', Buffer.from(parts.message), publicKey, signature)) {
      throw invalid('InvalidSignature');
    }
    const payload = jwtBase64(parts.payload, 'token');
    let read: ReturnType<typeof parseClaims>;
    try {
      read = parseClaims(payload);
    } catch (error) {
      if (error instanceof SerdeJsonError) throw invalid(`JSON error: ${error.text}`);
      throw error;
    }
    const { claims, numbers } = read;
    const exp = numeric(claims.exp, numbers.get('exp'));
    const nbf = numeric(claims.nbf, numbers.get('nbf'));
    const iss = stringOrSet(claims.iss);
    const aud = stringOrSet(claims.aud);

    // `required_spec_claims` is a HashSet, so Texas' order among several missing claims varies; this is one order.
    if (iss.state !== 'parsed') throw invalid('Missing required claim: iss');
    if (exp.state !== 'parsed') throw invalid('Missing required claim: exp');
    if (this.audience !== undefined && aud.state !== 'parsed') throw invalid('Missing required claim: aud');
    if (nbf.state === 'failed') throw invalid('Invalid format for claim: nbf');
    if (exp.value < nowSeconds - LEEWAY_SECONDS) throw invalid('ExpiredSignature');
    if (nbf.state === 'parsed' && nbf.value > nowSeconds + LEEWAY_SECONDS) throw invalid('ImmatureSignature');
    if (!iss.value.includes(this.issuer)) throw invalid('InvalidIssuer');
    if (this.audience !== undefined && aud.state === 'parsed' && !aud.value.includes(this.audience)) throw invalid('InvalidAudience');

    // Texas checks `iat` itself: `Value::as_u64`, so a whole non-negative number, at most 60 s ahead.
    const iatText = numbers.get('iat');
    if (iatText === undefined || !/^[0-9]+$/.test(iatText) || BigInt(iatText) > U64_MAX) throw invalid('Missing required claim: iat');
    if (Number(iatText) > nowSeconds + LEEWAY_SECONDS) throw invalid('ImmatureSignature');
    return claims;
  }
}

/** GETs and reads a key set; every failure is a {@link TexasJwksError} worded as `token::Error`. */
async function fetchKeys(endpoint: string, policy: HttpPolicy): Promise<ReadonlyMap<string, PublicKey>> {
  let bytes: Uint8Array;
  try {
    const response = await sendUpstream(policy, endpoint, { method: 'GET', headers: { accept: 'application/json' } });
    bytes = await response.body();
  } catch (error) {
    if (error instanceof UpstreamRequestError) throw new TexasJwksError(`fetch: ${error.debug}`);
    if (error instanceof UpstreamBodyError) throw new TexasJwksError(`decode json: ${error.message}`);
    throw error;
  }
  const jwks = parseJwkSet(bytes);
  if (jwks === undefined) throw new TexasJwksError('decode json: error decoding response body');
  const keys = new Map<string, PublicKey>();
  for (const jwk of jwks) {
    if (typeof jwk.kid !== 'string') throw new TexasJwksError('json web key set has key with blank key id');
    keys.set(jwk.kid, decodingKey(jwk));
  }
  return keys;
}
