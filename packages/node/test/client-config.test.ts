// Client configuration that cannot work is refused when the client is created, naming the
// variable; and @nav-auth/node alone is enough to recognise nav-auth's errors.
import { generateKeyPairSync } from 'node:crypto';
import * as core from '@nav-auth/core';
import { parseAzureConfig, parseMaskinportenConfig } from '@nav-auth/core';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as node from '../src/index.js';
import { createAzureClient, createMaskinportenClient, isNavAuthError } from '../src/index.js';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp();
});
afterAll(() => idp.close());

const keyPair = (kty: 'rsa' | 'ec') =>
  kty === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The JWK text with its public members taken from another key: it parses, and signs what no verifier accepts. */
function withForeignPublicHalf(jwkText: string): string {
  const jwk = JSON.parse(jwkText) as Record<string, string>;
  const foreign = keyPair(jwk.kty === 'EC' ? 'ec' : 'rsa').publicKey.export({ format: 'jwk' }) as Record<string, string>;
  return JSON.stringify(jwk.kty === 'EC' ? { ...jwk, x: foreign.x, y: foreign.y } : { ...jwk, n: foreign.n });
}

function configErrorOf(create: () => unknown): core.ConfigError {
  try {
    create();
  } catch (error) {
    if (isNavAuthError(error, 'ERR_CONFIG')) return error;
    throw error;
  }
  throw new Error('the client was created');
}

describe('a private JWK whose public members belong to another key', () => {
  it('MASKINPORTEN_CLIENT_JWK: ERR_CONFIG naming the variable when the client is created', async () => {
    const { env } = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a'] });
    const corrupted = withForeignPublicHalf(env.MASKINPORTEN_CLIENT_JWK as string);
    const config = parseMaskinportenConfig({ ...env, MASKINPORTEN_CLIENT_JWK: corrupted });
    const error = configErrorOf(() => createMaskinportenClient({ config }));
    expect(error.problems).toEqual([{ variable: 'MASKINPORTEN_CLIENT_JWK', reason: expect.stringContaining('do not match') }]);
    const jwk = JSON.parse(corrupted) as Record<string, string>;
    for (const member of ['d', 'p', 'q', 'n']) expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(jwk[member]);
    // The untouched key still makes a working client.
    expect((await createMaskinportenClient({ config: parseMaskinportenConfig(env) }).getToken('nav:a')).token).toMatch(/^ey/);
  });

  it.each(['rsa', 'ec'] as const)('AZURE_APP_JWK (%s): ERR_CONFIG naming the variable when the client is created', async (kty) => {
    const app = await idp.registerAzureApp({ name: `dev-gcp:team:${kty}-caller` });
    const key = keyPair(kty);
    const jwk = JSON.stringify({ ...key.privateKey.export({ format: 'jwk' }), kid: `${kty}-1` });
    const error = configErrorOf(() =>
      createAzureClient({ config: parseAzureConfig({ ...app.env, AZURE_APP_JWK: withForeignPublicHalf(jwk) }) }),
    );
    expect(error.problems.map((problem) => problem.variable)).toEqual(['AZURE_APP_JWK']);
    expect(() => createAzureClient({ config: parseAzureConfig({ ...app.env, AZURE_APP_JWK: jwk }) })).not.toThrow();
  });
});

describe('@nav-auth/node exports the errors', () => {
  it('isNavAuthError and every error class, the very ones core throws', () => {
    const pairs = [
      [node.isNavAuthError, core.isNavAuthError],
      [node.NavAuthError, core.NavAuthError],
      [node.ConfigError, core.ConfigError],
      [node.TokenEndpointError, core.TokenEndpointError],
      [node.KeySetUnavailableError, core.KeySetUnavailableError],
    ] as const;
    for (const [fromNode, fromCore] of pairs) expect(fromNode, fromCore.name).toBe(fromCore);
    const error = configErrorOf(() => createMaskinportenClient({ config: parseMaskinportenConfig({}) }));
    expect(error).toBeInstanceOf(node.ConfigError);
  });
});
