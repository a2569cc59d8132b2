import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { isNavAuthError } from '../error/nav-auth-error.js';
import { buildClientCredentialsRequest, buildMaskinportenTokenRequest, buildOnBehalfOfRequest } from '../request/build-token-requests.js';
import { parseTokenResponse } from './parse-token-response.js';

const ok = (body: unknown) => parseTokenResponse(200, JSON.stringify(body));

describe('parseTokenResponse', () => {
  it('reads a Maskinporten response (seed 000)', () => {
    const response = ok({ access_token: 'eyJraWQ.x.y', token_type: 'Bearer', expires_in: 3599, scope: 'nav:test/api nav:other' });
    expect(response).toMatchObject({
      accessToken: 'eyJraWQ.x.y',
      tokenType: 'Bearer',
      expiresIn: 3599,
      scopes: ['nav:test/api', 'nav:other'],
    });
  });

  it('accepts the token type in any case (RFC 6749 §7.1) and Azure v1 string lifetimes', () => {
    expect(ok({ access_token: 't', token_type: 'bearer', expires_in: '3599' }).expiresIn).toBe(3599);
    expect(ok({ access_token: 't', token_type: 'BEARER', expires_in: 1 }).scopes).toBeUndefined();
  });

  it('hides the access token when serialized or inspected', () => {
    const response = ok({ access_token: 'SECRET-ACCESS-TOKEN', token_type: 'Bearer', expires_in: 60 });
    expect(JSON.stringify(response)).not.toContain('SECRET-ACCESS-TOKEN');
    expect(inspect(response)).not.toContain('SECRET-ACCESS-TOKEN');
    expect(`${response}`).not.toContain('SECRET-ACCESS-TOKEN');
  });

  it.each([
    ['not JSON', '<html>oops</html>'],
    ['truncated JSON', '{"access_token":"t","tok'],
    ['an array', '[]'],
    ['no access_token', '{"token_type":"Bearer","expires_in":60}'],
    ['an empty access_token', '{"access_token":"","token_type":"Bearer","expires_in":60}'],
    ['a DPoP token type', '{"access_token":"t","token_type":"DPoP","expires_in":60}'],
    ['a zero lifetime', '{"access_token":"t","token_type":"Bearer","expires_in":0}'],
    ['a negative lifetime', '{"access_token":"t","token_type":"Bearer","expires_in":-5}'],
    ['an absurd lifetime', '{"access_token":"t","token_type":"Bearer","expires_in":1e308}'],
    ['a missing lifetime', '{"access_token":"t","token_type":"Bearer"}'],
    ['a fractional string lifetime', '{"access_token":"t","token_type":"Bearer","expires_in":"1.5"}'],
    ['a non-string scope', '{"access_token":"t","token_type":"Bearer","expires_in":60,"scope":["a"]}'],
  ])('refuses a 200 with %s', (_name, body) => {
    expect(() => parseTokenResponse(200, body)).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_RESPONSE' }));
  });

  it('turns an OAuth error body into a typed error with status, error and description', () => {
    const body = JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid assertion. Client authentication failed.' });
    expect(() => parseTokenResponse(400, body)).toThrow(
      expect.objectContaining({
        code: 'ERR_TOKEN_ENDPOINT',
        status: 400,
        error: 'invalid_grant',
        errorDescription: 'Invalid assertion. Client authentication failed.',
      }),
    );
  });

  it('keeps status only when an error body is garbage, and strips token-shaped text from descriptions', () => {
    expect(() => parseTokenResponse(503, 'Service Unavailable')).toThrow(expect.objectContaining({ status: 503, error: undefined }));
    const echoed = 'bad assertion eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjbGllbnQifQ.c2lnbmF0dXJlLXZhbHVl given';
    const error = caught(() =>
      parseTokenResponse(400, JSON.stringify({ error: 'invalid_grant', error_description: `${echoed}\n${'x'.repeat(500)}` })),
    ) as (Error & { errorDescription: string }) | undefined;
    expect(error?.message).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    expect(error?.errorDescription).toContain('[redacted]');
    expect(error?.errorDescription.length).toBeLessThanOrEqual(201);
    expect(error?.errorDescription).not.toContain('\n');
  });

  it('refuses an error code with characters RFC 6749 §5.2 forbids', () => {
    expect(() => parseTokenResponse(400, JSON.stringify({ error: 'bad"code' }))).toThrow(expect.objectContaining({ error: undefined }));
  });

  it('never throws anything but a nav-auth error, whatever the body (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.oneof(fc.string(), fc.json()), (status, body) => {
        try {
          parseTokenResponse(status, body);
        } catch (error) {
          expect(isNavAuthError(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  describe('never repeats a secret the request carried', () => {
    // A secret with characters form encoding changes, so every form differs from the raw one.
    const secret = 'Se+cr/et=&ø ~x9Q';
    const tokenEndpoint = 'https://login.example/token';
    const grant = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
    const formEncoded = new URLSearchParams([['', secret]]).toString().slice(1);
    const credentials = btoa(String.fromCharCode(...new TextEncoder().encode(`client-1:${formEncoded}`)));
    const secretForms = [secret, formEncoded, encodeURIComponent(secret)];
    const client = { tokenEndpoint, clientId: 'client-1', scopes: ['api://x/.default'] };
    const cases: [string, ReturnType<typeof buildClientCredentialsRequest>, string[]][] = [
      [
        'client_secret_post',
        buildClientCredentialsRequest({ ...client, auth: { method: 'client_secret_post', clientSecret: secret } }),
        secretForms,
      ],
      [
        'client_secret_basic',
        buildClientCredentialsRequest({ ...client, auth: { method: 'client_secret_basic', clientSecret: secret } }),
        [...secretForms, `Basic ${credentials}`, credentials, `client-1:${formEncoded}`],
      ],
      [
        'on-behalf-of',
        buildOnBehalfOfRequest({ ...client, subjectToken: grant, auth: { method: 'client_secret_post', clientSecret: secret } }),
        [...secretForms, grant],
      ],
      ['the Maskinporten grant', buildMaskinportenTokenRequest({ tokenEndpoint, grant }), [grant]],
    ];

    it.each(cases)('%s: each form a server may echo is cut from the error', (_name, request, echoes) => {
      for (const echo of echoes) {
        const error = caught(() =>
          parseTokenResponse(
            401,
            JSON.stringify({ error: 'invalid_client', error_description: `client sent ${echo}, which is wrong` }),
            request,
          ),
        ) as Error & { errorDescription: string };
        expect(error.errorDescription, echo).toMatch(/^client sent \[redacted\], which is wrong$/);
        expect(error.message, echo).not.toContain(echo);
      }
    });

    it('an error code that is the secret is cut too', () => {
      const plain = 'Secret-value-1234';
      const request = buildClientCredentialsRequest({ ...client, auth: { method: 'client_secret_post', clientSecret: plain } });
      const echoed = caught(() => parseTokenResponse(400, JSON.stringify({ error: plain }), request)) as Error & { error: string };
      expect(echoed.error).toBe('[redacted]');
      expect(echoed.message).not.toContain(plain);
    });
  });

  it('replaces C0 and C1 controls, line separators and bidi overrides in server text', () => {
    const hostile = 'a\u0085b\u009bc\u2028d\u2029e\u202ef\u2066g\u2069h\u0007i';
    const error = caught(() => parseTokenResponse(400, JSON.stringify({ error: 'invalid_grant', error_description: hostile }))) as Error & {
      errorDescription: string;
    };
    expect(error.errorDescription).toBe('a b c d e f g h i');
  });

  it.each([
    ['CR LF', 'abc\r\nSet-Cookie: x=1'],
    ['a space', 'abc def'],
    ['a quote', 'abc"def'],
    ['a comma', 'abc,def'],
    ['padding inside', 'ab=c'],
    ['a non-ASCII letter', 'abcø'],
  ])('an access_token with %s is ERR_TOKEN_RESPONSE (RFC 6750 b64token)', (_name, accessToken) => {
    expect(() => ok({ access_token: accessToken, token_type: 'Bearer', expires_in: 60 })).toThrow(
      expect.objectContaining({ code: 'ERR_TOKEN_RESPONSE' }),
    );
  });

  it('accepts every b64token character in an access_token', () => {
    expect(ok({ access_token: 'AZaz09-._~+/==', token_type: 'Bearer', expires_in: 60 }).accessToken).toBe('AZaz09-._~+/==');
  });
});
