import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskinportenCallPath } from './maskinporten-call-path.js';

const samePath = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((part, i) => Object.is(part, b[i]));

describe('maskinportenCallPath', () => {
  it('gives equal paths exactly for equal arguments (property)', () => {
    // Texts chosen to collide under any naive joining: spaces, NUL, digits, colons, tildes.
    const text = fc.string({ maxLength: 4, unit: fc.constantFrom('a', ' ', '\u0000', '1', ':', '~', 's') });
    const option = fc.option(text, { nil: undefined });
    const scopes = fc.oneof(text, fc.array(text, { maxLength: 3 }));
    const call = fc.tuple(scopes, option, option, option);
    fc.assert(
      fc.property(call, call, (a, b) => {
        const pathA = maskinportenCallPath(...a);
        const pathB = maskinportenCallPath(...b);
        if (pathA === undefined || pathB === undefined) throw new Error('strings and string lists always have a path');
        expect(samePath(pathA, pathB)).toBe(JSON.stringify(a) === JSON.stringify(b));
        // The same call written again (new array, new strings) takes the same path.
        const [scopesA, resource, consumerOrg, systemUserOrg] = (JSON.parse(JSON.stringify(a)) as unknown[]).map(
          (part) => part ?? undefined,
        );
        const again = maskinportenCallPath(scopesA, resource, consumerOrg, systemUserOrg);
        expect(again !== undefined && samePath(pathA, again)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('never gives a scope list the path of a space-separated string, or of a joined list', () => {
    const plain = maskinportenCallPath('nav:a nav:b', undefined, undefined, undefined) as unknown[];
    const list = maskinportenCallPath(['nav:a', 'nav:b'], undefined, undefined, undefined) as unknown[];
    const joined = maskinportenCallPath(['nav:a nav:b'], undefined, undefined, undefined) as unknown[];
    expect(samePath(plain, list)).toBe(false);
    expect(samePath(list, joined)).toBe(false);
    expect(samePath(plain, joined)).toBe(false);
  });

  it('has no path for arguments that are neither strings nor absent, so those are never memoized', () => {
    const calls: Array<[unknown, unknown, unknown, unknown]> = [
      [1, undefined, undefined, undefined],
      [[1], undefined, undefined, undefined],
      [['nav:a', undefined], undefined, undefined, undefined],
      [new Set(['nav:a']), undefined, undefined, undefined],
      ['nav:a', 889640782, undefined, undefined],
      ['nav:a', undefined, { toString: () => '889640782' }, undefined],
      ['nav:a', undefined, undefined, null],
    ];
    for (const call of calls) expect(maskinportenCallPath(...call)).toBeUndefined();
    // A hole in a list reads as undefined: not memoized either.
    const holey = ['nav:a', 'nav:b'];
    holey[3] = 'nav:c';
    expect(maskinportenCallPath(holey, undefined, undefined, undefined)).toBeUndefined();
  });
});
