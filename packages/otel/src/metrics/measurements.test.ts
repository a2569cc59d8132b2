import { describe, expect, it } from 'vitest';
import { measurementsOf } from './measurements.js';

describe('measurementsOf', () => {
  it('maps PDP decisions and requests to decision, kind, cached and seconds', () => {
    expect(measurementsOf('pdp', { type: 'decision', permit: false, kind: 'policy', reason: 'NotApplicable', cached: true })).toEqual([
      { metric: 'nav_auth.pdp.decisions', value: 1, attributes: { decision: 'deny', kind: 'policy', cached: 'true' } },
    ]);
    expect(measurementsOf('pdp', { type: 'pdp_request', decisions: 3, status: 200, durationMs: 250 })).toEqual([
      { metric: 'nav_auth.pdp.request.duration', value: 0.25, attributes: { outcome: 'success' } },
    ]);
  });

  it('maps a failed JWKS fetch with its error code, host and port', () => {
    expect(
      measurementsOf('jwks', {
        type: 'jwks_fetch_failed',
        jwksHost: 'login.example:8443',
        errorCode: 'ERR_TRANSPORT',
        durationMs: 5,
        failures: 2,
        retryInMs: 1000,
      }),
    ).toEqual([
      {
        metric: 'nav_auth.jwks.fetches',
        value: 1,
        attributes: { outcome: 'error', 'server.address': 'login.example', 'server.port': '8443', 'error.type': 'ERR_TRANSPORT' },
      },
    ]);
  });

  it('counts a token endpoint answer that is not 2xx as an error even without an error code', () => {
    const [requests] = measurementsOf('token', {
      type: 'upstream_request',
      provider: 'azure',
      attempt: 1,
      durationMs: 3,
      status: 503,
      errorCode: undefined,
    });
    expect(requests?.attributes).toEqual({ provider: 'azure', outcome: 'error', 'error.type': 'ERR_HTTP_STATUS' });
  });

  it('copies no field it does not know, whatever a future event carries', () => {
    const leaky = { type: 'cache_hit', provider: 'tokenx', subjectToken: 'eyJ.secret', pid: '01017012345' };
    expect(measurementsOf('token', leaky)).toEqual([
      { metric: 'nav_auth.cache.lookups', value: 1, attributes: { provider: 'tokenx', result: 'hit' } },
    ]);
    expect(measurementsOf('token', { type: 'refresh_started', provider: 'tokenx' })).toEqual([]);
    expect(measurementsOf('validation', null)).toEqual([]);
  });
});
