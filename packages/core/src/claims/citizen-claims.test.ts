import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import {
  assertLoginLevel,
  type CitizenClaimOptions,
  IDPORTEN_ACR,
  loginLevelOf,
  validateIdportenClaims,
  validateTokenXClaims,
} from './citizen-claims.js';

const NOW = 1_700_000_000;
const pid = '12345678901';
const idportenIssuer = 'https://test.idporten.no';
const tokenXIssuer = 'https://tokenx.dev-gcp.nav.cloud.nais.io';
const now = new Date(NOW * 1000);

const idporten = {
  iss: idportenIssuer,
  aud: 'idporten-client-1',
  sub: 'pairwise-1',
  pid,
  acr: 'idporten-loa-high',
  amr: ['BankID'],
  client_id: 'idporten-client-1',
  scope: 'openid',
  iat: NOW - 60,
  exp: NOW + 3600,
};
const tokenX = {
  ...idporten,
  iss: tokenXIssuer,
  aud: 'dev-gcp:team:app-b',
  acr: 'Level4',
  client_id: 'dev-gcp:team:app-a',
  idp: idportenIssuer,
  nbf: NOW - 5,
};
const idportenOptions: CitizenClaimOptions = { issuer: idportenIssuer, audience: 'idporten-client-1', now };
const tokenXOptions: CitizenClaimOptions = { issuer: tokenXIssuer, audience: 'dev-gcp:team:app-b', now };

describe('loginLevelOf', () => {
  it('reads both naming schemes and nothing else', () => {
    expect(loginLevelOf('idporten-loa-high')).toBe('high');
    expect(loginLevelOf('Level4')).toBe('high');
    expect(loginLevelOf('idporten-loa-substantial')).toBe('substantial');
    expect(loginLevelOf('Level3')).toBe('substantial');
    for (const other of ['level4', 'Level2', 'idporten-loa-low', 'IDPORTEN-LOA-HIGH', ' Level4', 'toString', '__proto__', 4, undefined]) {
      expect(loginLevelOf(other)).toBeUndefined();
    }
    expect(IDPORTEN_ACR).toEqual({ high: 'idporten-loa-high', substantial: 'idporten-loa-substantial' });
  });
});

describe('validateIdportenClaims', () => {
  it('gives typed claims of an ID-porten access token', () => {
    expect({ ...validateIdportenClaims(idporten, idportenOptions) }).toStrictEqual({
      issuer: idportenIssuer,
      audience: ['idporten-client-1'],
      subject: 'pairwise-1',
      pid,
      loginLevel: 'high',
      acr: 'idporten-loa-high',
      amr: ['BankID'],
      clientId: 'idporten-client-1',
      idp: undefined,
      issuedAt: NOW - 60,
      expiresAt: NOW + 3600,
      notBefore: undefined,
    });
  });

  it("requires high by default; 'substantial' accepts both levels", () => {
    const substantial = { ...idporten, acr: 'idporten-loa-substantial' };
    expect(caught(() => validateIdportenClaims(substantial, idportenOptions))).toMatchObject({ claim: 'acr', reason: 'insufficient' });
    expect(validateIdportenClaims(substantial, { ...idportenOptions, requiredLoginLevel: 'substantial' }).loginLevel).toBe('substantial');
    expect(validateIdportenClaims(idporten, { ...idportenOptions, requiredLoginLevel: 'substantial' }).loginLevel).toBe('high');
  });

  it.each([
    ['a wrong acr', { acr: 'Level2' }, 'acr', 'invalid'],
    ['no acr', { acr: undefined }, 'acr', 'missing'],
    ['no pid', { pid: undefined }, 'pid', 'missing'],
    ['a pid that is not 11 digits', { pid: '1234567890' }, 'pid', 'invalid'],
    ['a numeric pid', { pid: 12345678901 }, 'pid', 'invalid'],
    ['a wrong aud', { aud: 'another-client' }, 'aud', 'mismatch'],
    ['a wrong issuer', { iss: 'https://idporten.no' }, 'iss', 'mismatch'],
    ['no client_id (an ID token)', { client_id: undefined }, 'client_id', 'missing'],
    ['an expired token', { exp: NOW - 11 }, 'exp', 'expired'],
    ['no iat', { iat: undefined }, 'iat', 'missing'],
    ['amr not an array', { amr: 'BankID' }, 'amr', 'invalid'],
  ])('refuses %s', (_what, change, claim, reason) => {
    expect(caught(() => validateIdportenClaims({ ...idporten, ...change }, idportenOptions))).toMatchObject({
      code: 'ERR_CLAIM_VALIDATION',
      claim,
      reason,
    });
  });

  it('checks allowedClients, and refuses an empty or malformed list as a mistake', () => {
    expect(validateIdportenClaims(idporten, { ...idportenOptions, allowedClients: ['idporten-client-1'] }).clientId).toBe(
      'idporten-client-1',
    );
    expect(caught(() => validateIdportenClaims(idporten, { ...idportenOptions, allowedClients: ['other'] }))).toMatchObject({
      claim: 'client_id',
      reason: 'not_allowed',
    });
    expect(caught(() => validateIdportenClaims(idporten, { ...idportenOptions, allowedClients: [] }))).toMatchObject({
      code: 'ERR_INVALID_INPUT',
      field: 'allowedClients',
    });
  });

  it('shows pid redacted wherever the claims are printed, and readable as a property', () => {
    const claims = validateIdportenClaims(idporten, idportenOptions);
    expect(claims.pid).toBe(pid);
    for (const printed of [JSON.stringify(claims), inspect(claims), `${claims}`, JSON.stringify({ nested: [claims] })]) {
      expect(printed).not.toContain(pid);
      expect(printed).toContain('[redacted]');
      expect(printed).toContain('idporten-client-1');
    }
  });

  it('never puts the pid in an error', () => {
    const error = caught(() => validateIdportenClaims({ ...idporten, acr: 'Level1' }, idportenOptions));
    expect(`${error} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain(pid);
  });
});

describe('validateTokenXClaims', () => {
  it('reads a TokenX token: the mapped acr, client_id of the caller, idp', () => {
    const claims = validateTokenXClaims(tokenX, { ...tokenXOptions, allowedClients: ['dev-gcp:team:app-a'] });
    expect(claims).toMatchObject({
      loginLevel: 'high',
      acr: 'Level4',
      clientId: 'dev-gcp:team:app-a',
      idp: idportenIssuer,
      audience: ['dev-gcp:team:app-b'],
      notBefore: NOW - 5,
    });
  });

  it('maps Level3 to substantial and refuses it where high is required', () => {
    const level3 = { ...tokenX, acr: 'Level3' };
    expect(caught(() => validateTokenXClaims(level3, tokenXOptions))).toMatchObject({ claim: 'acr', reason: 'insufficient' });
    expect(validateTokenXClaims(level3, { ...tokenXOptions, requiredLoginLevel: 'substantial' }).loginLevel).toBe('substantial');
  });

  it.each([
    ['no idp', { idp: undefined }, 'idp', 'missing'],
    ['no client_id', { client_id: undefined }, 'client_id', 'missing'],
    ['a token for another app', { aud: 'dev-gcp:team:app-c' }, 'aud', 'mismatch'],
    ['an ID-porten token', { iss: idportenIssuer }, 'iss', 'mismatch'],
  ])('refuses %s', (_what, change, claim, reason) => {
    expect(caught(() => validateTokenXClaims({ ...tokenX, ...change }, tokenXOptions))).toMatchObject({ claim, reason });
  });

  it('refuses a caller outside allowedClients', () => {
    expect(caught(() => validateTokenXClaims(tokenX, { ...tokenXOptions, allowedClients: ['dev-gcp:team:app-c'] }))).toMatchObject({
      claim: 'client_id',
      reason: 'not_allowed',
    });
  });
});

describe('assertLoginLevel', () => {
  it('high needs high; substantial takes both; anything else is a programming error', () => {
    assertLoginLevel({ loginLevel: 'high' }, 'high');
    assertLoginLevel({ loginLevel: 'high' }, 'substantial');
    assertLoginLevel({ loginLevel: 'substantial' }, 'substantial');
    expect(caught(() => assertLoginLevel({ loginLevel: 'substantial' }, 'high'))).toMatchObject({ claim: 'acr', reason: 'insufficient' });
    expect(caught(() => assertLoginLevel({ loginLevel: 'high' }, 'Level4' as 'high'))).toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });
});
