import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasDuplicateMembersOrDeepNesting } from './duplicate-members.js';

const check = (text: string) => hasDuplicateMembersOrDeepNesting(text, JSON.parse(text), 20);
const objects = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 6 });

describe('hasDuplicateMembersOrDeepNesting', () => {
  it('finds no duplicate in any JSON.stringify output, compact or indented, escapes included (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        expect(check(JSON.stringify(value, null, indent))).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('finds a repeated member name anywhere, however it is spelled (property)', () => {
    fc.assert(
      fc.property(objects, fc.boolean(), fc.boolean(), (object, escapeIt, nest) => {
        const [name] = Object.keys(object) as [string];
        const spelled =
          escapeIt && name.length > 0
            ? `"\\u${name.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(name.slice(1)).slice(1)}`
            : JSON.stringify(name);
        const text = `{${spelled}:0,${JSON.stringify(object).slice(1)}`;
        expect(check(nest ? `{"outer":[1,${text}]}` : text)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('catches the catalogue cases and deep nesting', () => {
    expect(check('{"alg":"RS256","alg":"none"}')).toBe(true);
    expect(check('{"aud":"a" , "aud" :"b"}')).toBe(true);
    expect(check('{"a":"x\\":1,\\"a\\":2"}')).toBe(false);
    expect(check('{"a":{"b":1,"b":2}}')).toBe(true);
    expect(check(`{"a":${'['.repeat(25)}${']'.repeat(25)}}`)).toBe(true);
    expect(check(`{"a":${'['.repeat(10)}${']'.repeat(10)}}`)).toBe(false);
  });
});
