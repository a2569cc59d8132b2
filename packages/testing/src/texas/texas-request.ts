import type { IncomingHttpHeaders } from 'node:http';
import { oneOf, type PathSegment, SerdeJsonError, SerdeJsonReader, withPath } from './serde-json-reader.js';
import { type IdentityProvider, TexasApiError } from './texas-error.js';

/** RFC 9396 authorization details as Texas forwards them: an array of JSON objects. */
export type AuthorizationDetails = readonly Readonly<Record<string, unknown>>[];

/** `POST /api/v1/token` (nais/texas `TokenRequest`). */
export interface TokenRequest {
  readonly target: string;
  readonly identity_provider: IdentityProvider;
  readonly resource: string | undefined;
  readonly authorization_details: AuthorizationDetails | undefined;
  readonly skip_cache: boolean | undefined;
}

/** `POST /api/v1/token/exchange` (nais/texas `TokenExchangeRequest`). */
export interface TokenExchangeRequest {
  readonly target: string;
  readonly identity_provider: IdentityProvider;
  readonly user_token: string;
  readonly skip_cache: boolean | undefined;
}

/** `POST /api/v1/introspect` (nais/texas `IntrospectRequest`). */
export interface IntrospectRequest {
  readonly token: string;
  readonly identity_provider: IdentityProvider;
}

type FieldKind = 'string' | 'identity_provider' | 'option_string' | 'option_bool' | 'option_authorization_details';

interface StructSpec {
  readonly name: string;
  /** In declaration order, which is the order serde reports missing fields in. */
  readonly fields: readonly (readonly [string, FieldKind])[];
}

const SPECS = {
  token: {
    name: 'TokenRequest',
    fields: [
      ['target', 'string'],
      ['identity_provider', 'identity_provider'],
      ['resource', 'option_string'],
      ['authorization_details', 'option_authorization_details'],
      ['skip_cache', 'option_bool'],
    ],
  },
  exchange: {
    name: 'TokenExchangeRequest',
    fields: [
      ['target', 'string'],
      ['identity_provider', 'identity_provider'],
      ['user_token', 'string'],
      ['skip_cache', 'option_bool'],
    ],
  },
  introspect: {
    name: 'IntrospectRequest',
    fields: [
      ['token', 'string'],
      ['identity_provider', 'identity_provider'],
    ],
  },
} as const satisfies Record<string, StructSpec>;

/** The serde variant names of `IdentityProvider`, aliases included, in the order serde lists them. */
const PROVIDER_VARIANTS = ['azuread', 'entra_id', 'tokenx', 'maskinporten', 'idporten'] as const;

function identityProvider(name: string): IdentityProvider | undefined {
  if (name === 'azuread') return 'entra_id';
  return (PROVIDER_VARIANTS as readonly string[]).includes(name) ? (name as IdentityProvider) : undefined;
}

const unknownVariant = (name: string) => `unknown variant \`${name}\`, expected ${oneOf(PROVIDER_VARIANTS)}`;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `AuthorizationDetails`' own deserializer: an untagged enum of a JSON array of objects, or a
 * string holding one (what a form carries), parsed with `serde_json::from_str`.
 */
function authorizationDetails(content: unknown): AuthorizationDetails {
  if (Array.isArray(content) && content.every(isObject)) return content;
  if (typeof content !== 'string') throw SerdeJsonError.custom('data did not match any variant of untagged enum RequestValue');
  try {
    return detailsFromString(content);
  } catch (error) {
    if (!(error instanceof SerdeJsonError)) throw error;
    throw SerdeJsonError.custom(`failed to parse authorization_details JSON string: ${error.text}`);
  }
}

/** `serde_json::from_str::<Vec<Map<String, Value>>>`. */
function detailsFromString(text: string): AuthorizationDetails {
  const reader = SerdeJsonReader.of(text);
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x5b) throw reader.invalidType('a sequence');
  reader.enter();
  reader.eat();
  const details: Record<string, unknown>[] = [];
  for (let i = 0; reader.hasNextElement(i === 0); i++) {
    const element = reader.whitespace();
    if (element === undefined) throw reader.peekError('EOF while parsing a value');
    if (element !== 0x7b) throw reader.invalidType('a map');
    details.push(reader.value() as Record<string, unknown>);
  }
  reader.leave();
  reader.endSeq();
  reader.end();
  return details;
}

function jsonOption<T>(reader: SerdeJsonReader, some: () => T): T | undefined {
  if (reader.whitespace() !== 0x6e) return some();
  reader.eat();
  reader.ident('ull');
  return undefined;
}

function jsonString(reader: SerdeJsonReader): string {
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x22) throw reader.invalidType('a string');
  reader.eat();
  return reader.string();
}

function jsonBool(reader: SerdeJsonReader): boolean {
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x74 && b !== 0x66) throw reader.invalidType('a boolean');
  reader.eat();
  reader.ident(b === 0x74 ? 'rue' : 'alse');
  return b === 0x74;
}

/** The variant name of a string enum (`deserialize_str` into serde's variant identifier). */
function jsonVariant(reader: SerdeJsonReader, expected: string): string {
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x22) throw reader.invalidType(expected);
  reader.eat();
  const name = reader.string();
  if (identityProvider(name) === undefined) throw reader.fix(SerdeJsonError.custom(unknownVariant(name)));
  return name;
}

/** serde_json's `deserialize_enum` for a unit-only enum: `"name"`, or `{"name": null}`. */
function jsonIdentityProvider(reader: SerdeJsonReader): IdentityProvider {
  const b = reader.whitespace();
  if (b === 0x22) return identityProvider(jsonVariant(reader, 'variant identifier')) as IdentityProvider;
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x7b) throw reader.peekError('expected value');
  reader.enter();
  reader.eat();
  const name = jsonVariant(reader, 'variant identifier');
  reader.objectColon();
  const unit = reader.whitespace();
  if (unit === undefined) throw reader.peekError('EOF while parsing a value');
  if (unit !== 0x6e) throw reader.invalidType('unit');
  reader.eat();
  reader.ident('ull');
  reader.leave();
  const close = reader.whitespace();
  if (close === undefined) throw reader.error('EOF while parsing an object');
  if (close !== 0x7d) throw reader.error('expected value');
  reader.eat();
  return identityProvider(name) as IdentityProvider;
}

function jsonField(reader: SerdeJsonReader, kind: FieldKind, path: readonly PathSegment[]): unknown {
  switch (kind) {
    case 'string':
      return jsonString(reader);
    case 'identity_provider':
      return jsonIdentityProvider(reader);
    case 'option_string':
      return jsonOption(reader, () => jsonString(reader));
    case 'option_bool':
      return jsonOption(reader, () => jsonBool(reader));
    case 'option_authorization_details':
      // An untagged enum buffers the value first (serde's Content), then tries its variants.
      return jsonOption(reader, () => authorizationDetails(reader.value(path)));
  }
}

const missingField = (name: string) => SerdeJsonError.custom(`missing field \`${name}\``);
const duplicateField = (name: string) => SerdeJsonError.custom(`duplicate field \`${name}\``);

function requireFields(spec: StructSpec, values: ReadonlyMap<string, unknown>): Record<string, unknown> {
  for (const [name, kind] of spec.fields) {
    if (!values.has(name) && !kind.startsWith('option')) throw missingField(name);
  }
  return Object.fromEntries(spec.fields.map(([name]) => [name, values.get(name)]));
}

/**
 * serde_json's `deserialize_struct` with serde's derived visitor: fields in any order, unknown
 * ones skipped, a repeat refused; or, as serde allows, the fields as an array in declaration order.
 */
function jsonStruct(reader: SerdeJsonReader, spec: StructSpec): Record<string, unknown> {
  const b = reader.whitespace();
  if (b === undefined) throw reader.peekError('EOF while parsing a value');
  if (b !== 0x7b && b !== 0x5b) throw reader.invalidType(`struct ${spec.name}`);
  reader.enter();
  reader.eat();
  let result: Record<string, unknown>;
  try {
    result = b === 0x7b ? jsonMembers(reader, spec) : jsonElements(reader, spec);
  } catch (error) {
    // serde_json still closes the container (`end_map`/`end_seq`) before it places the error.
    try {
      if (b === 0x7b) reader.endMap();
      else reader.endSeq();
    } catch {
      // its own error loses to the first one
    }
    throw reader.fix(error);
  }
  reader.leave();
  if (b === 0x7b) reader.endMap();
  else reader.endSeq();
  return result;
}

function jsonMembers(reader: SerdeJsonReader, spec: StructSpec): Record<string, unknown> {
  const values = new Map<string, unknown>();
  for (let first = true; ; first = false) {
    const key = reader.nextKey(first);
    if (key === undefined) break;
    const field = spec.fields.find(([name]) => name === key);
    if (field !== undefined && values.has(key)) throw duplicateField(key);
    reader.objectColon();
    if (field === undefined) reader.within([key], () => reader.ignoreValue());
    else
      values.set(
        key,
        reader.within([key], () => jsonField(reader, field[1], [key])),
      );
  }
  return requireFields(spec, values);
}

function jsonElements(reader: SerdeJsonReader, spec: StructSpec): Record<string, unknown> {
  const values = new Map<string, unknown>();
  spec.fields.forEach(([name, kind], i) => {
    if (!reader.hasNextElement(i === 0)) {
      throw SerdeJsonError.custom(`invalid length ${i}, expected struct ${spec.name} with ${spec.fields.length} elements`);
    }
    values.set(
      name,
      reader.within([i], () => jsonField(reader, kind, [i])),
    );
  });
  return Object.fromEntries(values);
}

function formField(kind: FieldKind, value: string): unknown {
  switch (kind) {
    case 'string':
    case 'option_string':
      return value;
    case 'identity_provider': {
      const provider = identityProvider(value);
      if (provider === undefined) throw new SerdeJsonError(unknownVariant(value), 'data');
      return provider;
    }
    case 'option_bool':
      // serde_urlencoded parses booleans with Rust's `str::parse::<bool>`.
      if (value !== 'true' && value !== 'false') throw new SerdeJsonError('provided string was not `true` or `false`', 'data');
      return value === 'true';
    case 'option_authorization_details':
      return authorizationDetails(value);
  }
}

/** serde_urlencoded over `form_urlencoded::parse`, which splits and decodes exactly as URLSearchParams does. */
function formStruct(body: string, spec: StructSpec): Record<string, unknown> {
  const values = new Map<string, unknown>();
  for (const [key, value] of new URLSearchParams(body)) {
    const field = spec.fields.find(([name]) => name === key);
    if (field === undefined) continue;
    if (values.has(key)) throw new SerdeJsonError(`duplicate field \`${key}\``, 'data');
    values.set(
      key,
      withPath([key], () => formField(field[1], value)),
    );
  }
  for (const [name, kind] of spec.fields) {
    if (!values.has(name) && !kind.startsWith('option')) throw new SerdeJsonError(`missing field \`${name}\``, 'data');
  }
  return Object.fromEntries(spec.fields.map(([name]) => [name, values.get(name)]));
}

/** axum's `Json` takes `application/json` and `application/*+json` (a `mime` parse of the header). */
function isJsonMediaType(contentType: string): boolean {
  const essence = (contentType.split(';')[0] as string).toLowerCase();
  const match = /^application\/([!#$%&'*+\-.^_`|~0-9a-z]+)$/.exec(essence);
  if (match === null) return false;
  const [subtype, suffix] = (match[1] as string).split('+');
  return subtype === 'json' || suffix === 'json';
}

const MEDIA_TYPES = 'expected one of `application/json`, `application/x-www-form-urlencoded`';
const TOO_LARGE = 'Failed to buffer the request body: length limit exceeded';

/**
 * Texas' `JsonOrForm` extractor (nais/texas `src/handler.rs`): picks JSON or form by the
 * `Content-Type` prefix, refuses anything else, and words every failure as axum and serde do.
 * `body` is `undefined` when it was over axum's 2 MB limit.
 */
export function parseTexasRequest(kind: 'token', headers: IncomingHttpHeaders, body: string | undefined): TokenRequest;
export function parseTexasRequest(kind: 'exchange', headers: IncomingHttpHeaders, body: string | undefined): TokenExchangeRequest;
export function parseTexasRequest(kind: 'introspect', headers: IncomingHttpHeaders, body: string | undefined): IntrospectRequest;
export function parseTexasRequest(kind: keyof typeof SPECS, headers: IncomingHttpHeaders, body: string | undefined): unknown {
  const spec: StructSpec = SPECS[kind];
  const header = headers['content-type'];
  // `HeaderValue::to_str` fails on anything but visible ASCII; Texas then sees no content type.
  const contentType = header !== undefined && /^[\t\x20-\x7e]*$/.test(header) ? header : undefined;
  if (contentType?.startsWith('application/json')) {
    if (!isJsonMediaType(contentType)) throw TexasApiError.invalidRequest('Expected request with `Content-Type: application/json`');
    if (body === undefined) throw TexasApiError.invalidRequest(TOO_LARGE);
    const reader = SerdeJsonReader.of(body);
    let value: unknown;
    try {
      value = jsonStruct(reader, spec);
    } catch (error) {
      if (!(error instanceof SerdeJsonError)) throw error;
      const rejection =
        error.category === 'data' ? 'Failed to deserialize the JSON body into the target type' : 'Failed to parse the request body as JSON';
      throw TexasApiError.invalidRequest(`${rejection}: ${error.pathText}`);
    }
    try {
      reader.end();
    } catch (error) {
      if (!(error instanceof SerdeJsonError)) throw error;
      throw TexasApiError.invalidRequest(`Failed to parse the request body as JSON: ${error.text}`);
    }
    return value;
  }
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    if (body === undefined) throw TexasApiError.invalidRequest(TOO_LARGE);
    try {
      return formStruct(body, spec);
    } catch (error) {
      if (!(error instanceof SerdeJsonError)) throw error;
      throw TexasApiError.invalidRequest(`Failed to deserialize form body: ${error.pathText}`);
    }
  }
  throw TexasApiError.invalidRequest(`unsupported media type: ${contentType ?? ''}: ${MEDIA_TYPES}`);
}
