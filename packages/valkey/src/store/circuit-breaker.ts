/** `closed`: commands go out; `open`: none do; `half_open`: one probe is out to test the server. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** Why the circuit changed state. */
export type CircuitTransition =
  | { readonly state: 'open'; readonly reason: 'consecutive_failures' | 'probe_failed' }
  | { readonly state: 'closed'; readonly reason: 'probe_succeeded' };

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failures: number;
  /** How long the circuit stays open before one probe may go out. */
  readonly openMs: number;
  readonly clock: () => number;
  readonly onTransition: (transition: CircuitTransition) => void;
}

/** Admits or refuses commands; see {@link createCircuitBreaker}. */
export interface CircuitBreaker {
  readonly state: CircuitState;
  /** `'pass'` or `'probe'` when a command may go out now (report its outcome with the same value), else `false`. */
  admit(): 'pass' | 'probe' | false;
  /** Reports a command's outcome. */
  settle(admission: 'pass' | 'probe', ok: boolean): void;
}

/**
 * A consecutive-failure circuit breaker: after `failures` failures in a row it opens for `openMs`,
 * then lets exactly one probe through; the probe's success closes it, its failure opens it again.
 * Outcomes of commands admitted before the circuit opened do not move it once open, so a burst of
 * late timeouts cannot extend the pause, nor a late success end it early.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  let state: CircuitState = 'closed';
  let consecutive = 0;
  let openUntil = 0;
  const open = (reason: 'consecutive_failures' | 'probe_failed') => {
    state = 'open';
    openUntil = options.clock() + options.openMs;
    options.onTransition({ state: 'open', reason });
  };
  return {
    get state() {
      return state;
    },
    admit() {
      if (state === 'closed') return 'pass';
      if (state === 'open' && options.clock() >= openUntil) {
        state = 'half_open';
        return 'probe';
      }
      return false;
    },
    settle(admission, ok) {
      if (admission === 'probe') {
        if (ok) {
          state = 'closed';
          consecutive = 0;
          options.onTransition({ state: 'closed', reason: 'probe_succeeded' });
        } else {
          open('probe_failed');
        }
        return;
      }
      if (state !== 'closed') return;
      if (ok) consecutive = 0;
      else if (++consecutive >= options.failures) open('consecutive_failures');
    },
  };
}
