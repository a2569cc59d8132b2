import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMemo } from './bounded-memo.js';

describe('BoundedMemo', () => {
  it('remembers a value for exactly its path, parts compared as Map keys', () => {
    const memo = new BoundedMemo<string>();
    const paths: unknown[][] = [[], ['a'], ['a', 'b'], ['ab'], [undefined], ['undefined'], [1], ['1'], [undefined, 'a'], ['a', undefined]];
    for (const [index, path] of paths.entries()) memo.set(path, `v${index}`);
    for (const [index, path] of paths.entries()) expect(memo.get([...path])).toBe(`v${index}`);
    expect(memo.get(['a', 'b', 'c'])).toBeUndefined();
    expect(memo.get(['b'])).toBeUndefined();
  });

  it('never holds more than maxNodes nodes, and forgets rather than mixes up (property)', () => {
    const path = fc.array(fc.constantFrom('a', 'b', 'c', undefined), { maxLength: 5 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.tuple(path, fc.nat(100)), { maxLength: 60 }), (maxNodes, writes) => {
        const memo = new BoundedMemo<number>(maxNodes);
        const model = new Map<string, number>();
        for (const [written, value] of writes) {
          expect(memo.set(written, value)).toBe(value);
          model.set(JSON.stringify(written), value);
          expect(memo.size).toBeLessThanOrEqual(maxNodes);
          if (written.length <= maxNodes) expect(memo.get(written)).toBe(value);
          for (const [known] of writes) {
            const found = memo.get(known);
            if (found !== undefined) expect(found).toBe(model.get(JSON.stringify(known)));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('does not remember a path longer than its bound, and keeps what it had', () => {
    const memo = new BoundedMemo<string>(2);
    memo.set(['a'], 'kept');
    expect(memo.set(['a', 'b', 'c'], 'too long')).toBe('too long');
    expect(memo.get(['a', 'b', 'c'])).toBeUndefined();
    expect(memo.get(['a'])).toBe('kept');
  });

  it('refuses a bound below 1', () => {
    expect(() => new BoundedMemo(0)).toThrow(RangeError);
  });
});
