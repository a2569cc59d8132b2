/**
 * Checks JSON text that `JSON.parse` already accepted (as `parsed`) for duplicate member
 * names in any object, and for nesting deeper than `maxDepth`. `JSON.parse` silently keeps
 * the last duplicate (`{"alg":"RS256","alg":"none"}`); we refuse such tokens outright, as
 * RFC 7515 §5.2 allows, so no downstream parser can read them differently (catalogue A14).
 *
 * Instead of collecting names, it counts the member names written in the text and the
 * members `JSON.parse` kept: they differ exactly when a name repeated in some object (the
 * parser folds repeats, escaped spellings like `"\u0061ud"` included). The text is walked
 * from string to string with `indexOf`, so this costs well under a microsecond per token.
 */
export function hasDuplicateMembersOrDeepNesting(text: string, parsed: unknown, maxDepth: number): boolean {
  const kept = countParsedMembers(parsed, 1, maxDepth);
  if (kept < 0) return true;
  // In compact JSON without escapes (what issuers send), every `":` ends a member name: a value
  // string is never followed by a colon. Texts where that could fail (an escape, a string that
  // starts with ":", a space next to a quote) are walked instead. Native string search, not a
  // regular expression over the whole text: this runs on every token.
  const written = needsWalk(text) ? countWrittenNames(text, maxDepth) : countOccurrences(text, '":');
  return written < 0 || written !== kept;
}

const spaceNextToQuote = /"\s|\s"/;

function needsWalk(text: string): boolean {
  return (
    text.includes('\\') ||
    text.startsWith('":') ||
    text.includes('{":') ||
    text.includes('[":') ||
    text.includes(',":') ||
    text.includes(':":') ||
    spaceNextToQuote.test(text)
  );
}

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
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
function countParsedMembers(value: unknown, depth: number, maxDepth: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (depth > maxDepth) return -1;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) {
      const inner = countParsedMembers(item, depth + 1, maxDepth);
      if (inner < 0) return -1;
      count += inner;
    }
    return count;
  }
  for (const name in value) {
    const inner = countParsedMembers((value as Record<string, unknown>)[name], depth + 1, maxDepth);
    if (inner < 0) return -1;
    count += 1 + inner;
  }
  return count;
}
