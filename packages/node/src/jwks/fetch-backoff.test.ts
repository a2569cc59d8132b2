import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFetchBackoff, JWKS_BACKOFF_MAX_MS, JWKS_BACKOFF_MIN_MS } from './fetch-backoff.js';

describe('createFetchBackoff', () => {
  it('waits 1-30 s, at most 3x the previous wait, whatever the random source returns (property)', () => {
    const anyDouble = fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true }), fc.double(), fc.constantFrom(0, 1, -1, 2, Number.NaN));
    fc.assert(
      fc.property(fc.array(anyDouble, { minLength: 1, maxLength: 20 }), fc.nat({ max: 1e9 }), (draws, start) => {
        let next = 0;
        const backoff = createFetchBackoff(() => draws[next++] as number);
        let previous = JWKS_BACKOFF_MIN_MS;
        let now = start;
        for (const _ of draws) {
          const wait = backoff.failed(now);
          expect(wait).toBeGreaterThanOrEqual(JWKS_BACKOFF_MIN_MS);
          expect(wait).toBeLessThanOrEqual(Math.min(JWKS_BACKOFF_MAX_MS, 3 * previous));
          expect(backoff.retryAt).toBe(now + wait);
          previous = wait;
          now += wait;
        }
        expect(backoff.failures).toBe(draws.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('grows its ceiling 3x per failure up to 30 s, and starts over after a success', () => {
    const backoff = createFetchBackoff(() => 1);
    expect([1, 2, 3, 4].map(() => backoff.failed(0))).toEqual([3000, 9000, 27_000, 30_000]);
    backoff.succeeded();
    expect(backoff.failures).toBe(0);
    expect(backoff.retryAt).toBe(Number.NEGATIVE_INFINITY);
    expect(backoff.failed(0)).toBe(3000);
  });
});
