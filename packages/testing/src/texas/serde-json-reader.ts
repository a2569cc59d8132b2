/**
 * A JSON reader that fails where, and with the words, serde_json 1.0.149 fails: the library
 * behind Texas' request extractors (axum's `Json`), its JWT handling (jsonwebtoken) and its
 * private JWK parsing (jsonwebkey). Texas puts those messages in its answers, so the fake
 * Texas has to produce them too. Positions are serde_json's: 1-based line, byte column.
 * serde-rs/json `src/de.rs`, `src/read.rs`, `src/error.rs` at v1.0.149.
 */

/** A serde_path_to_error path segment: a map key, a sequence index, or `null` for a key that could not be read. */
export type PathSegment = string | number | null;

/** A serde_json error: its message, whether serde_json classifies it as data or syntax, its position and path. */
export class SerdeJsonError extends Error {
  line = 0;
  column = 0;
  path: readonly PathSegment[] | undefined;

  constructor(
    readonly description: string,
    readonly category: 'syntax' | 'data',
  ) {
    super(description);
  }

  /**
   * An error a visitor raises (`de::Error::custom`): serde_json's `make_error` takes a trailing
   * " at line L column C" as the error's own position, which is how a nested parse keeps its place.
   */
  static custom(message: string): SerdeJsonError {
    const match = / at line (\d+) column (\d+)$/.exec(message);
    const error = new SerdeJsonError(match === null ? message : message.slice(0, match.index), 'data');
    if (match !== null) {
      error.line = Number(match[1]);
      error.column = Number(match[2]);
    }
    return error;
  }

  /** serde_json's `Display`: the message, then its position when it has one. */
  get text(): string {
    return this.line === 0 ? this.description : `${this.description} at line ${this.line} column ${this.column}`;
  }

  /** serde_path_to_error's `Display`: `path: message`, without the path when it names no field. */
  get pathText(): string {
    const path = this.path ?? [];
    if (path.every((segment) => segment === null)) return this.text;
    let out = '';
    let separator = '';
    for (const segment of path) {
      if (typeof segment !== 'number') out += separator;
      out += typeof segment === 'number' ? `[${segment}]` : (segment ?? '?');
      separator = '.';
    }
    return `${out}: ${this.text}`;
  }
}

/** A JSON number as serde_json's parser sees it: an unsigned, a signed or a float. */
export interface ParsedNumber {
  readonly kind: 'u64' | 'i64' | 'f64';
  readonly value: number;
  readonly lexeme: string;
}

const U64_MAX = 18446744073709551615n;
const I64_MIN = -9223372036854775808n;
const DIGIT = (b: number | undefined): b is number => b !== undefined && b >= 0x30 && b <= 0x39;
const HEX = /^[0-9a-fA-F]{4}$/;

/** serde's `Unexpected` as serde_json prints it in "invalid type: ..." messages. */
export function describeUnexpected(value: unknown, number?: ParsedNumber): string {
  if (number !== undefined) {
    return number.kind === 'f64' ? `floating point \`${formatFloat(number.value)}\`` : `integer \`${number.lexeme}\``;
  }
  if (value === null) return 'null';
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  if (typeof value === 'string') return `string ${rustDebugString(value)}`;
  if (Array.isArray(value)) return 'sequence';
  return 'map';
}

/** Rust's `{:?}` of a string, for the characters JSON can carry. */
export function rustDebugString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\0') out += '\\0';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A float as serde_json formats one (the shortest round-trip digits, ryu's layout). */
export function formatFloat(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : value < 0 ? '-inf' : 'NaN';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const point = Number(exponentText) + 1; // digits before the decimal point
  if (point > 0 && point <= 16) {
    if (digits.length <= point) return `${sign}${digits.padEnd(point, '0')}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  if (point > -5 && point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  const scientific = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  return `${sign}${scientific}e${point - 1}`;
}

/** serde's `OneOf`: how "expected one of ..." lists names. */
export function oneOf(names: readonly string[]): string {
  if (names.length === 1) return `\`${names[0]}\``;
  if (names.length === 2) return `\`${names[0]}\` or \`${names[1]}\``;
  return `one of ${names.map((name) => `\`${name}\``).join(', ')}`;
}

/** Runs `read`, giving an error from it the serde_path_to_error path `path` unless a deeper one was set. */
export function withPath<T>(path: readonly PathSegment[], read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SerdeJsonError && error.path === undefined) error.path = path;
    throw error;
  }
}

/** A cursor over JSON bytes with serde_json's parsing primitives and error positions. */
export class SerdeJsonReader {
  index = 0;
  private remainingDepth = 128;

  constructor(readonly bytes: Uint8Array) {}

  static of(text: string): SerdeJsonReader {
    return new SerdeJsonReader(new TextEncoder().encode(text));
  }

  peek(): number | undefined {
    return this.bytes[this.index];
  }

  eat(): void {
    this.index += 1;
  }

  next(): number | undefined {
    const b = this.bytes[this.index];
    if (b !== undefined) this.index += 1;
    return b;
  }

  /** `parse_whitespace`: skips JSON whitespace and peeks. */
  whitespace(): number | undefined {
    for (;;) {
      const b = this.peek();
      if (b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d) this.eat();
      else return b;
    }
  }

  private at(description: string, category: 'syntax' | 'data', index: number): SerdeJsonError {
    const error = new SerdeJsonError(description, category);
    this.place(error, index);
    return error;
  }

  private place(error: SerdeJsonError, index: number): void {
    let lineStart = 0;
    let line = 1;
    for (let i = 0; i < index; i++) {
      if (this.bytes[i] === 0x0a) {
        line += 1;
        lineStart = i + 1;
      }
    }
    error.line = line;
    error.column = index - lineStart;
  }

  /** serde_json's `error`: positioned after the byte just read. */
  error(description: string, category: 'syntax' | 'data' = 'syntax'): SerdeJsonError {
    return this.at(description, category, this.index);
  }

  /** serde_json's `peek_error`: positioned on the byte peeked. */
  peekError(description: string): SerdeJsonError {
    return this.at(description, 'syntax', Math.min(this.bytes.length, this.index + 1));
  }

  /** serde_json's `fix_position`: an error without a position takes the current one. */
  fix<E>(error: E): E {
    if (error instanceof SerdeJsonError && error.line === 0) this.place(error, this.index);
    return error;
  }

  /** {@link withPath}, for reading through this reader. */
  within<T>(path: readonly PathSegment[], read: () => T): T {
    return withPath(path, read);
  }

  /** `check_recursion!`: serde_json refuses nesting 128 deep. */
  enter(): void {
    this.remainingDepth -= 1;
    if (this.remainingDepth === 0) throw this.peekError('recursion limit exceeded');
  }

  leave(): void {
    this.remainingDepth += 1;
  }

  /** `parse_ident`: the rest of `null`, `true` or `false`. */
  ident(rest: string): void {
    for (let i = 0; i < rest.length; i++) {
      const b = this.next();
      if (b === undefined) throw this.error('EOF while parsing a value');
      if (b !== rest.charCodeAt(i)) throw this.error('expected ident');
    }
  }

  /** `parse_str`, after the opening quote. */
  string(): string {
    const decoder = new TextDecoder();
    let out = '';
    let start = this.index;
    for (;;) {
      while (this.index < this.bytes.length) {
        const b = this.bytes[this.index] as number;
        if (b === 0x22 || b === 0x5c || b < 0x20) break;
        this.index += 1;
      }
      if (this.index === this.bytes.length) throw this.error('EOF while parsing a string');
      const b = this.bytes[this.index] as number;
      out += decoder.decode(this.bytes.subarray(start, this.index));
      this.index += 1;
      if (b === 0x22) return out;
      if (b !== 0x5c) throw this.error('control character (\\u0000-\\u001F) found while parsing a string');
      out += this.escape();
      start = this.index;
    }
  }

  private escape(): string {
    const ch = this.next();
    if (ch === undefined) throw this.error('EOF while parsing a string');
    const simple: Record<number, string> = { 34: '"', 92: '\\', 47: '/', 98: '\b', 102: '\f', 110: '\n', 114: '\r', 116: '\t' };
    if (simple[ch] !== undefined) return simple[ch];
    if (ch !== 0x75) throw this.error('invalid escape');
    const first = this.hexEscape();
    if (first >= 0xdc00 && first <= 0xdfff) throw this.error('lone leading surrogate in hex escape');
    if (first < 0xd800 || first > 0xdbff) return String.fromCharCode(first);
    for (const expected of [0x5c, 0x75]) {
      const b = this.peek();
      if (b === undefined) throw this.error('EOF while parsing a string');
      this.eat();
      if (b !== expected) throw this.error('unexpected end of hex escape');
    }
    const second = this.hexEscape();
    if (second < 0xdc00 || second > 0xdfff) throw this.error('lone leading surrogate in hex escape');
    return String.fromCharCode(first, second);
  }

  private hexEscape(): number {
    if (this.index + 4 > this.bytes.length) {
      this.index = this.bytes.length;
      throw this.error('EOF while parsing a string');
    }
    const digits = new TextDecoder().decode(this.bytes.subarray(this.index, this.index + 4));
    this.index += 4;
    if (!HEX.test(digits)) throw this.error('invalid escape');
    return Number.parseInt(digits, 16);
  }

  /** `parse_any_number`: after a `-` (eaten) when not `positive`. */
  number(positive: boolean): ParsedNumber {
    const start = positive ? this.index : this.index - 1;
    const first = this.next();
    if (first === undefined) throw this.error('EOF while parsing a value');
    if (first === 0x30) {
      if (DIGIT(this.peek())) throw this.peekError('invalid number');
    } else if (DIGIT(first)) {
      while (DIGIT(this.peek())) this.eat();
    } else {
      throw this.error('invalid number');
    }
    let float = false;
    if (this.peek() === 0x2e) {
      float = true;
      this.eat();
      if (!DIGIT(this.peek()))
        throw this.peek() === undefined ? this.peekError('EOF while parsing a value') : this.peekError('invalid number');
      while (DIGIT(this.peek())) this.eat();
    }
    if (this.peek() === 0x65 || this.peek() === 0x45) {
      float = true;
      this.eat();
      if (this.peek() === 0x2b || this.peek() === 0x2d) this.eat();
      const digit = this.next();
      if (digit === undefined) throw this.error('EOF while parsing a value');
      if (!DIGIT(digit)) throw this.error('invalid number');
      while (DIGIT(this.peek())) this.eat();
    }
    const lexeme = new TextDecoder().decode(this.bytes.subarray(start, this.index));
    const value = Number(lexeme);
    if (float && !Number.isFinite(value)) throw this.error('number out of range');
    if (float) return { kind: 'f64', value, lexeme };
    const big = BigInt(lexeme);
    // serde_json keeps integers that fit u64 (or i64 when negative, except -0) and parses the rest as floats.
    if (positive) return big <= U64_MAX ? { kind: 'u64', value, lexeme } : { kind: 'f64', value, lexeme };
    return big < 0n && big >= I64_MIN ? { kind: 'i64', value, lexeme } : { kind: 'f64', value, lexeme };
  }

  /**
   * `peek_invalid_type`: the "invalid type: X, expected Y" error for what comes next, consuming a
   * scalar as serde_json does (so the position is after it, or before a `[`/`{`).
   */
  invalidType(expected: string): SerdeJsonError {
    const b = this.peek();
    let unexpected: string;
    if (b === 0x6e || b === 0x74 || b === 0x66) {
      this.eat();
      this.ident(b === 0x6e ? 'ull' : b === 0x74 ? 'rue' : 'alse');
      unexpected = describeUnexpected(b === 0x6e ? null : b === 0x74);
    } else if (b === 0x2d || DIGIT(b)) {
      if (b === 0x2d) this.eat();
      unexpected = describeUnexpected(undefined, this.number(b !== 0x2d));
    } else if (b === 0x22) {
      this.eat();
      unexpected = describeUnexpected(this.string());
    } else if (b === 0x5b || b === 0x7b) {
      unexpected = b === 0x5b ? 'sequence' : 'map';
    } else {
      return this.peekError('expected value');
    }
    return this.fix(new SerdeJsonError(`invalid type: ${unexpected}, expected ${expected}`, 'data'));
  }

  /** `deserialize_any` into plain JSON, tracking serde_path_to_error paths into arrays and objects. */
  value(path: readonly PathSegment[] = []): unknown {
    const b = this.whitespace();
    if (b === undefined) throw this.peekError('EOF while parsing a value');
    switch (b) {
      case 0x6e:
        this.eat();
        this.ident('ull');
        return null;
      case 0x74:
        this.eat();
        this.ident('rue');
        return true;
      case 0x66:
        this.eat();
        this.ident('alse');
        return false;
      case 0x2d:
        this.eat();
        return this.number(false).value;
      case 0x22:
        this.eat();
        return this.string();
      case 0x5b: {
        this.enter();
        this.eat();
        const items: unknown[] = [];
        for (let i = 0; this.hasNextElement(i === 0); i++) items.push(this.within([...path, i], () => this.value([...path, i])));
        this.leave();
        this.endSeq();
        return items;
      }
      case 0x7b: {
        this.enter();
        this.eat();
        const members: Record<string, unknown> = {};
        for (let first = true; ; first = false) {
          const key = this.nextKey(first, path);
          if (key === undefined) break;
          // serde_path_to_error blames the colon on the map, and what follows it on the key.
          this.objectColon();
          const member = this.within([...path, key], () => this.value([...path, key]));
          Object.defineProperty(members, key, { value: member, enumerable: true, writable: true, configurable: true });
        }
        this.leave();
        this.endMap();
        return members;
      }
      default:
        if (DIGIT(b)) return this.number(true).value;
        throw this.peekError('expected value');
    }
  }

  /** SeqAccess `has_next_element`. */
  hasNextElement(first: boolean): boolean {
    const b = this.whitespace();
    if (b === undefined) throw this.peekError('EOF while parsing a list');
    if (b === 0x5d) return false;
    if (first) return true;
    if (b !== 0x2c) throw this.peekError('expected `,` or `]`');
    this.eat();
    const after = this.whitespace();
    if (after === 0x5d) throw this.peekError('trailing comma');
    if (after === undefined) throw this.peekError('EOF while parsing a value');
    return true;
  }

  /** MapAccess `next_key_seed` with a string key: the key, or `undefined` at the closing brace. */
  nextKey(first: boolean, path: readonly PathSegment[] = []): string | undefined {
    return this.within([...path, null], () => {
      const b = this.whitespace();
      if (b === undefined) throw this.peekError('EOF while parsing an object');
      if (b === 0x7d) return undefined;
      if (!first) {
        if (b !== 0x2c) throw this.peekError('expected `,` or `}`');
        this.eat();
        const after = this.whitespace();
        if (after === 0x7d) throw this.peekError('trailing comma');
        if (after === undefined) throw this.peekError('EOF while parsing a value');
        if (after !== 0x22) throw this.peekError('key must be a string');
      } else if (b !== 0x22) {
        throw this.peekError('key must be a string');
      }
      this.eat();
      return this.string();
    });
  }

  /** `parse_object_colon`. */
  objectColon(): void {
    const b = this.whitespace();
    if (b === 0x3a) {
      this.eat();
      return;
    }
    throw b === undefined ? this.peekError('EOF while parsing an object') : this.peekError('expected `:`');
  }

  /** `end_seq`. */
  endSeq(): void {
    const b = this.whitespace();
    if (b === 0x5d) {
      this.eat();
      return;
    }
    if (b === 0x2c) {
      this.eat();
      throw this.whitespace() === 0x5d ? this.peekError('trailing comma') : this.peekError('trailing characters');
    }
    throw b === undefined ? this.peekError('EOF while parsing a list') : this.peekError('trailing characters');
  }

  /** `end_map`. */
  endMap(): void {
    const b = this.whitespace();
    if (b === 0x7d) {
      this.eat();
      return;
    }
    if (b === 0x2c) throw this.peekError('trailing comma');
    throw b === undefined ? this.peekError('EOF while parsing an object') : this.peekError('trailing characters');
  }

  /** `Deserializer::end`: only whitespace may follow the value. */
  end(): void {
    if (this.whitespace() !== undefined) throw this.peekError('trailing characters');
  }

  /** `ignore_value`, serde_json's skipping of a value nobody asked for (an unknown field's). */
  ignoreValue(): void {
    const frames: number[] = [];
    let enclosing: number | undefined;
    for (;;) {
      const b = this.whitespace();
      if (b === undefined) throw this.peekError('EOF while parsing a value');
      let frame: number | undefined;
      if (b === 0x6e || b === 0x74 || b === 0x66) {
        this.eat();
        this.ident(b === 0x6e ? 'ull' : b === 0x74 ? 'rue' : 'alse');
      } else if (b === 0x2d || DIGIT(b)) {
        if (b === 0x2d) this.eat();
        this.ignoreNumber();
      } else if (b === 0x22) {
        this.eat();
        this.ignoreString();
      } else if (b === 0x5b || b === 0x7b) {
        if (enclosing !== undefined) frames.push(enclosing);
        enclosing = undefined;
        this.eat();
        frame = b;
      } else {
        throw this.peekError('expected value');
      }

      let acceptComma: boolean;
      if (frame !== undefined) {
        acceptComma = false;
      } else if (enclosing !== undefined) {
        frame = enclosing;
        enclosing = undefined;
        acceptComma = true;
      } else {
        frame = frames.pop();
        if (frame === undefined) return;
        acceptComma = true;
      }

      for (;;) {
        const c = this.whitespace();
        if (c === 0x2c && acceptComma) {
          this.eat();
          break;
        }
        if (c === undefined) throw this.peekError(frame === 0x5b ? 'EOF while parsing a list' : 'EOF while parsing an object');
        const closes = (c === 0x5d && frame === 0x5b) || (c === 0x7d && frame === 0x7b);
        if (!closes) {
          if (acceptComma) throw this.peekError(frame === 0x5b ? 'expected `,` or `]`' : 'expected `,` or `}`');
          break;
        }
        this.eat();
        const outer = frames.pop();
        if (outer === undefined) return;
        frame = outer;
        acceptComma = true;
      }

      if (frame === 0x7b) {
        const c = this.whitespace();
        if (c === undefined) throw this.peekError('EOF while parsing an object');
        if (c !== 0x22) throw this.peekError('key must be a string');
        this.eat();
        this.ignoreString();
        const colon = this.whitespace();
        if (colon === undefined) throw this.peekError('EOF while parsing an object');
        if (colon !== 0x3a) throw this.peekError('expected `:`');
        this.eat();
      }
      enclosing = frame;
    }
  }

  private ignoreNumber(): void {
    const first = this.next() ?? 0;
    if (first === 0x30) {
      if (DIGIT(this.peek())) throw this.peekError('invalid number');
    } else if (DIGIT(first)) {
      while (DIGIT(this.peek())) this.eat();
    } else {
      throw this.error('invalid number');
    }
    if (this.peek() === 0x2e) {
      this.eat();
      if (!DIGIT(this.peek())) throw this.peekError('invalid number');
      while (DIGIT(this.peek())) this.eat();
    }
    if (this.peek() === 0x65 || this.peek() === 0x45) {
      this.eat();
      if (this.peek() === 0x2b || this.peek() === 0x2d) this.eat();
      if (!DIGIT(this.next())) throw this.error('invalid number');
      while (DIGIT(this.peek())) this.eat();
    }
  }

  private ignoreString(): void {
    for (;;) {
      while (this.index < this.bytes.length) {
        const b = this.bytes[this.index] as number;
        if (b === 0x22 || b === 0x5c || b < 0x20) break;
        this.index += 1;
      }
      if (this.index === this.bytes.length) throw this.error('EOF while parsing a string');
      const b = this.bytes[this.index] as number;
      if (b === 0x22) {
        this.index += 1;
        return;
      }
      if (b !== 0x5c) throw this.error('control character (\\u0000-\\u001F) found while parsing a string');
      this.index += 1;
      const ch = this.next();
      if (ch === undefined) throw this.error('EOF while parsing a string');
      if (ch === 0x75) this.hexEscape();
      else if (![0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74].includes(ch)) throw this.error('invalid escape');
    }
  }
}

/** `serde_json::from_str::<Value>`: one value, then only whitespace. */
export function parseSerdeJson(text: string): unknown {
  const reader = SerdeJsonReader.of(text);
  const value = reader.value();
  reader.end();
  return value;
}
