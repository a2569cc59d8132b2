import { describe, expect, it } from 'vitest';
import { createReplayGuard } from './replay-guard.js';

const at = (seconds: number) => new Date(seconds * 1000);

describe('createReplayGuard', () => {
  it('B11: rejects a second use of a jti before exp', () => {
    const guard = createReplayGuard();
    guard.check('jti-1', 1060, at(1000));
    expect(() => guard.check('jti-1', 1060, at(1001))).toThrow(expect.objectContaining({ claim: 'jti', reason: 'replayed' }));
    guard.check('jti-2', 1060, at(1001));
  });

  it('B11: forgets a jti once its token has expired, keeping the cache bounded by exp', () => {
    const guard = createReplayGuard({ maxEntries: 2 });
    guard.check('a', 1010, at(1000));
    guard.check('b', 1010, at(1000));
    guard.check('c', 1100, at(1011));
    expect(guard.size).toBe(1);
    guard.check('a', 1200, at(1012));
  });

  it('fails closed when full of live entries rather than forget one', () => {
    const guard = createReplayGuard({ maxEntries: 1 });
    guard.check('a', 2000, at(1000));
    expect(() => guard.check('b', 2000, at(1000))).toThrow(expect.objectContaining({ reason: 'not_allowed' }));
    expect(() => guard.check('', 2000, at(1000))).toThrow(expect.objectContaining({ reason: 'missing' }));
    expect(() => createReplayGuard({ maxEntries: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});
