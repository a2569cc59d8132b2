import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { checkTokenXSubjectToken } from './tokenx-subject-token.js';

const NOW = 1_700_000_000;
const tokenXIssuer = 'https://tokenx.dev-gcp.nav.cloud.nais.io';
const options = { tokenXIssuer, clientId: 'dev-gcp:team:app-b', now: new Date(NOW * 1000) };
const jwt = (payload: unknown) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('checkTokenXSubjectToken', () => {
  it('passes an ID-porten token and a TokenX token for this app', () => {
    checkTokenXSubjectToken(jwt({ iss: 'https://test.idporten.no', aud: 'client', exp: NOW + 60 }), options);
    checkTokenXSubjectToken(jwt({ iss: tokenXIssuer, aud: 'dev-gcp:team:app-b', exp: NOW + 60 }), options);
    checkTokenXSubjectToken(jwt({ iss: tokenXIssuer, aud: ['dev-gcp:team:x', 'dev-gcp:team:app-b'], exp: NOW + 60 }), options);
  });

  it.each([
    ['for another app', { aud: 'dev-gcp:team:app-c' }],
    ['without aud', { aud: undefined }],
    ['with a malformed aud', { aud: [] }],
  ])('refuses a TokenX token %s, with a coded error that says why', (_what, change) => {
    const error = caught(() => checkTokenXSubjectToken(jwt({ iss: tokenXIssuer, exp: NOW + 60, ...change }), options));
    expect(error).toMatchObject({ code: 'ERR_INVALID_INPUT', field: 'subjectToken' });
    expect((error as Error).message).toContain('TOKEN_X_CLIENT_ID');
  });

  it('refuses an expired subject token before the call', () => {
    expect(caught(() => checkTokenXSubjectToken(jwt({ iss: 'https://test.idporten.no', exp: NOW }), options))).toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: expect.stringContaining('expired'),
    });
  });

  it.each([
    '',
    'a.b',
    'a.b.c.d',
    'x.!!!.y',
    `h.${Buffer.from('[1]').toString('base64url')}.s`,
    `h.${Buffer.from('{').toString('base64url')}.s`,
  ])('refuses %j as not a JWT, without echoing it', (token) => {
    const error = caught(() => checkTokenXSubjectToken(token, options));
    expect(error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'invalid subjectToken: is not a JWT' });
  });
});
