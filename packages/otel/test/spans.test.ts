// The spans, with the OTel SDK and undici's own instrumentation as a service runs them, against
// the local IdP and PDP: nav-auth's internal spans are the parents of undici's HTTP client spans.
import { parseAzureConfig, parseMaskinportenConfig } from '@nav-auth/core';
import { createAzureClient, createAzureTokenValidator, createMaskinportenClient } from '@nav-auth/node';
import { isTraced } from '@nav-auth/node/internal';
import { createPdpClient, PDP_SCOPE } from '@nav-auth/pdp';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { SpanKind, SpanStatusCode, type TracerProvider } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentNavAuth, type NavAuthInstrumentation } from '../src/index.js';
import { createTestTracer, parentIdOf } from './support/test-tracer.js';

let idp: LocalIdp;
let tracer: ReturnType<typeof createTestTracer>;
let instrumentation: NavAuthInstrumentation;
beforeAll(async () => {
  idp = await startLocalIdp({ subscriptionKey: 'spans-subscription-key' });
  tracer = createTestTracer();
  instrumentation = instrumentNavAuth({ tracerProvider: tracer.tracerProvider });
});
afterAll(async () => {
  instrumentation.stop();
  await tracer.shutdown();
  await idp.close();
});
beforeEach(() => tracer.reset());

const named = (name: string) => tracer.spans().filter((span) => span.name === name);
const clientSpans = () => tracer.spans().filter((span) => span.kind === SpanKind.CLIENT);
const childrenOf = (parent: ReadableSpan) => tracer.spans().filter((span) => parentIdOf(span) === parent.spanContext().spanId);
/** Runs `fn` inside a server span, as a request handler would be. */
const inRequest = <T>(fn: () => Promise<T>): Promise<T> =>
  tracer.tracerProvider.getTracer('test').startActiveSpan('GET /api', { kind: SpanKind.SERVER }, (span) => fn().finally(() => span.end()));

async function maskinportenClient(scopes: string[], options: { clock?: () => number } = {}) {
  const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes });
  return createMaskinportenClient({ config: parseMaskinportenConfig(registered.env), ...options });
}

describe('nav_auth.token.acquire', () => {
  it('is the parent of the one HTTP client span undici makes, and a cache hit makes no span', async () => {
    const client = await maskinportenClient(['nav:test/api']);
    await inRequest(() => client.getToken('nav:test/api'));
    await inRequest(() => client.getToken('nav:test/api'));

    const [acquire, ...more] = named('nav_auth.token.acquire');
    expect(more).toEqual([]);
    expect(acquire?.kind).toBe(SpanKind.INTERNAL);
    expect(acquire?.attributes).toEqual({
      'nav_auth.provider': 'maskinporten',
      'nav_auth.target': 'nav:test/api',
      'nav_auth.renew': false,
      'nav_auth.joined': false,
      'nav_auth.tier': 'network',
    });
    const [request] = named('GET /api');
    expect(parentIdOf(acquire as ReadableSpan)).toBe(request?.spanContext().spanId);
    const http = childrenOf(acquire as ReadableSpan);
    expect(http.map((span) => [span.kind, span.name, span.attributes['url.full']])).toEqual([
      [SpanKind.CLIENT, 'POST', `${idp.url}/maskinporten/token`],
    ]);
    // No client span of nav-auth's own beside undici's.
    expect(clientSpans()).toEqual(http);
  });

  it('one span per caller; callers that joined a fetch in flight say so, and only one HTTP span is made', async () => {
    const client = await maskinportenClient(['nav:test/joined']);
    await Promise.all([1, 2, 3].map(() => inRequest(() => client.getToken('nav:test/joined'))));
    const acquired = named('nav_auth.token.acquire');
    expect(acquired.map((span) => span.attributes['nav_auth.joined']).sort()).toEqual([false, true, true]);
    expect(clientSpans()).toHaveLength(1);
  });

  it('a refused request ends the span as an error with the code, and nothing of the answer', async () => {
    const client = await maskinportenClient(['nav:test/api']);
    await expect(inRequest(() => client.getToken('nav:not-granted'))).rejects.toMatchObject({ code: 'ERR_TOKEN_ENDPOINT' });
    const [acquire] = named('nav_auth.token.acquire');
    expect(acquire?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ERR_TOKEN_ENDPOINT' });
    expect(acquire?.attributes['error.type']).toBe('ERR_TOKEN_ENDPOINT');
    expect(acquire?.events).toEqual([]);
  });

  it('a refresh ahead of expiry is a root span of its own, not a child of the request that started it', async () => {
    let now = Date.now();
    const client = await maskinportenClient(['nav:test/refresh'], { clock: () => now });
    await client.getToken('nav:test/refresh');
    tracer.reset();
    now += 3_400_000; // past the refresh point of a 3599 s token, before its expiry
    await inRequest(() => client.getToken('nav:test/refresh'));
    await expect.poll(() => named('nav_auth.token.acquire').length).toBe(1);
    const [refresh] = named('nav_auth.token.acquire');
    expect(refresh?.attributes['nav_auth.renew']).toBe(true);
    expect(parentIdOf(refresh as ReadableSpan)).toBeUndefined();
    expect(childrenOf(refresh as ReadableSpan).map((span) => span.name)).toEqual(['POST']);
  });
});

describe('nav_auth.token.validate and nav_auth.jwks.refresh', () => {
  it('the first validation fetches the JWKS under its span; an invalid token ends as an error with its reason', async () => {
    const api = await idp.registerAzureApp({ name: 'dev-gcp:team:spans-api' });
    const validator = createAzureTokenValidator({ config: parseAzureConfig(api.env) });
    const token = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990042' });
    await inRequest(() => validator.validate(token));
    await inRequest(() => validator.validate(token));
    const someoneElse = await idp.registerAzureApp({ name: 'dev-gcp:team:someone-else' });
    const other = await idp.mintAzureUserToken({ audience: someoneElse.name, navIdent: 'Z990042' });
    await expect(inRequest(() => validator.validate(other))).rejects.toMatchObject({ code: 'ERR_CLAIM_VALIDATION' });

    const validations = named('nav_auth.token.validate');
    expect(validations.map((span) => span.attributes['nav_auth.outcome'])).toEqual(['valid', 'valid', 'invalid']);
    expect(validations.every((span) => span.attributes['nav_auth.profile'] === 'azure')).toBe(true);
    expect(validations[2]?.attributes['nav_auth.reason']).toBe('ERR_CLAIM_VALIDATION:aud:mismatch');
    expect(validations[2]?.status.code).toBe(SpanStatusCode.ERROR);

    const [refresh, ...more] = named('nav_auth.jwks.refresh');
    expect(more).toEqual([]);
    expect(parentIdOf(refresh as ReadableSpan)).toBe(validations[0]?.spanContext().spanId);
    expect(refresh?.attributes['nav_auth.jwksHost']).toBe(new URL(idp.url).host);
    expect(childrenOf(refresh as ReadableSpan).map((span) => [span.kind, span.name])).toEqual([[SpanKind.CLIENT, 'GET']]);
  });
});

describe('nav_auth.token.exchange', () => {
  it('an on-behalf-of exchange is its own operation, parent of its HTTP span', async () => {
    const api = await idp.registerAzureApp({ name: 'dev-gcp:team:spans-obo' });
    await idp.registerAzureApp({ name: 'dev-gcp:team:spans-downstream' });
    const user = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990042' });
    const azure = createAzureClient({ config: parseAzureConfig(api.env) });
    await inRequest(() => azure.onBehalfOf(user, 'dev-gcp:team:spans-downstream'));
    const [exchange] = named('nav_auth.token.exchange');
    expect(exchange?.attributes).toMatchObject({
      'nav_auth.provider': 'azure',
      'nav_auth.target': 'api://dev-gcp.team.spans-downstream/.default',
      'nav_auth.tier': 'network',
    });
    expect(childrenOf(exchange as ReadableSpan).map((span) => span.name)).toEqual(['POST']);
  });
});

describe('nav_auth.pdp.authorize', () => {
  it('a decision is a span with its outcome; the Altinn token and the PDP call are under it', async () => {
    const systemUser = idp.registerSystemUser({ systemId: 'spans_system', customerOrg: '313367002', vendorOrg: '974760673' });
    idp.addPdpPolicy({ systemUserId: systemUser.id, resource: 'nav-krav', action: 'read', org: '313367002' });
    const pdp = createPdpClient({
      baseUrl: `${idp.url}/altinn`,
      subscriptionKey: 'spans-subscription-key',
      maskinporten: await maskinportenClient([PDP_SCOPE]),
      decisionCacheTtlMs: 60_000,
    });
    const ask = { systemUserId: systemUser.id, action: 'read', resource: 'nav-krav', party: '313367002' };
    expect(await inRequest(() => pdp.authorize(ask))).toEqual({ permit: true });
    expect(await inRequest(() => pdp.authorize({ ...ask, action: 'write' }))).toMatchObject({ permit: false });
    expect(await inRequest(() => pdp.authorize(ask))).toEqual({ permit: true });

    const decisions = named('nav_auth.pdp.authorize');
    expect(decisions.map((span) => [span.attributes['nav_auth.decision'], span.attributes['nav_auth.cached']])).toEqual([
      ['permit', false],
      ['deny', false],
      ['permit', true],
    ]);
    expect(decisions[1]?.attributes).toMatchObject({ 'nav_auth.kind': 'policy', 'nav_auth.reason': 'not_applicable' });
    const first = decisions[0] as ReadableSpan;
    const under = childrenOf(first);
    const path = (span: ReadableSpan) => new URL(String(span.attributes['url.full'])).pathname;
    expect(under.filter((span) => span.kind === SpanKind.CLIENT).map((span) => `${span.name} ${path(span)}`)).toEqual([
      'GET /altinn/authentication/api/v1/exchange/maskinporten',
      'POST /altinn/authorization/api/v1/authorize',
    ]);
    // The Maskinporten token the Altinn token is exchanged for, with its own HTTP span.
    const [maskinporten] = under.filter((span) => span.name === 'nav_auth.token.acquire');
    expect(childrenOf(maskinporten as ReadableSpan).map(path)).toEqual(['/maskinporten/token']);
    expect(childrenOf(decisions[2] as ReadableSpan)).toEqual([]);
  });
});

describe('the instrumentation itself', () => {
  it('a tracer that throws fails no operation; stop() leaves the channels unsubscribed', async () => {
    const throwing = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('tracer fault');
        },
      }),
    } as unknown as TracerProvider;
    instrumentation.stop();
    const faulty = instrumentNavAuth({ tracerProvider: throwing, traces: true });
    const client = await maskinportenClient(['nav:test/faulty']);
    expect((await client.getToken('nav:test/faulty')).token).toMatch(/^eyJ/);
    faulty.stop();
    expect(isTraced('token.acquire')).toBe(false);
    const quiet = await maskinportenClient(['nav:test/quiet']);
    await quiet.getToken('nav:test/quiet');
    expect(named('nav_auth.token.acquire')).toEqual([]);
    instrumentation = instrumentNavAuth({ tracerProvider: tracer.tracerProvider });
  });
});
