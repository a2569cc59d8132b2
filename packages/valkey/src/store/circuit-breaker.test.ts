import { describe, expect, it } from 'vitest';
import { type CircuitTransition, createCircuitBreaker } from './circuit-breaker.js';

const setup = () => {
  let now = 1_000_000;
  const transitions: CircuitTransition[] = [];
  const breaker = createCircuitBreaker({ failures: 3, openMs: 1000, clock: () => now, onTransition: (t) => transitions.push(t) });
  const fail = () => breaker.settle(breaker.admit() || 'pass', false);
  return { breaker, transitions, fail, advance: (ms: number) => (now += ms) };
};

describe('createCircuitBreaker', () => {
  it('opens after the configured number of consecutive failures, and a success resets the count', () => {
    const { breaker, transitions, fail } = setup();
    fail();
    fail();
    breaker.settle(breaker.admit() || 'pass', true);
    fail();
    fail();
    expect(breaker.state).toBe('closed');
    fail();
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual([{ state: 'open', reason: 'consecutive_failures' }]);
    expect(breaker.admit()).toBe(false);
  });

  it('lets exactly one probe through after openMs; its success closes the circuit', () => {
    const { breaker, transitions, fail, advance } = setup();
    for (let i = 0; i < 3; i++) fail();
    advance(999);
    expect(breaker.admit()).toBe(false);
    advance(1);
    expect(breaker.admit()).toBe('probe');
    expect(breaker.state).toBe('half_open');
    expect(breaker.admit()).toBe(false);
    breaker.settle('probe', true);
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toBe('pass');
    expect(transitions.at(-1)).toEqual({ state: 'closed', reason: 'probe_succeeded' });
  });

  it('opens again for openMs when the probe fails', () => {
    const { breaker, transitions, fail, advance } = setup();
    for (let i = 0; i < 3; i++) fail();
    advance(1000);
    breaker.settle(breaker.admit() || 'pass', false);
    expect(breaker.state).toBe('open');
    expect(transitions.at(-1)).toEqual({ state: 'open', reason: 'probe_failed' });
    advance(999);
    expect(breaker.admit()).toBe(false);
    advance(1);
    expect(breaker.admit()).toBe('probe');
  });

  it('ignores late outcomes of commands admitted before it opened', () => {
    const { breaker, fail, advance } = setup();
    const late = [breaker.admit(), breaker.admit()];
    for (let i = 0; i < 3; i++) fail();
    breaker.settle(late[0] || 'pass', true);
    expect(breaker.state).toBe('open');
    advance(1000);
    expect(breaker.admit()).toBe('probe');
    breaker.settle(late[1] || 'pass', false);
    expect(breaker.state).toBe('half_open');
  });
});
