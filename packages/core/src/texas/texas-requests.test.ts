import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { parseTokenResponse } from '../response/parse-token-response.js';
import {
  buildTexasExchangeRequest,
  buildTexasIntrospectionRequest,
  buildTexasTokenRequest,
  parseTexasIntrospection,
  texasProviderProblem,
} from './texas-requests.js';

const endpoint = 'http://127.0.0.1:7164/api/v1/token';
const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe('Texas requests', () => {
  it('asks for a Maskinporten token with resource, authorization_details as JSON and skip_cache', () => {
    const details = [{ type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:313367002' } }];
    const request = buildTexasTokenRequest({
      endpoint,
      identityProvider: 'maskinporten',
      target: 'nav:a nav:b',
      resource: 'https://api.nav.no/',
      authorizationDetails: details,
      skipCache: true,
    });
    expect(request).toMatchObject({ url: endpoint, method: 'POST', via: 'texas' });
    expect(form(request.body)).toStrictEqual({
      identity_provider: 'maskinporten',
      target: 'nav:a nav:b',
      resource: 'https://api.nav.no/',
      authorization_details: JSON.stringify(details),
      skip_cache: 'true',
    });
    expect(form(buildTexasTokenRequest({ endpoint, identityProvider: 'entra_id', target: 'api://a.b.c/.default' }).body)).toStrictEqual({
      identity_provider: 'entra_id',
      target: 'api://a.b.c/.default',
    });
  });

  it('puts the user token in the body, never shown, and cut from an answer that quotes it', () => {
    const userToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const request = buildTexasExchangeRequest({ endpoint, identityProvider: 'tokenx', target: 'dev-gcp:team:b', userToken });
    expect(form(request.body)).toStrictEqual({ identity_provider: 'tokenx', target: 'dev-gcp:team:b', user_token: userToken });
    expect(`${JSON.stringify(request)} ${inspect(request)}`).not.toContain(userToken);
    const error = caught(() =>
      parseTokenResponse(400, JSON.stringify({ error: 'invalid_request', error_description: `bad token ${userToken}` }), request),
    );
    expect(error).toMatchObject({ code: 'ERR_TOKEN_ENDPOINT', via: 'texas', status: 400, error: 'invalid_request' });
    expect(`${(error as Error).message}`).not.toContain(userToken);
    expect((error as Error).message).toContain('(through Texas)');
    const token = buildTexasIntrospectionRequest({ endpoint, identityProvider: 'idporten', token: userToken });
    expect(`${JSON.stringify(token)} ${inspect(token)}`).not.toContain(userToken);
  });

  it("turns Texas' 'not enabled' answer into a ConfigError naming the manifest field", () => {
    const request = buildTexasTokenRequest({ endpoint, identityProvider: 'entra_id', target: 'api://a.b.c/.default' });
    const body = JSON.stringify({ error: 'invalid_request', error_description: "identity provider 'entra_id' is not enabled" });
    expect(caught(() => parseTokenResponse(400, body, request))).toMatchObject({
      code: 'ERR_CONFIG',
      problems: [{ variable: 'spec.azure.application.enabled' }],
    });
    expect(texasProviderProblem(400, 'invalid_request', "identity provider 'tokenx' is not enabled")?.problems[0]?.variable).toBe(
      'spec.tokenx.enabled',
    );
    expect(texasProviderProblem(400, 'invalid_request', 'something else')).toBeUndefined();
    expect(texasProviderProblem(500, 'invalid_request', "identity provider 'tokenx' is not enabled")).toBeUndefined();
    // Direct, the same text is just an error: only Texas says this.
    expect(caught(() => parseTokenResponse(400, body))).toMatchObject({ code: 'ERR_TOKEN_ENDPOINT', via: 'direct' });
  });
});

describe('parseTexasIntrospection', () => {
  it('gives the claims of an active token, without "active"', () => {
    expect(parseTexasIntrospection(200, JSON.stringify({ active: true, iss: 'x', pid: '01017012345' }))).toStrictEqual({
      iss: 'x',
      pid: '01017012345',
    });
  });

  it('refuses an inactive token with reason inactive and a sanitized reason', () => {
    const error = caught(() => parseTexasIntrospection(200, JSON.stringify({ active: false, error: 'token is expired\u202e' })));
    expect(error).toMatchObject({ code: 'ERR_TOKEN_INVALID', reason: 'inactive' });
    expect((error as Error).message).toContain('token is expired');
    expect((error as Error).message).not.toContain('\u202e');
  });

  it.each([
    [500, '{}'],
    [200, 'not json'],
    [200, '[]'],
    [200, '{"active":"true"}'],
    [200, '{"iss":"x"}'],
  ])('refuses status %i body %s as an unusable answer', (status, body) => {
    expect(caught(() => parseTexasIntrospection(status, body))).toMatchObject({ code: 'ERR_TOKEN_RESPONSE' });
  });
});
