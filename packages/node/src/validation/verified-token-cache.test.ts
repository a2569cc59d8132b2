import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './verified-token-cache.js';

const times = { expiresAt: 2000, issuedAt: 1000, notBefore: undefined };
const token = (i: number) => `header.payload.${'s'.repeat(40)}${String(i).padStart(8, '0')}`;

function cacheOf(maxEntries: number) {
  const cache = new VerifiedTokenCache<{ n: number }>(maxEntries, 10, undefined);
  return {
    cache,
    remember: (i: number) => cache.remember(cache.slotOf(token(i)), token(i), { n: i }, times),
    lookup: (i: number) => cache.lookup(cache.slotOf(token(i)), token(i), 1500),
  };
}

describe('VerifiedTokenCache', () => {
  it('admits a token on its second valid sighting, and then answers with the remembered claims', async () => {
    const { remember, lookup } = cacheOf(10);
    remember(1);
    expect(lookup(1)).toBeUndefined();
    remember(1);
    await expect(lookup(1)).resolves.toEqual({ n: 1 });
  });

  it('keeps nothing of tokens seen once but marks in a fixed table', () => {
    const { cache, remember } = cacheOf(100);
    for (let i = 0; i < 10_000; i++) remember(i);
    const internals = cache as unknown as { entries: Map<number, unknown>; seenOnce: Uint8Array };
    // A token whose slot shares a mark with an earlier one is admitted early: a few, never most.
    expect(internals.entries.size).toBeLessThan(100);
    expect(internals.seenOnce.length).toBe(65_536);
  });

  it('stays within its bound, the oldest entry going first', () => {
    const { remember, lookup } = cacheOf(3);
    for (let i = 0; i < 5; i++) {
      remember(i);
      remember(i);
    }
    expect([0, 1, 2, 3, 4].map((i) => lookup(i) !== undefined)).toEqual([false, false, true, true, true]);
  });

  it('answers only for the very token it remembered, whatever slot another token has', () => {
    const { cache, remember } = cacheOf(10);
    remember(7);
    remember(7);
    const slot = cache.slotOf(token(7));
    expect(cache.lookup(slot, token(8), 1500)).toBeUndefined();
    expect(cache.lookup(slot, `${token(7)}x`, 1500)).toBeUndefined();
  });
});
