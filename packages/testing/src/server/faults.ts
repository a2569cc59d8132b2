/** A misbehaviour to inject on one endpoint, to test a client's resilience. */
export type Fault =
  /** Answer normally, after `ms` milliseconds. */
  | { readonly type: 'delay'; readonly ms: number }
  /** Accept the request and never answer (until the IdP closes). */
  | { readonly type: 'hang' }
  /** Reset the TCP connection (RST) without answering. */
  | { readonly type: 'reset' }
  /** Answer with this status (e.g. 500, 503, 429), optionally with `Retry-After` (seconds or an HTTP-date). */
  | { readonly type: 'status'; readonly status: number; readonly retryAfter?: number | string }
  /** Answer 200 with a body that is not JSON. */
  | { readonly type: 'garbage' }
  /** Start the normal answer, then close the connection halfway through the body. */
  | { readonly type: 'truncated' };

interface Armed {
  readonly fault: Fault;
  remaining: number;
}

/** Faults armed per endpoint; each fires `times` times (default: until cleared). */
export class FaultTable<Endpoint extends string> {
  private readonly armed = new Map<Endpoint, Armed[]>();

  inject(endpoint: Endpoint, fault: Fault, times = Number.POSITIVE_INFINITY): void {
    if (!(times >= 1)) throw new RangeError('times must be at least 1');
    const queue = this.armed.get(endpoint) ?? [];
    queue.push({ fault, remaining: times });
    this.armed.set(endpoint, queue);
  }

  clear(endpoint?: Endpoint): void {
    if (endpoint === undefined) this.armed.clear();
    else this.armed.delete(endpoint);
  }

  /** Takes the next fault for `endpoint`, if one is armed. */
  take(endpoint: Endpoint): Fault | undefined {
    const queue = this.armed.get(endpoint);
    const next = queue?.[0];
    if (queue === undefined || next === undefined) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) queue.shift();
    return next.fault;
  }
}
