import { describe, expect, it } from 'vitest';
import { caughtAsync } from '../../test/support/caught.js';
import { decodeJws, verifyWithNodeCrypto } from '../../test/support/independent-verifier.js';
import { nodeEcJwk, nodeRsaJwk } from '../../test/support/keys.js';
import { isNavAuthError } from '../error/nav-auth-error.js';
import { importSigningKey } from '../key/signing-key.js';
import { buildMaskinportenGrant, type MaskinportenGrantOptions } from './build-maskinporten-grant.js';

const rsaJwk = nodeRsaJwk('mp-key-1');
const now = new Date('2026-11-22T10:00:00.500Z');
const iat = Math.floor(now.getTime() / 1000);

async function options(overrides: Partial<MaskinportenGrantOptions> = {}): Promise<MaskinportenGrantOptions> {
  return {
    clientId: '60dea49a-255b-48b5-b0c0-0974ac1c0b53',
    issuer: 'https://test.maskinporten.no/',
    scopes: ['nav:test/api'],
    key: await importSigningKey(rsaJwk),
    now,
    jti: '2d1a343c-6e7d-4ace-ae47-4e77bcb52db9',
    ...overrides,
  };
}

async function expectInvalid(promise: Promise<unknown>, field: string) {
  const error = await caughtAsync(() => promise);
  expect(isNavAuthError(error, 'ERR_INVALID_INPUT')).toBe(true);
  expect((error as { field: string }).field).toBe(field);
}

describe('buildMaskinportenGrant', () => {
  it('emits the documented header and exactly the documented claims (E01, E02, E05)', async () => {
    const grant = await buildMaskinportenGrant(await options());
    const { header, payload, headerJson } = decodeJws(grant);
    expect(headerJson).toBe('{"alg":"RS256","kid":"mp-key-1","typ":"JWT"}');
    expect(payload).toStrictEqual({
      aud: 'https://test.maskinporten.no/',
      iss: '60dea49a-255b-48b5-b0c0-0974ac1c0b53',
      scope: 'nav:test/api',
      iat,
      exp: iat + 30,
      jti: '2d1a343c-6e7d-4ace-ae47-4e77bcb52db9',
    });
    expect(typeof payload.aud).toBe('string');
    expect(header).not.toHaveProperty('jwk');
    expect(header).not.toHaveProperty('jku');
    expect(header).not.toHaveProperty('x5u');
  });

  it('verifies with an independent node:crypto verifier for RS256, RS384 and RS512 (E10)', async () => {
    for (const alg of ['RS256', 'RS384', 'RS512'] as const) {
      const key = await importSigningKey(rsaJwk, { alg });
      const grant = await buildMaskinportenGrant(await options({ key }));
      expect(decodeJws(grant).header.alg).toBe(alg);
      expect(verifyWithNodeCrypto(grant, key.publicJwk)).toBe(true);
      const tampered = `${grant.slice(0, grant.lastIndexOf('.'))}.${grant.slice(grant.lastIndexOf('.') + 1).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`;
      expect(verifyWithNodeCrypto(tampered, key.publicJwk)).toBe(false);
    }
  });

  it('refuses PS256 and ES256 keys, which Maskinporten does not accept (E01)', async () => {
    await expectInvalid(buildMaskinportenGrant(await options({ key: await importSigningKey(rsaJwk, { alg: 'PS256' }) })), 'key');
    await expectInvalid(buildMaskinportenGrant(await options({ key: await importSigningKey(nodeEcJwk('ec-1')) })), 'key');
  });

  it('sets iat to the floor of now and limits exp - iat to 120 s (E03)', async () => {
    const { payload } = decodeJws(await buildMaskinportenGrant(await options({ lifetimeSeconds: 120 })));
    expect(payload.iat).toBe(iat);
    expect((payload.exp as number) - (payload.iat as number)).toBe(120);
    await expectInvalid(buildMaskinportenGrant(await options({ lifetimeSeconds: 121 })), 'lifetimeSeconds');
    await expectInvalid(buildMaskinportenGrant(await options({ lifetimeSeconds: 0 })), 'lifetimeSeconds');
    await expectInvalid(buildMaskinportenGrant(await options({ lifetimeSeconds: 30.5 })), 'lifetimeSeconds');
    await expectInvalid(buildMaskinportenGrant(await options({ now: new Date(Number.NaN) })), 'now');
  });

  it('puts the given jti in every grant and refuses an empty one (E04)', async () => {
    const a = decodeJws(await buildMaskinportenGrant(await options({ jti: 'a' }))).payload;
    const b = decodeJws(await buildMaskinportenGrant(await options({ jti: 'b' }))).payload;
    expect([a.jti, b.jti]).toEqual(['a', 'b']);
    await expectInvalid(buildMaskinportenGrant(await options({ jti: '' })), 'jti');
  });

  it('joins scopes with single spaces and refuses empty, duplicate or malformed scopes', async () => {
    const { payload } = decodeJws(await buildMaskinportenGrant(await options({ scopes: ['nav:a', 'skatt:b.read'] })));
    expect(payload.scope).toBe('nav:a skatt:b.read');
    await expectInvalid(buildMaskinportenGrant(await options({ scopes: [] })), 'scopes');
    await expectInvalid(buildMaskinportenGrant(await options({ scopes: ['nav:a', 'nav:a'] })), 'scopes[1]');
    await expectInvalid(buildMaskinportenGrant(await options({ scopes: ['nav:a b'] })), 'scopes[0]');
    await expectInvalid(buildMaskinportenGrant(await options({ scopes: ['nav:"a"'] })), 'scopes[0]');
  });

  it('uses the issuer as audience and refuses a non-URL issuer (E02)', async () => {
    await expectInvalid(buildMaskinportenGrant(await options({ issuer: 'maskinporten' })), 'issuer');
    await expectInvalid(buildMaskinportenGrant(await options({ clientId: ' id ' })), 'clientId');
  });

  it('adds resource, as the one-element array Digdir documents, and consumer_org when asked, validated before signing', async () => {
    const { payload } = decodeJws(
      await buildMaskinportenGrant(await options({ resource: 'https://api.some-provider.no/', consumerOrg: '889640782' })),
    );
    // Digdir: "Currently only array supported." (docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant)
    expect(payload.resource).toStrictEqual(['https://api.some-provider.no/']);
    expect(payload.consumer_org).toBe('889640782');
    await expectInvalid(buildMaskinportenGrant(await options({ resource: 'not a uri' })), 'resource');
    await expectInvalid(buildMaskinportenGrant(await options({ resource: 'https://api.no/#frag' })), 'resource');
    await expectInvalid(buildMaskinportenGrant(await options({ consumerOrg: '889640781' })), 'consumerOrg');
  });

  it('requests a system-user token with structured authorization_details (E06)', async () => {
    const { payload, payloadJson } = decodeJws(await buildMaskinportenGrant(await options({ systemUserOrg: '313367002' })));
    expect(payload.authorization_details).toStrictEqual([
      { type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:313367002' } },
    ]);
    expect(payloadJson).toContain('"ID":"0192:313367002"');
    await expectInvalid(buildMaskinportenGrant(await options({ systemUserOrg: '31336700' })), 'systemUserOrg');
    await expectInvalid(buildMaskinportenGrant(await options({ systemUserOrg: '313367003' })), 'systemUserOrg');
    await expectInvalid(buildMaskinportenGrant(await options({ systemUserOrg: '0192:313367002' })), 'systemUserOrg');
  });

  it('sends an x5c chain of standard base64 instead of kid when given (E01, E09)', async () => {
    // Standard base64 with '+' and '/', as DER certificates usually produce.
    const leaf = Buffer.from(Array.from({ length: 301 }, (_, i) => (i * 251) % 256)).toString('base64');
    expect(leaf).toMatch(/[+/]/);
    const grant = await buildMaskinportenGrant(await options({ certificateChain: [leaf, 'AAAA'] }));
    const { header } = decodeJws(grant);
    expect(header).toStrictEqual({ alg: 'RS256', x5c: [leaf, 'AAAA'], typ: 'JWT' });
    await expectInvalid(buildMaskinportenGrant(await options({ certificateChain: ['MIIB_-x'] })), 'certificateChain[0]');
    await expectInvalid(buildMaskinportenGrant(await options({ certificateChain: [] })), 'certificateChain');
  });
});
