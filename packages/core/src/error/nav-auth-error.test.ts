import { describe, expect, it } from 'vitest';
import {
  ClaimValidationError,
  ConfigError,
  DiscoveryError,
  isNavAuthError,
  KeyError,
  KeySetUnavailableError,
  NavAuthError,
  PdpTransportError,
  TimeoutError,
  TokenEndpointError,
  TokenValidationError,
  TransportError,
} from './nav-auth-error.js';

describe('isNavAuthError', () => {
  it('recognizes every subclass by code and optionally checks the code', () => {
    const errors = [
      new ConfigError([{ variable: 'X', reason: 'is missing' }]),
      new KeyError('weak_key', 'too small'),
      new ClaimValidationError('exp', 'expired'),
      new TokenEndpointError(400, 'invalid_grant', undefined),
      new TransportError('connection reset'),
      new TimeoutError('token request', 5000),
      new PdpTransportError('PDP unreachable'),
      new TokenValidationError('invalid_signature', 'the signature does not verify'),
      new KeySetUnavailableError('the JWKS could not be fetched'),
      new DiscoveryError('issuer mismatch'),
    ];
    expect(errors.map((e) => e.code)).toEqual([
      'ERR_CONFIG',
      'ERR_KEY',
      'ERR_CLAIM_VALIDATION',
      'ERR_TOKEN_ENDPOINT',
      'ERR_TRANSPORT',
      'ERR_TIMEOUT',
      'ERR_PDP_TRANSPORT',
      'ERR_TOKEN_INVALID',
      'ERR_JWKS_UNAVAILABLE',
      'ERR_DISCOVERY',
    ]);
    for (const error of errors) {
      expect(isNavAuthError(error)).toBe(true);
      expect(isNavAuthError(error, error.code)).toBe(true);
      expect(error).toBeInstanceOf(NavAuthError);
      expect(error.name).toBe(error.constructor.name);
    }
    expect(isNavAuthError(errors[0], 'ERR_KEY')).toBe(false);
    const claim: unknown = new ClaimValidationError('aud', 'mismatch');
    // Narrowed by code: the subclass members are typed without a cast.
    if (isNavAuthError(claim, 'ERR_CLAIM_VALIDATION')) expect([claim.claim, claim.reason]).toEqual(['aud', 'mismatch']);
    else throw new Error('expected a claim validation error');
  });

  it('recognizes an error from another installed copy of core by its brand, not its class', () => {
    const foreign = Object.assign(new Error('from another copy'), { code: 'ERR_TIMEOUT' });
    Object.defineProperty(foreign, Symbol.for('@nav-auth/core/error'), { value: true });
    expect(isNavAuthError(foreign, 'ERR_TIMEOUT')).toBe(true);
    expect(isNavAuthError(Object.assign(new Error('look-alike'), { code: 'ERR_TIMEOUT' }))).toBe(false);
    expect(isNavAuthError(null)).toBe(false);
    expect(isNavAuthError('ERR_TIMEOUT')).toBe(false);
  });

  it('chains the cause', () => {
    const cause = new Error('ECONNRESET');
    expect(new TransportError('reset', { cause }).cause).toBe(cause);
  });

  it('builds readable messages from claim and reason', () => {
    expect(new ClaimValidationError('nbf', 'not_yet_valid').message).toBe('claim "nbf" not yet valid');
    expect(new TokenEndpointError(400, 'invalid_grant', 'bad grant').message).toBe('token endpoint answered 400 invalid_grant: bad grant');
  });
});
