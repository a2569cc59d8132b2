import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { type AzureClaimOptions, assertGroups, assertRoles, assertScopes, validateAzureClaims } from './azure-claims.js';

const NOW = 1_700_000_000;
const tenant = '62366534-1ec3-4962-8869-9b5535279d0b';
const issuer = `https://login.microsoftonline.com/${tenant}/v2.0`;
const clientId = '7e1c6a2f-3b5d-4e8a-9f0c-1d2e3f4a5b6c';
const options: AzureClaimOptions = { issuer, audience: clientId, now: new Date(NOW * 1000) };

const base = {
  aud: clientId,
  iss: issuer,
  iat: NOW - 60,
  nbf: NOW - 60,
  exp: NOW + 3600,
  sub: 'subject-1',
  oid: 'a1b2c3d4-0000-4000-8000-000000000001',
  tid: tenant,
  ver: '2.0',
  azp: '0f1e2d3c-4b5a-4968-8776-655443322110',
  azp_name: 'dev-gcp:team:caller',
};
const appToken = { ...base, idtyp: 'app', roles: ['access_as_application', 'read'] };
const userToken = { ...base, scp: 'defaultaccess read', NAVident: 'Z990000', groups: ['g-1', 'g-2'] };

describe('validateAzureClaims', () => {
  it('reads an app token: kind app, roles, no scopes', () => {
    const claims = validateAzureClaims(appToken, options);
    expect(claims).toMatchObject({
      kind: 'app',
      roles: ['access_as_application', 'read'],
      scopes: [],
      clientName: 'dev-gcp:team:caller',
      tenantId: tenant,
    });
    assertRoles(claims, ['access_as_application']);
    expect(() => assertScopes(claims, ['defaultaccess'])).toThrow(expect.objectContaining({ claim: 'scp', reason: 'insufficient' }));
  });

  it('reads a user token: kind user, scp split, groups, NAVident', () => {
    const claims = validateAzureClaims(userToken, options);
    expect(claims).toMatchObject({
      kind: 'user',
      scopes: ['defaultaccess', 'read'],
      groups: ['g-1', 'g-2'],
      navIdent: 'Z990000',
      groupsOverage: false,
    });
    assertGroups(claims, ['g-2']);
    expect(() => assertGroups(claims, ['g-3'])).toThrow(expect.objectContaining({ reason: 'insufficient' }));
  });

  it("reads name, preferred_username and the raw payload (what oasis' parseAzureUserToken returns)", () => {
    const withNames = { ...userToken, name: 'Kari Nordmann', preferred_username: 'kari.nordmann@nav.no', ctry: 'NO' };
    const claims = validateAzureClaims(withNames, options);
    expect(claims.name).toBe('Kari Nordmann');
    expect(claims.preferredUsername).toBe('kari.nordmann@nav.no');
    expect(claims.payload.ctry).toBe('NO');
    expect(claims.payload).toBe(withNames);
    expect(validateAzureClaims(appToken, options)).toMatchObject({ name: undefined, preferredUsername: undefined });
  });

  it('printing the claims shows navIdent, name, preferredUsername and the payload redacted', () => {
    const claims = validateAzureClaims({ ...userToken, name: 'Kari Nordmann', preferred_username: 'kari.nordmann@nav.no' }, options);
    for (const printed of [JSON.stringify(claims), String(claims), inspect(claims, { depth: 5 }), `${claims}`]) {
      for (const personal of ['Z990000', 'Kari Nordmann', 'kari.nordmann@nav.no']) expect(printed).not.toContain(personal);
      expect(printed).toContain('[redacted]');
      expect(printed).toContain('defaultaccess');
    }
    expect(JSON.parse(JSON.stringify(claims))).toMatchObject({ navIdent: '[redacted]', payload: '[redacted]', kind: 'user' });
  });

  it('B07: rejects another tenant, a v1 issuer and a v1 token', () => {
    const v1Issuer = `https://sts.windows.net/${tenant}/`;
    expect(() => validateAzureClaims({ ...appToken, iss: v1Issuer }, options)).toThrow(
      expect.objectContaining({ claim: 'iss', reason: 'mismatch' }),
    );
    expect(() => validateAzureClaims({ ...appToken, ver: '1.0' }, options)).toThrow(
      expect.objectContaining({ claim: 'ver', reason: 'mismatch' }),
    );
    const otherTenant = 'ffffffff-1ec3-4962-8869-9b5535279d0b';
    expect(() =>
      validateAzureClaims({ ...appToken, tid: otherTenant, iss: `https://login.microsoftonline.com/${otherTenant}/v2.0` }, options),
    ).toThrow(expect.objectContaining({ claim: 'iss' }));
  });

  it.each(['aud', 'iss', 'iat', 'nbf', 'exp', 'sub', 'oid', 'tid', 'ver', 'azp'])('B08: rejects a token without %s', (claim) => {
    const { [claim]: _removed, ...token } = appToken as Record<string, unknown>;
    expect(() => validateAzureClaims(token, options)).toThrow(expect.objectContaining({ code: 'ERR_CLAIM_VALIDATION', claim }));
  });

  it('B10: rejects an ID token (no scp, no roles), a Graph token and an app token with delegated scopes', () => {
    const idToken = { ...base, nonce: 'n', name: 'Ola Nordmann' };
    expect(() => validateAzureClaims(idToken, options)).toThrow(expect.objectContaining({ claim: 'scp', reason: 'missing' }));
    const graphToken = { ...userToken, aud: '00000003-0000-0000-c000-000000000000' };
    expect(() => validateAzureClaims(graphToken, options)).toThrow(expect.objectContaining({ claim: 'aud', reason: 'mismatch' }));
    expect(() => validateAzureClaims({ ...appToken, scp: 'read' }, options)).toThrow(
      expect.objectContaining({ claim: 'scp', reason: 'not_allowed' }),
    );
  });

  it('C01: multi-tenant issuer template needs tid on the allow-list and substitutes it', () => {
    const template = { ...options, issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', allowedTenantIds: [tenant] };
    expect(validateAzureClaims(appToken, template).issuer).toBe(issuer);
    const stranger = 'ffffffff-1ec3-4962-8869-9b5535279d0b';
    expect(() =>
      validateAzureClaims({ ...appToken, tid: stranger, iss: `https://login.microsoftonline.com/${stranger}/v2.0` }, template),
    ).toThrow(expect.objectContaining({ claim: 'tid', reason: 'not_allowed' }));
    expect(() => validateAzureClaims({ ...appToken, tid: 'not-a-guid' }, template)).toThrow(
      expect.objectContaining({ claim: 'tid', reason: 'invalid' }),
    );
    expect(() => validateAzureClaims(appToken, { ...template, allowedTenantIds: [] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
    // The template's tid must be the token's own tid: a token from the allowed tenant claiming another issuer fails.
    expect(() =>
      validateAzureClaims({ ...appToken, iss: 'https://login.microsoftonline.com/ffffffff-1ec3-4962-8869-9b5535279d0b/v2.0' }, template),
    ).toThrow(expect.objectContaining({ claim: 'iss', reason: 'mismatch' }));
  });

  it('C02: tells app from user tokens by idtyp only, and can require one kind', () => {
    expect(validateAzureClaims({ ...userToken, idtyp: 'user' }, options).kind).toBe('user');
    expect(() => validateAzureClaims(userToken, { ...options, kind: 'app' })).toThrow(
      expect.objectContaining({ claim: 'idtyp', reason: 'mismatch' }),
    );
    expect(() => validateAzureClaims(appToken, { ...options, kind: 'user' })).toThrow(expect.objectContaining({ claim: 'idtyp' }));
    expect(() => validateAzureClaims({ ...appToken, idtyp: 'device' }, options)).toThrow(
      expect.objectContaining({ claim: 'idtyp', reason: 'invalid' }),
    );
    // A token with roles but no idtyp is not an app token: authorizing on azp alone must not work.
    const { idtyp: _idtyp, ...noIdtyp } = appToken;
    expect(() => validateAzureClaims(noIdtyp, { ...options, kind: 'app' })).toThrow(expect.objectContaining({ claim: 'scp' }));
  });

  it('C03: a groups overage fails closed instead of meaning "no groups"', () => {
    const { groups: _groups, ...rest } = userToken;
    const overage = {
      ...rest,
      _claim_names: { groups: 'src1' },
      _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/...' } },
    };
    const claims = validateAzureClaims(overage, options);
    expect(claims.groupsOverage).toBe(true);
    expect(claims.groups).toBeUndefined();
    expect(() => assertGroups(claims, ['g-1'])).toThrow(expect.objectContaining({ claim: 'groups', reason: 'overage' }));
  });

  it.each([
    ['hasgroups: true', { hasgroups: true }],
    ['hasgroups with an odd value', { hasgroups: 'true' }],
    ['_claim_names.groups beside a partial groups list', { _claim_names: { groups: 'src1' }, groups: ['g-1'] }],
  ])('C03: %s is a groups overage: groups unknown, assertGroups refuses with reason overage', (_name, extra) => {
    const { groups: _groups, ...rest } = userToken;
    const claims = validateAzureClaims({ ...rest, ...extra }, options);
    expect([claims.groupsOverage, claims.groups]).toEqual([true, undefined]);
    expect(() => assertGroups(claims, ['g-1'])).toThrow(expect.objectContaining({ claim: 'groups', reason: 'overage' }));
  });

  it('no overage without a sign of one: hasgroups false, or _claim_names for another claim', () => {
    for (const extra of [{ hasgroups: false }, { _claim_names: { roles: 'src1' } }]) {
      const claims = validateAzureClaims({ ...userToken, ...extra }, options);
      expect(claims.groupsOverage).toBe(false);
      expect(claims.groups).toEqual(userToken.groups);
    }
  });

  it('rejects malformed roles, groups and scp', () => {
    expect(() => validateAzureClaims({ ...appToken, roles: 'access_as_application' }, options)).toThrow(
      expect.objectContaining({ claim: 'roles' }),
    );
    expect(() => validateAzureClaims({ ...userToken, groups: [1] }, options)).toThrow(expect.objectContaining({ claim: 'groups' }));
    expect(() => validateAzureClaims({ ...userToken, scp: 'a  b' }, options)).toThrow(expect.objectContaining({ claim: 'scp' }));
  });

  it('never quotes claim values such as NAVident in its errors', () => {
    const error = caught(() => validateAzureClaims({ ...userToken, NAVident: 12345, sub: 'Z990000' }, options));
    expect(error).toMatchObject({ code: 'ERR_CLAIM_VALIDATION', claim: 'NAVident' });
    expect((error as Error).message).not.toContain('12345');
    expect((error as Error).message).not.toContain('Z990000');
  });
});
