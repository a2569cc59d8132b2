// The diagnostics channels: what each publishes, and never a secret.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { parseAzureConfig, parseMaskinportenConfig } from '@nav-auth/core';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureTokenValidator, createMaskinportenClient, NAV_AUTH_CHANNELS } from '../src/index.js';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp();
});
afterAll(() => idp.close());

/** Runs `work` with a subscriber on `name`, and gives back what it received. */
async function received(name: string, work: () => Promise<unknown>): Promise<unknown[]> {
  const messages: unknown[] = [];
  const listener = (message: unknown) => messages.push(message);
  subscribe(name, listener);
  try {
    await work();
  } finally {
    unsubscribe(name, listener);
  }
  return messages;
}

describe('nav-auth diagnostics channels', () => {
  it('token: a miss, the upstream request and a hit, with no token or key in them', async () => {
    const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:channels'] });
    const client = createMaskinportenClient({ config: parseMaskinportenConfig(registered.env) });
    let token = '';
    const messages = await received(NAV_AUTH_CHANNELS.token, async () => {
      token = (await client.getToken('nav:channels')).token;
      await client.getToken('nav:channels');
    });
    expect(messages).toStrictEqual([
      { type: 'cache_miss', provider: 'maskinporten' },
      expect.objectContaining({ type: 'upstream_request', provider: 'maskinporten', attempt: 1, status: 200, errorCode: undefined }),
      { type: 'cache_hit', provider: 'maskinporten' },
    ]);
    const text = JSON.stringify(messages);
    for (const secret of [token, ...token.split('.'), 'nav:channels', registered.clientId]) expect(text).not.toContain(secret);
  });

  it('validation and jwks: the outcome and reason per token, the JWKS host per fetch', async () => {
    const app = await idp.registerAzureApp({ name: 'dev-gcp:team:channels' });
    const validator = createAzureTokenValidator({ config: parseAzureConfig(app.env) });
    const good = await idp.mintAzureUserToken({ audience: app.name, navIdent: 'Z990077' });
    const forOther = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:channels', claims: { aud: 'someone-else' } });
    const jwks: unknown[] = [];
    const validations = await received(NAV_AUTH_CHANNELS.validation, async () => {
      jwks.push(
        ...(await received(NAV_AUTH_CHANNELS.jwks, async () => {
          await validator.validate(good);
          await validator.validate(forOther).catch(() => undefined);
        })),
      );
    });
    expect(validations).toStrictEqual([
      { type: 'validation', profile: 'azure', outcome: 'valid', reason: undefined, durationMs: expect.any(Number) },
      {
        type: 'validation',
        profile: 'azure',
        outcome: 'invalid',
        reason: 'ERR_CLAIM_VALIDATION:aud:mismatch',
        durationMs: expect.any(Number),
      },
    ]);
    expect(jwks).toStrictEqual([expect.objectContaining({ type: 'jwks_fetched', jwksHost: new URL(idp.azure.jwksUri).host, keys: 1 })]);
    const text = JSON.stringify([...validations, ...jwks]);
    for (const secret of [good, ...good.split('.'), 'Z990077']) expect(text).not.toContain(secret);
  });
});
