// instrumentNavAuth with the real OTel SDK, fed by real nav-auth clients and validators over
// HTTP against @nav-auth/testing's local IdP.
import { parseAzureConfig, parseMaskinportenConfig } from '@nav-auth/core';
import { createAzureTokenValidator, createMaskinportenClient } from '@nav-auth/node';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { instrumentNavAuth, type NavAuthInstrumentation } from '../src/index.js';
import { counterValue, createTestMeterProvider, pointsOf } from './support/test-metric-reader.js';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp();
});
afterAll(() => idp.close());

let running: NavAuthInstrumentation | undefined;
afterEach(() => running?.stop());

describe('instrumentNavAuth', () => {
  it('records token requests, their duration in seconds and cache lookups of a Maskinporten client', async () => {
    const otel = createTestMeterProvider();
    running = instrumentNavAuth({ meterProvider: otel.meterProvider });
    const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
    const client = createMaskinportenClient({ config: parseMaskinportenConfig(registered.env) });

    await client.getToken('nav:test/api');
    await client.getToken('nav:test/api');
    await expect(client.getToken('nav:not-granted')).rejects.toMatchObject({ code: 'ERR_TOKEN_ENDPOINT' });

    const metrics = await otel.collectMetrics();
    const byName = Object.fromEntries(metrics.map((metric) => [metric.descriptor.name, metric.descriptor]));
    expect(byName['nav_auth.token.requests']).toMatchObject({ type: 'COUNTER', unit: '{request}' });
    expect(byName['nav_auth.token.request.duration']).toMatchObject({ type: 'HISTOGRAM', unit: 's' });
    expect(byName['nav_auth.cache.lookups']).toMatchObject({ type: 'COUNTER' });

    expect(counterValue(metrics, 'nav_auth.cache.lookups', { provider: 'maskinporten', result: 'miss' })).toBe(2);
    expect(counterValue(metrics, 'nav_auth.cache.lookups', { provider: 'maskinporten', result: 'hit' })).toBe(1);
    expect(counterValue(metrics, 'nav_auth.token.requests', { provider: 'maskinporten', outcome: 'success' })).toBe(1);
    expect(
      counterValue(metrics, 'nav_auth.token.requests', { provider: 'maskinporten', outcome: 'error', 'error.type': 'ERR_TOKEN_ENDPOINT' }),
    ).toBe(1);
    expect(pointsOf(metrics, 'nav_auth.token.requests').find((p) => p.attributes.outcome === 'success')?.attributes).toEqual({
      provider: 'maskinporten',
      outcome: 'success',
    });

    const success = pointsOf(metrics, 'nav_auth.token.request.duration').find((p) => p.attributes.outcome === 'success');
    const histogram = success?.value as Histogram;
    expect(histogram.count).toBe(1);
    expect(histogram.sum).toBeGreaterThan(0);
    // Seconds, not milliseconds: a loopback token request takes well under a second.
    expect(histogram.sum).toBeLessThan(5);
    await otel.shutdown();
  });

  it('records validation results with the refusal reason, validation duration and JWKS fetches by host', async () => {
    const otel = createTestMeterProvider();
    running = instrumentNavAuth({ meterProvider: otel.meterProvider });
    const api = await idp.registerAzureApp({ name: 'dev-gcp:team:otel-api' });
    const validator = createAzureTokenValidator({ config: parseAzureConfig(api.env) });

    await validator.validate(await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000' }));
    await expect(
      validator.validate(await idp.mintAzureUserToken({ audience: api.name, claims: { aud: 'someone-else' } })),
    ).rejects.toMatchObject({ code: 'ERR_CLAIM_VALIDATION' });

    const metrics = await otel.collectMetrics();
    expect(counterValue(metrics, 'nav_auth.validation.results', { profile: 'azure', outcome: 'valid' })).toBe(1);
    const refused = pointsOf(metrics, 'nav_auth.validation.results').filter((p) => p.attributes.outcome === 'invalid');
    expect(refused.map((p) => [p.attributes, p.value])).toEqual([
      [{ profile: 'azure', outcome: 'invalid', reason: expect.stringMatching(/^ERR_CLAIM_VALIDATION:aud:/) }, 1],
    ]);
    const durations = pointsOf(metrics, 'nav_auth.validation.duration');
    expect(durations.map((p) => (p.value as Histogram).count).reduce((a, b) => a + b, 0)).toBe(2);
    expect(metrics.find((m) => m.descriptor.name === 'nav_auth.validation.duration')?.descriptor.unit).toBe('s');
    expect(counterValue(metrics, 'nav_auth.jwks.fetches', { outcome: 'success', 'server.address': '127.0.0.1' })).toBeGreaterThanOrEqual(1);
    await otel.shutdown();
  });

  it('stops recording after stop()', async () => {
    const otel = createTestMeterProvider();
    const instrumentation = instrumentNavAuth({ meterProvider: otel.meterProvider });
    const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
    const client = createMaskinportenClient({ config: parseMaskinportenConfig(registered.env) });
    await client.getToken('nav:test/api');
    const before = await otel.collectMetrics();
    expect(counterValue(before, 'nav_auth.token.requests', {})).toBe(1);

    instrumentation.stop();
    instrumentation.stop();
    await client.getToken('nav:test/api', { forceRefresh: true });
    await client.getToken('nav:test/api');

    const after = await otel.collectMetrics();
    expect(counterValue(after, 'nav_auth.token.requests', {})).toBe(1);
    expect(counterValue(after, 'nav_auth.cache.lookups', {})).toBe(counterValue(before, 'nav_auth.cache.lookups', {}));
    await otel.shutdown();
  });
});
