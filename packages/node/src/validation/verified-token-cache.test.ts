import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './verified-token-cache.js';

const times = { expiresAt: 2000, issuedAt: 1000, notBefore: undefined };
const token = (i: number) => `header.payload.${'s'.repeat(40)}${String(i).padStart(8, '0')}`;

describe('VerifiedTokenCache', () => {
  it('admits a token on its second valid sighting, and then answers with the remembered claims', () => {
    const cache = new VerifiedTokenCache<{ n: number }>(10, 10, undefined);
    cache.remember(token(1), { n: 1 }, times);
    expect(cache.lookup(token(1), 1500)).toBeUndefined();
    cache.remember(token(1), { n: 1 }, times);
    return expect(cache.lookup(token(1), 1500)).resolves.toEqual({ n: 1 });
  });

  it('keeps nothing of tokens seen once but a bounded set of numbers', () => {
    const cache = new VerifiedTokenCache<{ n: number }>(100, 10, undefined);
    for (let i = 0; i < 10_000; i++) cache.remember(token(i), { n: i }, times);
    const internals = cache as unknown as { entries: Map<string, unknown>; seenOnce: Set<number> };
    expect(internals.entries.size).toBe(0);
    expect(internals.seenOnce.size).toBeLessThanOrEqual(100);
    expect([...internals.seenOnce].every((value) => typeof value === 'number')).toBe(true);
  });

  it('stays within its bound, the oldest entry going first', () => {
    const cache = new VerifiedTokenCache<{ n: number }>(3, 10, undefined);
    for (let i = 0; i < 5; i++) {
      cache.remember(token(i), { n: i }, times);
      cache.remember(token(i), { n: i }, times);
    }
    expect([0, 1, 2, 3, 4].map((i) => cache.lookup(token(i), 1500) !== undefined)).toEqual([false, false, true, true, true]);
  });
});
