import { importJWK } from 'jose';
import type { JWK } from '../keys/jwk.js';
import { oneOf, SerdeJsonError, SerdeJsonReader } from './serde-json-reader.js';

/** The key Texas signs client assertions with, and the header it names it by. */
export interface SigningKey {
  readonly alg: 'RS256' | 'ES256' | 'HS256';
  readonly kid: string;
  readonly key: Awaited<ReturnType<typeof importJWK>>;
}

/** Why Texas refuses a private JWK, in its words (`ProviderError` in nais/texas `src/oauth/identity_provider.rs`). */
export class PrivateJwkError extends Error {}

/** jsonwebkey 0.4's `Algorithm`: the only three it knows. */
const ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
const KEY_TYPES = ['EC', 'RSA', 'oct'] as const;
const ALG_FOR_KEY: Record<(typeof KEY_TYPES)[number], (typeof ALGORITHMS)[number]> = { EC: 'ES256', RSA: 'RS256', oct: 'HS256' };
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

const parseError = (message: string) => new PrivateJwkError(`parse private JWK: ${message}`);

/**
 * Parses `*_CLIENT_JWK` / `*_PRIVATE_JWK` / `AZURE_APP_JWK` as Texas does (jsonwebkey 0.4
 * `JsonWebKey::from_str`, then `Provider::new`): JSON; `kty` one of `EC` (P-256), `RSA`
 * (exponent 65537) or `oct`; an `alg`, if any, one of HS256, RS256, ES256 and fitting the key;
 * then an `alg` and a `kid` are required. Texas signs with that `alg`.
 */
export async function parsePrivateJwk(text: string): Promise<SigningKey> {
  const reader = SerdeJsonReader.of(text);
  const members: Record<string, unknown> = {};
  let alg: string | undefined;
  let kid: string | undefined;
  try {
    const b = reader.whitespace();
    if (b === undefined) throw reader.peekError('EOF while parsing a value');
    if (b !== 0x7b) throw reader.invalidType('struct JsonWebKey');
    reader.enter();
    reader.eat();
    for (let first = true; ; first = false) {
      const key = reader.nextKey(first);
      if (key === undefined) break;
      reader.objectColon();
      if (key === 'alg') alg = optionalVariant(reader);
      else if (key === 'kid') kid = optionalString(reader);
      else members[key] = reader.value();
    }
    reader.leave();
    reader.endMap();
    // The flattened key (`kty` and its members) is only looked at once the object is read.
    checkKey(members, reader);
    reader.end();
  } catch (error) {
    if (error instanceof SerdeJsonError) throw parseError(error.text);
    throw error;
  }
  const kty = members.kty as (typeof KEY_TYPES)[number];
  if (alg !== undefined && ALG_FOR_KEY[kty] !== alg) throw parseError('mismatched algorithm for key type');
  if (alg === undefined) throw new PrivateJwkError('private JWK is missing algorithm');
  if (kid === undefined) throw new PrivateJwkError('private JWK is missing key id');
  const isPrivate = kty === 'oct' || members.d !== undefined;
  const rsaComplete = kty !== 'RSA' || ['p', 'q', 'dp', 'dq', 'qi'].every((name) => members[name] !== undefined);
  if (!isPrivate || !rsaComplete) {
    // jsonwebkey's `to_encoding_key` unwraps here: the real Texas panics at startup.
    throw new PrivateJwkError('private JWK is not a complete private key (real Texas panics here, in jsonwebkey to_encoding_key)');
  }
  const jwk = { ...members, kid, alg } as JWK;
  return { alg: alg as SigningKey['alg'], kid, key: await importJWK(jwk, alg) };
}

function optionalString(reader: SerdeJsonReader): string | undefined {
  const b = reader.whitespace();
  if (b === 0x6e) {
    reader.eat();
    reader.ident('ull');
    return undefined;
  }
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x22) throw reader.invalidType('a string');
  reader.eat();
  return reader.string();
}

function optionalVariant(reader: SerdeJsonReader): string | undefined {
  const b = reader.whitespace();
  if (b === 0x6e) {
    reader.eat();
    reader.ident('ull');
    return undefined;
  }
  if (b !== 0x22) throw b === undefined ? reader.peekError('EOF while parsing a value') : reader.peekError('expected value');
  reader.eat();
  const name = reader.string();
  if (!(ALGORITHMS as readonly string[]).includes(name)) {
    throw reader.fix(SerdeJsonError.custom(`unknown variant \`${name}\`, expected ${oneOf(ALGORITHMS)}`));
  }
  return name;
}

/** serde's internally tagged `Key` enum over the members jsonwebkey did not take itself. */
function checkKey(members: Readonly<Record<string, unknown>>, reader: SerdeJsonReader): void {
  const fail = (message: string) => reader.fix(SerdeJsonError.custom(message));
  const kty = members.kty;
  if (kty === undefined) throw fail('missing field `kty`');
  if (typeof kty !== 'string') throw fail('invalid type: expected string or map, expected variant identifier');
  if (!(KEY_TYPES as readonly string[]).includes(kty)) throw fail(`unknown variant \`${kty}\`, expected ${oneOf(KEY_TYPES)}`);
  const required = kty === 'RSA' ? ['e', 'n'] : kty === 'EC' ? ['crv', 'x', 'y'] : ['k'];
  for (const name of required) if (members[name] === undefined) throw fail(`missing field \`${name}\``);
  for (const name of ['n', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'x', 'y', 'k']) {
    const value = members[name];
    if (value !== undefined && (typeof value !== 'string' || !BASE64URL.test(value))) throw fail(`invalid base64 in \`${name}\``);
  }
  if (kty === 'RSA' && members.e !== 'AQAB' && members.e !== 'AQABAA==') throw fail('public exponent must be 65537');
  if (kty === 'EC' && members.crv !== 'P-256') throw fail(`unknown variant \`${String(members.crv)}\`, expected \`P-256\``);
}
