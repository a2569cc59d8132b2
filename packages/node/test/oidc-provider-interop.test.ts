// Interop with an authorization server nobody here wrote: panva's oidc-provider on 127.0.0.1.
// Client credentials with private_key_jwt (PS256, RS256, ES256) and with a secret, and
// validation of the JWT access tokens it issues, through its discovery document and JWKS.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClientCredentialsClient,
  createTokenValidator,
  discoverFromWellKnownUrl,
  type GenericClaims,
  generateClientKey,
} from '../src/index.js';

/**
 * oidc-provider 9 warns, once on import and once per provider, that Node 20 is a runtime it does
 * not support (it asks for 22 LTS) and that its in-memory adapter is for development only. Both
 * are harmless here: the provider is a referee for the client-credentials grant, nothing it
 * stores outlives the test, and this suite passing on Node 20 is what shows the grant works
 * there. Only those two warnings are dropped; any other reaches the output.
 */
async function withoutKnownWarnings<T>(load: () => T | Promise<T>): Promise<T> {
  const warn = console.warn;
  const known = [/^oidc-provider WARNING: Unsupported runtime/, /^oidc-provider WARNING: a quick start development-only in-memory adapter/];
  console.warn = (...args: unknown[]) => {
    if (!known.some((pattern) => pattern.test(String(args[0])))) warn(...args);
  };
  try {
    return await load();
  } finally {
    console.warn = warn;
  }
}
const { default: Provider } = await withoutKnownWarnings(() => import('oidc-provider'));

const RESOURCE = 'https://api.nav-auth.test';
let server: Server;
let issuer: string;
const clientKeys = {
  PS256: await generateClientKey({ alg: 'PS256' }),
  RS256: await generateClientKey({ alg: 'RS256' }),
  ES256: await generateClientKey({ alg: 'ES256' }),
};

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const opKey = await exportJWK(privateKey);
  const provider = await withoutKnownWarnings(
    () =>
      new Provider(issuer, {
        clients: [
          ...(['PS256', 'RS256', 'ES256'] as const).map((alg) => ({
            client_id: `client-${alg}`,
            token_endpoint_auth_method: 'private_key_jwt' as const,
            token_endpoint_auth_signing_alg: alg,
            jwks: { keys: [clientKeys[alg].publicJwk] },
            grant_types: ['client_credentials'],
            response_types: [],
            redirect_uris: [],
            scope: 'read write',
          })),
          {
            client_id: 'client-secret',
            client_secret: 'a-long-enough-client-secret-for-tests',
            token_endpoint_auth_method: 'client_secret_post' as const,
            grant_types: ['client_credentials'],
            response_types: [],
            redirect_uris: [],
            scope: 'read write',
          },
        ],
        jwks: { keys: [{ ...opKey, kid: 'op-key', alg: 'RS256', use: 'sig' }] },
        scopes: ['read', 'write'],
        clientAuthMethods: ['private_key_jwt', 'client_secret_post', 'client_secret_basic'],
        enabledJWA: { clientAuthSigningAlgValues: ['PS256', 'RS256', 'ES256'] },
        features: {
          devInteractions: { enabled: false },
          clientCredentials: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => RESOURCE,
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({
              scope: 'read write',
              audience: RESOURCE,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'RS256' } },
            }),
          },
        },
      }),
  );
  server.on('request', provider.callback());
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('against oidc-provider', () => {
  it.each(['PS256', 'RS256', 'ES256'] as const)(
    'gets a token with a %s client assertion and validates it through discovery',
    async (alg) => {
      const client = createClientCredentialsClient({
        issuer,
        clientId: `client-${alg}`,
        credential: { privateJwk: clientKeys[alg].privateJwk },
      });
      const { token } = await client.getToken('read');
      const validator = createTokenValidator({
        profile: 'generic',
        issuer,
        audience: RESOURCE,
        algorithms: ['RS256'],
        wellKnownUrl: `${issuer}/.well-known/openid-configuration`,
      });
      const claims = (await validator.validate(token)) as GenericClaims;
      expect(claims).toMatchObject({ issuer, audience: [RESOURCE], scopes: ['read'], clientId: `client-${alg}` });
    },
  );

  it('gets a token with a client secret', async () => {
    const client = createClientCredentialsClient({
      issuer,
      clientId: 'client-secret',
      credential: { clientSecret: 'a-long-enough-client-secret-for-tests' },
    });
    const { token, scopes } = await client.getToken(['read', 'write']);
    expect(scopes).toEqual(['read', 'write']);
    const validator = createTokenValidator({ profile: 'generic', issuer, audience: RESOURCE, jwksUri: `${issuer}/jwks` });
    expect(((await validator.validate(token)) as GenericClaims).clientId).toBe('client-secret');
  });

  it('surfaces its OAuth errors as typed errors', async () => {
    const client = createClientCredentialsClient({ issuer, clientId: 'client-secret', credential: { clientSecret: 'wrong-secret' } });
    await expect(client.getToken('read')).rejects.toMatchObject({ code: 'ERR_TOKEN_ENDPOINT', error: 'invalid_client' });
    const wrongKey = createClientCredentialsClient({
      issuer,
      clientId: 'client-PS256',
      credential: { privateJwk: clientKeys.RS256.privateJwk },
    });
    await expect(wrongKey.getToken('read')).rejects.toMatchObject({ code: 'ERR_TOKEN_ENDPOINT', status: 401, error: 'invalid_client' });
  });

  it('reports the scopes it granted, not the ones asked for', async () => {
    const client = createClientCredentialsClient({
      issuer,
      clientId: 'client-secret',
      credential: { clientSecret: 'a-long-enough-client-secret-for-tests' },
    });
    const { scopes } = await client.getToken('read admin');
    expect(scopes ?? []).not.toContain('admin');
  });

  it('refuses its tokens for another audience', async () => {
    const client = createClientCredentialsClient({
      issuer,
      clientId: 'client-secret',
      credential: { clientSecret: 'a-long-enough-client-secret-for-tests' },
    });
    const { token } = await client.getToken('read');
    const validator = createTokenValidator({ profile: 'generic', issuer, audience: 'https://other.api', jwksUri: `${issuer}/jwks` });
    await expect(validator.validate(token)).rejects.toMatchObject({ code: 'ERR_CLAIM_VALIDATION', claim: 'aud' });
  });

  it('is discovered from its well-known URL alone, its issuer checked against the URL', async () => {
    const metadata = await discoverFromWellKnownUrl(`${issuer}/.well-known/openid-configuration`);
    expect(metadata).toEqual({ issuer, tokenEndpoint: `${issuer}/token`, jwksUri: `${issuer}/jwks` });
  });
});
