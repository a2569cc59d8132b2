// Tokens, assertions, secrets, private keys and personal ids must never reach an error
// message, a serialized error or log output. This drives every refusal path we have with
// real secrets in the input and greps everything that comes out (house style: Errors).
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildClientCredentialsRequest,
  buildMaskinportenGrant,
  buildOnBehalfOfRequest,
  importSigningKey,
  parseAzureConfig,
  parseMaskinportenConfig,
  parsePrivateJwk,
  parsePublicJwk,
  parseSystemUser,
  parseTokenResponse,
  validateAzureClaims,
  validateMaskinportenClaims,
} from '../src/index.js';
import { caughtAsync } from './support/caught.js';
import { nodeRsaJwk } from './support/keys.js';

const jwk = nodeRsaJwk('leak-test');
const clientSecret = 'Sup3r~Secret.Value_9f8e7d';
const accessToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.bGVha3NpZ25hdHVyZXZhbHVl';
const navIdent = 'Z991234';
const pid = '01019012345';
const secrets = [clientSecret, accessToken, navIdent, pid, jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi] as string[];

const logged: string[] = [];
beforeAll(() => {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => inspect(a, { depth: 10 })).join(' '));
    });
  }
});
afterAll(() => vi.restoreAllMocks());

async function failureText(run: () => unknown): Promise<string> {
  const error = await caughtAsync(async () => run());
  expect(error).toBeInstanceOf(Error);
  return [String(error), (error as Error).stack ?? '', inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)].join('\n');
}

describe('secrets in refused input', () => {
  it('never appear in errors or logs', async () => {
    const key = await importSigningKey(jwk);
    const texts = await Promise.all([
      failureText(() => parsePrivateJwk({ ...jwk, kid: undefined })),
      failureText(() => parsePrivateJwk(JSON.stringify(jwk).slice(0, -3))),
      failureText(() => parsePublicJwk(jwk)),
      failureText(() => importSigningKey({ ...jwk, n: nodeRsaJwk('other').n })),
      failureText(() => parseMaskinportenConfig({ MASKINPORTEN_CLIENT_JWK: JSON.stringify({ ...jwk, e: 'AQ' }) })),
      failureText(() =>
        parseAzureConfig({
          AZURE_APP_CLIENT_SECRET: clientSecret,
          AZURE_APP_JWK: JSON.stringify({ kty: 'oct', k: clientSecret, kid: 'x' }),
        }),
      ),
      failureText(() =>
        parseTokenResponse(
          400,
          JSON.stringify({ error: 'invalid_grant', error_description: `assertion ${accessToken} for ${clientSecret.slice(0, 3)}` }),
        ),
      ),
      failureText(() => parseTokenResponse(200, JSON.stringify({ access_token: accessToken, token_type: 'mac', expires_in: 60 }))),
      failureText(() =>
        buildMaskinportenGrant({
          key,
          clientId: 'c',
          issuer: 'https://m/',
          scopes: ['a'],
          now: new Date(),
          jti: 'j',
          lifetimeSeconds: 500,
        }),
      ),
      failureText(() =>
        buildClientCredentialsRequest({
          tokenEndpoint: 'http://evil.example/token',
          clientId: 'c',
          scopes: ['a'],
          auth: { method: 'client_secret_post', clientSecret },
        }),
      ),
      failureText(() =>
        buildOnBehalfOfRequest({
          tokenEndpoint: 'https://t/',
          clientId: 'c',
          scopes: ['a b'],
          subjectToken: accessToken,
          auth: { method: 'client_secret_basic', clientSecret },
        }),
      ),
      failureText(() =>
        validateAzureClaims({ NAVident: navIdent, pid, sub: navIdent, tid: 'x' }, { issuer: 'https://i', audience: 'a', now: new Date() }),
      ),
      failureText(() =>
        validateMaskinportenClaims(
          { iss: 'https://m/', pid, scope: accessToken, exp: 1, iat: 0 },
          { issuer: 'https://m/', requiredScopes: ['a'], now: new Date() },
        ),
      ),
      failureText(() => parseSystemUser({ authorization_details: [{ type: 'urn:altinn:systemuser', systemuser_id: [pid] }] })),
    ]);
    const everything = [...texts, ...logged].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(texts.every((text) => /ERR_[A-Z_]+/.test(text))).toBe(true);
  });
});
