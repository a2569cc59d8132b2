// The memo of prepared requests in front of the token cache, against an undici MockAgent that
// hands out a new token per request: shapes share a token exactly when the cache key built
// without the memo (core's maskinportenCacheKey, as getToken used it before) is equal.
import { generateKeyPairSync } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isNavAuthError, maskinportenCacheKey, parseMaskinportenConfig } from '@nav-auth/core';
import fc from 'fast-check';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import type { AccessToken } from './access-token.js';
import { createMaskinportenClient, type MaskinportenTokenOptions } from './maskinporten-client.js';

type Scopes = string | readonly string[];
/** The options that choose the token; a JavaScript caller may also pass them as `undefined`. */
type Shape = { readonly [name in 'resource' | 'consumerOrg' | 'systemUserOrg']?: string | undefined };

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'memo-test', alg: 'RS256', use: 'sig' });

/** A client whose token endpoint answers `token-1`, `token-2`, ... and keeps each grant's claims. */
function clientWithMockEndpoint() {
  const env = {
    MASKINPORTEN_CLIENT_ID: 'memo-test-client',
    MASKINPORTEN_CLIENT_JWK: jwk,
    MASKINPORTEN_ISSUER: 'https://test.maskinporten.no/',
    MASKINPORTEN_TOKEN_ENDPOINT: 'https://test.maskinporten.no/token',
  };
  const agent = new MockAgent();
  agent.disableNetConnect();
  const grants: Array<Record<string, unknown>> = [];
  agent
    .get('https://test.maskinporten.no')
    .intercept({ path: '/token', method: 'POST' })
    .reply(({ body }) => {
      const assertion = new URLSearchParams(String(body)).get('assertion') ?? '';
      grants.push(JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()));
      const data = { access_token: `token-${grants.length}`, token_type: 'Bearer', expires_in: 3600 };
      return { statusCode: 200, data: JSON.stringify(data), responseOptions: { headers: { 'content-type': 'application/json' } } };
    })
    .persist();
  const config = parseMaskinportenConfig(env);
  const client = createMaskinportenClient({ config, dispatcher: agent, retry: { maxAttempts: 1 } });
  /** The key getToken built on every call before the memo (its former `request` helper, then the key). */
  const oldCacheKey = (scopes: Scopes, tokenOptions: MaskinportenTokenOptions) =>
    maskinportenCacheKey({
      clientId: config.clientId,
      issuer: config.issuer,
      scopes: typeof scopes === 'string' ? scopes.split(' ') : scopes,
      ...(tokenOptions.resource === undefined ? {} : { resource: tokenOptions.resource }),
      ...(tokenOptions.consumerOrg === undefined ? {} : { consumerOrg: tokenOptions.consumerOrg }),
      ...(tokenOptions.systemUserOrg === undefined ? {} : { systemUserOrg: tokenOptions.systemUserOrg }),
    });
  return { client, grants, oldCacheKey };
}

/** What a grant must ask for, given the call. */
const expectedClaims = (scopes: Scopes, shape: Shape) => ({
  scope: typeof scopes === 'string' ? scopes : scopes.join(' '),
  ...(shape.resource === undefined ? {} : { resource: [shape.resource] }),
  ...(shape.consumerOrg === undefined ? {} : { consumer_org: shape.consumerOrg }),
  ...(shape.systemUserOrg === undefined
    ? {}
    : { authorization_details: [{ type: 'urn:altinn:systemuser', systemuser_org: { ID: `0192:${shape.systemUserOrg}` } }] }),
});

const errorCode = (run: () => unknown) => {
  try {
    run();
    return undefined;
  } catch (error) {
    return isNavAuthError(error) ? error.code : 'not a NavAuthError';
  }
};

describe('createMaskinportenClient', () => {
  it('shares a token between call shapes exactly when the cache key built without the memo is equal (property)', async () => {
    // Mostly valid shapes over few values, so that many calls repeat or reorder an earlier ask.
    const validScopes = fc
      .shuffledSubarray(['nav:a', 'skatt:b/c'], { minLength: 1 })
      .chain((list) => fc.constantFrom<Scopes>(list, list.join(' ')));
    const invalidScopes = fc.constantFrom<Scopes>(['nav:a', 'nav:a'], [], ['nav:a nav:b'], 'nav:a  nav:b', ['nav:"x"'], '', 'nav:b ');
    const option = (valid: string[], invalid: string) =>
      fc.oneof(
        { weight: 5, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: fc.constantFrom(...valid) },
        { weight: 1, arbitrary: fc.constant(invalid) },
      );
    const shape = fc.record({
      scopes: fc.oneof({ weight: 5, arbitrary: validScopes }, { weight: 1, arbitrary: invalidScopes }),
      options: fc.record({
        resource: option(['https://api.nav.no/a'], 'not a uri'),
        consumerOrg: option(['889640782'], '123'),
        systemUserOrg: option(['313367002'], '123456789'),
      }),
    });
    const step = fc.record({ invalidate: fc.integer({ min: 0, max: 7 }).map((n) => n === 0), shape: fc.nat() });
    // Each shape also comes reordered, in the other scope form, and with absent options left out
    // rather than undefined: a different call shape for the same ask (or, for ['nav:a nav:b'], for another).
    const variant = ({ scopes, options }: { scopes: Scopes; options: Shape }) => ({
      scopes: typeof scopes === 'string' ? scopes.split(' ').reverse() : [...scopes].reverse().join(' '),
      options: Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Shape,
    });
    const pool = fc.array(shape, { minLength: 1, maxLength: 6 }).map((bases) => bases.flatMap((base) => [base, variant(base)]));
    const run = fc.record({
      shapes: pool,
      steps: fc.array(step, { minLength: 10, maxLength: 60, size: 'max' }),
    });
    await fc.assert(
      fc.asyncProperty(run, async ({ shapes, steps }) => {
        const { client, grants, oldCacheKey } = clientWithMockEndpoint();
        const model = new Map<string, AccessToken>();
        for (const { invalidate, shape: index } of steps) {
          const { scopes: given, options } = shapes[index % shapes.length] as (typeof shapes)[number];
          // A fresh array and options object for every call, as user code writes them.
          // Typed as TypeScript callers may not write them: options that are present but undefined.
          const call = (): [Scopes, MaskinportenTokenOptions] => [
            typeof given === 'string' ? given : [...given],
            { ...options } as MaskinportenTokenOptions,
          ];
          const refused = errorCode(() => oldCacheKey(...call()));
          if (invalidate) {
            expect(errorCode(() => client.invalidate(...call()))).toBe(refused);
            if (refused === undefined) model.delete(oldCacheKey(...call()));
            continue;
          }
          const fetchRefused = options.resource === 'not a uri' || options.consumerOrg === '123';
          if (refused !== undefined || fetchRefused) {
            await expect(client.getToken(...call())).rejects.toMatchObject({ code: refused ?? 'ERR_INVALID_INPUT' });
            continue;
          }
          const key = oldCacheKey(...call());
          const before = grants.length;
          const token = await client.getToken(...call());
          const known = model.get(key);
          if (known !== undefined) {
            expect(token).toBe(known);
            expect(grants.length).toBe(before);
          } else {
            expect([...model.values()]).not.toContain(token);
            expect(grants.length).toBe(before + 1);
            expect(grants.at(-1)).toMatchObject(expectedClaims(...call()));
            model.set(key, token);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('checks bad scopes on every call: a bad call shape is never remembered as a good one', async () => {
    const { client, grants } = clientWithMockEndpoint();
    await client.getToken(['nav:a', 'nav:b']);
    const bad: Array<[unknown, Shape?]> = [
      [['nav:a', 'nav:a']],
      [['nav:a nav:b']],
      ['nav:a  nav:b'],
      [[]],
      [['nav:a', 1]],
      [[1]],
      ['nav:a', { systemUserOrg: '123' }],
      [new Set(['nav:a'])],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [scopes, shape] of bad) {
        await expect(client.getToken(scopes as Scopes, shape as MaskinportenTokenOptions)).rejects.toMatchObject({
          code: 'ERR_INVALID_INPUT',
        });
      }
    }
    expect(grants).toHaveLength(1);
  });

  it('asks for what the call said, even when the caller changes its scope list afterwards', async () => {
    const { client, grants } = clientWithMockEndpoint();
    const list = ['nav:a'];
    const pending = client.getToken(list);
    list[0] = 'nav:b';
    const first = await pending;
    expect(grants[0]).toMatchObject({ scope: 'nav:a' });
    const second = await client.getToken(list);
    expect(second).not.toBe(first);
    expect(grants[1]).toMatchObject({ scope: 'nav:b' });
    expect(await client.getToken(['nav:a'])).toBe(first);
  });

  it('keeps its memory bounded over 100 000 distinct call shapes', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { client } = clientWithMockEndpoint();
    const distinctShapes = (from: number) => {
      for (let i = from; i < from + 50_000; i++) client.invalidate(['nav:a', `nav:s${i}`], { resource: `https://api.nav.no/${i}` });
    };
    distinctShapes(0);
    gc();
    const before = process.memoryUsage().heapUsed;
    distinctShapes(50_000);
    gc();
    // Unbounded, 50 000 more prepared requests held about 80 MiB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4 * 1024 * 1024);
  });
});
