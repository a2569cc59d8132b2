/**
 * Checks JSON text that `JSON.parse` already accepted (as `parsed`) for duplicate member
 * names in any object, and for nesting deeper than `maxDepth`. `JSON.parse` silently keeps
 * the last duplicate (`{"alg":"RS256","alg":"none"}`); we refuse such tokens outright, as
 * RFC 7515 §5.2 allows, so no downstream parser can read them differently (catalogue A14).
 *
 * Instead of collecting names, it counts the member names written in the text and the
 * members `JSON.parse` kept: they differ exactly when a name repeated in some object (the
 * parser folds repeats, escaped spellings like `"\u0061ud"` included). The text is walked
 * from string to string with `indexOf`.
 */
export function hasDuplicateMembersOrDeepNesting(text: string, parsed: unknown, maxDepth: number): boolean {
  const kept = typeof parsed === 'object' && parsed !== null ? countParsedMembers(parsed, 1, maxDepth) : 0;
  if (kept < 0) return true;
  const written = countNamesFast(text) ?? countWrittenNames(text, maxDepth);
  return written < 0 || written !== kept;
}

const whitespaceNextToQuote = /"[\t\n\r ]|[\t\n\r ]"/;

/**
 * Member names in compact JSON without escapes (what issuers send), or `undefined` when the
 * text must be walked instead. There every `":` ends a member name, except where a string
 * starts with ":": its opening quote then follows `{`, `[`, `,` or `:` (or starts the text),
 * which the count checks at each hit. Escapes and whitespace next to a quote could hide or fake
 * a `":`, so they send the text to the walk. Native string search only: this runs on every token.
 */
function countNamesFast(text: string): number | undefined {
  if (text.includes('\\') || whitespaceNextToQuote.test(text)) return undefined;
  let names = 0;
  for (let at = text.indexOf('":'); at >= 0; at = text.indexOf('":', at + 2)) {
    const before = at === 0 ? 0x7b : text.charCodeAt(at - 1);
    if (before === 0x7b /* { */ || before === 0x5b /* [ */ || before === 0x2c /* , */ || before === 0x3a /* : */) return undefined;
    names++;
  }
  return names;
}

/** Member names in the text, or -1 when nesting goes deeper than `maxDepth`. */
function countWrittenNames(text: string, maxDepth: number): number {
  // Per open container: true for an object, false for an array.
  const objects: boolean[] = [];
  let expectingName = false;
  let names = 0;
  let i = 0;
  while (i < text.length) {
    const quote = text.indexOf('"', i);
    const structuralEnd = quote < 0 ? text.length : quote;
    for (; i < structuralEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7b /* { */) {
        if (objects.push(true) > maxDepth) return -1;
        expectingName = true;
      } else if (c === 0x5b /* [ */) {
        if (objects.push(false) > maxDepth) return -1;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        objects.pop();
      } else if (c === 0x2c /* , */) {
        expectingName = objects[objects.length - 1] === true;
      }
    }
    if (quote < 0) break;
    if (expectingName) {
      names++;
      expectingName = false;
    }
    // The closing quote is the next one not preceded by an odd number of backslashes.
    let end = text.indexOf('"', quote + 1);
    for (;;) {
      let backslashes = 0;
      while (text.charCodeAt(end - 1 - backslashes) === 0x5c /* \ */) backslashes++;
      if (backslashes % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    i = end + 1;
  }
  return names;
}

/** Members `JSON.parse` kept, in all nested objects; -1 when nesting goes deeper than `maxDepth`. */
function countParsedMembers(value: object, depth: number, maxDepth: number): number {
  if (depth > maxDepth) return -1;
  // Indexed loops over Object.values: for...in and for...of cost about twice as much here.
  const isArray = Array.isArray(value);
  const items: readonly unknown[] = isArray ? value : Object.values(value);
  let count = isArray ? 0 : items.length;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== 'object' || item === null) continue;
    const inner = countParsedMembers(item, depth + 1, maxDepth);
    if (inner < 0) return -1;
    count += inner;
  }
  return count;
}
