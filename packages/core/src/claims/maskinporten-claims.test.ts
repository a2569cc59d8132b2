import { describe, expect, it } from 'vitest';
import { type MaskinportenClaimOptions, validateMaskinportenClaims } from './maskinporten-claims.js';

const NOW = 1_700_000_000;
const issuer = 'https://maskinporten.no/';
const options: MaskinportenClaimOptions = { issuer, requiredScopes: ['nav:arbeid:some.scope.read'], now: new Date(NOW * 1000) };
const token = {
  iss: issuer,
  scope: 'nav:arbeid:some.scope.read nav:other',
  client_id: '60dea49a-255b-48b5-b0c0-0974ac1c0b53',
  client_amr: 'private_key_jwt',
  consumer: { authority: 'iso6523-actorid-upis', ID: '0192:889640782' },
  iat: NOW - 10,
  exp: NOW + 110,
  jti: 'jti-1',
};

describe('validateMaskinportenClaims', () => {
  it('reads scopes, client id and consumer org', () => {
    expect(validateMaskinportenClaims(token, options)).toMatchObject({
      clientId: token.client_id,
      consumerOrg: '889640782',
      scopes: ['nav:arbeid:some.scope.read', 'nav:other'],
      audience: undefined,
      systemUser: undefined,
      supplierOrg: undefined,
    });
  });

  it.each(['iss', 'exp', 'iat', 'scope', 'client_id', 'consumer', 'jti'])('B08: rejects a token without %s', (claim) => {
    const { [claim]: _removed, ...rest } = token as Record<string, unknown>;
    expect(() => validateMaskinportenClaims(rest, options)).toThrow(expect.objectContaining({ code: 'ERR_CLAIM_VALIDATION', claim }));
  });

  it('B10: rejects a Maskinporten JWT grant replayed to the API', () => {
    const grant = { aud: issuer, iss: token.client_id, scope: 'nav:arbeid:some.scope.read', iat: NOW - 5, exp: NOW + 25, jti: 'g' };
    expect(() => validateMaskinportenClaims(grant, options)).toThrow(expect.objectContaining({ claim: 'iss', reason: 'mismatch' }));
  });

  it('C04: rejects a test token at a production validator', () => {
    expect(() => validateMaskinportenClaims({ ...token, iss: 'https://test.maskinporten.no/' }, options)).toThrow(
      expect.objectContaining({ claim: 'iss', reason: 'mismatch' }),
    );
  });

  it('C05: requires aud only when an audience is configured', () => {
    const withAudience = { ...options, audience: 'https://api.nav.no/arbeid' };
    expect(() => validateMaskinportenClaims(token, withAudience)).toThrow(expect.objectContaining({ claim: 'aud', reason: 'missing' }));
    expect(validateMaskinportenClaims({ ...token, aud: 'https://api.nav.no/arbeid' }, withAudience).audience).toEqual([
      'https://api.nav.no/arbeid',
    ]);
    expect(() => validateMaskinportenClaims({ ...token, aud: 'https://api.nav.no/other' }, withAudience)).toThrow(
      expect.objectContaining({ claim: 'aud', reason: 'mismatch' }),
    );
    expect(validateMaskinportenClaims({ ...token, aud: 'https://api.nav.no/other' }, options).audience).toEqual([
      'https://api.nav.no/other',
    ]);
  });

  it.each<[string, unknown]>([
    ['a wrong authority', { authority: 'iso6523', ID: '0192:889640782' }],
    ['no 0192: prefix', { authority: 'iso6523-actorid-upis', ID: '889640782' }],
    ['an 8-digit orgno', { authority: 'iso6523-actorid-upis', ID: '0192:88964078' }],
    ['a bad check digit', { authority: 'iso6523-actorid-upis', ID: '0192:889640781' }],
    ['lowercase id', { authority: 'iso6523-actorid-upis', id: '0192:889640782' }],
    ['a string', '0192:889640782'],
  ])('C06: rejects a consumer with %s', (_name, consumer) => {
    expect(() => validateMaskinportenClaims({ ...token, consumer }, options)).toThrow(
      expect.objectContaining({ code: 'ERR_CLAIM_VALIDATION' }),
    );
  });

  it('C06: checks a consumer allow-list and reads the supplier', () => {
    expect(() => validateMaskinportenClaims(token, { ...options, allowedConsumerOrgs: ['974760673'] })).toThrow(
      expect.objectContaining({ claim: 'consumer', reason: 'not_allowed' }),
    );
    const delegated = { ...token, supplier: { authority: 'iso6523-actorid-upis', ID: '0192:974760673' } };
    expect(validateMaskinportenClaims(delegated, { ...options, allowedConsumerOrgs: ['889640782'] }).supplierOrg).toBe('974760673');
    expect(() => validateMaskinportenClaims(token, { ...options, allowedConsumerOrgs: ['123'] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
  });

  it('C08: rejects a system-user token without the API scope', () => {
    const systemUserToken = {
      ...token,
      scope: 'altinn:something',
      authorization_details: [
        {
          type: 'urn:altinn:systemuser',
          systemuser_id: ['a6355a68-86b8-4344-8a81-0248cb461468'],
          system_id: '991825827_the_matrix',
          systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:313367002' },
        },
      ],
    };
    expect(() => validateMaskinportenClaims(systemUserToken, options)).toThrow(
      expect.objectContaining({ claim: 'scope', reason: 'insufficient' }),
    );
    const allowed = validateMaskinportenClaims(
      { ...systemUserToken, scope: 'nav:arbeid:some.scope.read' },
      { ...options, requireSystemUser: true },
    );
    expect(allowed.systemUser).toEqual({
      id: 'a6355a68-86b8-4344-8a81-0248cb461468',
      systemId: '991825827_the_matrix',
      customerOrg: '313367002',
    });
    expect(() => validateMaskinportenClaims(token, { ...options, requireSystemUser: true })).toThrow(
      expect.objectContaining({ claim: 'authorization_details', reason: 'missing' }),
    );
  });

  it('refuses to run without required scopes, since scope is what authorizes', () => {
    expect(() => validateMaskinportenClaims(token, { ...options, requiredScopes: [] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
  });
});
