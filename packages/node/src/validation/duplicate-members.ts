/**
 * Checks JSON text that `JSON.parse` already accepted for duplicate member names in any
 * object, and for nesting deeper than `maxDepth`. `JSON.parse` silently keeps the last
 * duplicate (`{"alg":"RS256","alg":"none"}`); we refuse such tokens outright, as RFC 7515
 * §5.2 allows, so no downstream parser can read them differently (catalogue A14).
 */
export function hasDuplicateMembersOrDeepNesting(text: string, maxDepth: number): boolean {
  // One Set of seen names per open object; null for open arrays.
  const stack: Array<Set<string> | null> = [];
  let expectingName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i + 1;
      let escaped = false;
      i++;
      while (text.charCodeAt(i) !== 0x22) {
        if (text.charCodeAt(i) === 0x5c /* \ */) {
          escaped = true;
          i++;
        }
        i++;
      }
      if (expectingName) {
        const raw = text.slice(start, i);
        const name = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
        const members = stack[stack.length - 1] as Set<string>;
        if (members.has(name)) return true;
        members.add(name);
        expectingName = false;
      }
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      if (stack.length > maxDepth) return true;
      expectingName = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      if (stack.length > maxDepth) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      expectingName = stack[stack.length - 1] != null;
    }
  }
  return false;
}
