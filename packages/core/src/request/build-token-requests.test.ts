import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  buildClientCredentialsRequest,
  buildMaskinportenTokenRequest,
  buildOnBehalfOfRequest,
  buildTokenExchangeRequest,
  buildTokenXExchangeRequest,
} from './build-token-requests.js';

const tokenEndpoint = 'https://test.maskinporten.no/token';
const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe('buildMaskinportenTokenRequest', () => {
  it('posts the JWT-bearer grant as a form (E11)', () => {
    const request = buildMaskinportenTokenRequest({ tokenEndpoint, grant: 'eyJh.eyJp.c2ln' });
    expect(request).toMatchObject({ url: tokenEndpoint, method: 'POST' });
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.body).toBe('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJh.eyJp.c2ln');
  });

  it('refuses a plain-http endpoint except on loopback', () => {
    expect(() => buildMaskinportenTokenRequest({ tokenEndpoint: 'http://maskinporten.no/token', grant: 'g' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'tokenEndpoint' }),
    );
    expect(buildMaskinportenTokenRequest({ tokenEndpoint: 'http://127.0.0.1:8080/token', grant: 'g' }).url).toBe(
      'http://127.0.0.1:8080/token',
    );
  });

  it('shows no grant when serialized or inspected', () => {
    const request = buildMaskinportenTokenRequest({ tokenEndpoint, grant: 'SECRET-GRANT' });
    expect(JSON.stringify(request)).not.toContain('SECRET-GRANT');
    expect(inspect(request)).not.toContain('SECRET-GRANT');
    expect(String(request)).not.toContain('SECRET-GRANT');
    expect(JSON.parse(JSON.stringify(request)).parameters).toEqual(['grant_type', 'assertion']);
  });
});

describe('buildClientCredentialsRequest', () => {
  const scopes = ['api://dev-gcp.team.app/.default'];

  it('sends client_secret_post with percent-encoding of special characters (E11)', () => {
    const secret = 'a+b/c=d&e f%~';
    const request = buildClientCredentialsRequest({
      tokenEndpoint,
      clientId: 'id',
      scopes,
      auth: { method: 'client_secret_post', clientSecret: secret },
    });
    expect(form(request.body)).toEqual({ grant_type: 'client_credentials', scope: scopes[0], client_id: 'id', client_secret: secret });
    expect(request.body).toContain('client_secret=a%2Bb%2Fc%3Dd%26e+f%25%7E');
    expect(request.headers.authorization).toBeUndefined();
  });

  it('sends client_secret_basic form-encoded before base64 (RFC 6749 §2.3.1)', () => {
    const request = buildClientCredentialsRequest({
      tokenEndpoint,
      clientId: 'my:client',
      scopes,
      auth: { method: 'client_secret_basic', clientSecret: 'p@ss wörd' },
    });
    const decoded = Buffer.from((request.headers.authorization as string).replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(decoded).toBe('my%3Aclient:p%40ss+w%C3%B6rd');
    expect(form(request.body)).not.toHaveProperty('client_secret');
    expect(inspect(request)).not.toContain(request.headers.authorization as string);
  });

  it('sends private_key_jwt with the RFC 7523 assertion type (E11)', () => {
    const request = buildClientCredentialsRequest({
      tokenEndpoint,
      clientId: 'id',
      scopes: ['read', 'write'],
      resource: 'https://api.example/',
      auth: { method: 'private_key_jwt', clientAssertion: 'a.b.c' },
    });
    expect(form(request.body)).toEqual({
      grant_type: 'client_credentials',
      scope: 'read write',
      resource: 'https://api.example/',
      client_id: 'id',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'a.b.c',
    });
  });

  it('refuses an unknown authentication method and empty secrets', () => {
    expect(() => buildClientCredentialsRequest({ tokenEndpoint, clientId: 'id', scopes, auth: { method: 'none' } as never })).toThrow(
      expect.objectContaining({ field: 'auth.method' }),
    );
    expect(() =>
      buildClientCredentialsRequest({ tokenEndpoint, clientId: 'id', scopes, auth: { method: 'client_secret_post', clientSecret: '' } }),
    ).toThrow(expect.objectContaining({ field: 'clientSecret' }));
  });
});

describe('buildOnBehalfOfRequest', () => {
  it('builds the Azure on-behalf-of form of seed 002', () => {
    const request = buildOnBehalfOfRequest({
      tokenEndpoint: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
      clientId: 'id',
      auth: { method: 'private_key_jwt', clientAssertion: 'x.y.z' },
      subjectToken: 'user.token.sig',
      scopes: ['api://prod-gcp.team.app/.default'],
    });
    expect(form(request.body)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: 'user.token.sig',
      scope: 'api://prod-gcp.team.app/.default',
      requested_token_use: 'on_behalf_of',
      client_id: 'id',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'x.y.z',
    });
    expect(JSON.stringify(request)).not.toContain('user.token.sig');
  });
});

describe('buildTokenExchangeRequest', () => {
  it('builds an RFC 8693 request with the jwt token type by default', () => {
    const request = buildTokenExchangeRequest({ tokenEndpoint, subjectToken: 's.t.x', audience: 'dev-gcp:team:app' });
    expect(form(request.body)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 's.t.x',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      audience: 'dev-gcp:team:app',
    });
  });

  it('adds client authentication, scopes and requested token type when given', () => {
    const request = buildTokenExchangeRequest({
      tokenEndpoint,
      subjectToken: 's',
      scopes: ['a'],
      requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
      client: { clientId: 'c', auth: { method: 'private_key_jwt', clientAssertion: 'x' } },
    });
    expect(form(request.body)).toMatchObject({
      scope: 'a',
      client_id: 'c',
      client_assertion: 'x',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
  });
});

describe('buildTokenXExchangeRequest', () => {
  const tokenXEndpoint = 'https://tokenx.dev-gcp.nav.cloud.nais.io/token';

  it('sends exactly the TokenX form, in the documented order, without client_id', () => {
    const request = buildTokenXExchangeRequest({
      tokenEndpoint: tokenXEndpoint,
      clientAssertion: 'a.b.c',
      subjectToken: 'user.token.sig',
      audience: 'dev-gcp:team:app-b',
    });
    expect([...new URLSearchParams(request.body)]).toStrictEqual([
      ['grant_type', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      ['client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
      ['client_assertion', 'a.b.c'],
      ['subject_token_type', 'urn:ietf:params:oauth:token-type:jwt'],
      ['subject_token', 'user.token.sig'],
      ['audience', 'dev-gcp:team:app-b'],
    ]);
    expect(request.headers).toStrictEqual({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
    const shown = `${JSON.stringify(request)} ${inspect(request)}`;
    expect(shown).not.toContain('user.token.sig');
    expect(shown).not.toContain('a.b.c');
  });

  it.each(['dev-gcp:team', 'team/app', 'dev-gcp:Team:app', 'api://dev-gcp.team.app/.default', ''])('refuses the target %j', (audience) => {
    expect(() =>
      buildTokenXExchangeRequest({ tokenEndpoint: tokenXEndpoint, clientAssertion: 'a.b.c', subjectToken: 's.t.x', audience }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SCOPE_NAME' }));
  });

  it('takes a client assertion or client authentication with client_id, never both', () => {
    expect(() =>
      buildTokenExchangeRequest({
        tokenEndpoint,
        subjectToken: 's',
        clientAssertion: 'x',
        client: { clientId: 'c', auth: { method: 'private_key_jwt', clientAssertion: 'x' } },
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'clientAssertion' }));
  });
});
