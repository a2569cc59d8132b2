// The privacy rule over every flow of the demo: with OpenTelemetry's SDK exporting spans and
// metrics to memory, prom-client collectors under both name sets, and every nav-auth channel
// captured, nothing exported holds a token, assertion, secret, key, subscription key or
// personal id that went over the wire (the local IdP's record of requests and issued tokens).
import 'reflect-metadata';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { NAV_AUTH_CHANNELS } from '@nav-auth/node';
import { createPrometheusCollector, instrumentNavAuth } from '@nav-auth/otel';
import { leakedSecrets } from '@nav-auth/testing';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/flows.js';
import { startInMemoryTracing } from '../src/in-memory-tracing.js';

/** A reader whose `collect()` the test calls: what a metric exporter would be handed. */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

describe('the privacy rule over every demo flow', () => {
  it('no span, metric, scrape or channel message holds a secret or personal id', { timeout: 120_000 }, async () => {
    const tracing = startInMemoryTracing();
    const reader = new CollectingReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const instrumentation = instrumentNavAuth({ tracerProvider: tracing.tracerProvider, meterProvider });
    const registries = { 'nav-auth': new Registry(), oasis: new Registry() } as const;
    const collectors = (['nav-auth', 'oasis'] as const).map((names) => createPrometheusCollector({ register: registries[names], names }));
    const messages: unknown[] = [];
    const capture = (message: unknown) => messages.push(message);
    for (const name of Object.values(NAV_AUTH_CHANNELS)) subscribe(name, capture);

    const run = await runDemo({ log: () => undefined, stepEnded: () => undefined }).finally(() => {
      for (const name of Object.values(NAV_AUTH_CHANNELS)) unsubscribe(name, capture);
      instrumentation.stop();
    });
    const exportedSpans = tracing.exporter.getFinishedSpans().map(({ name, kind, attributes, events, links, status, resource }) => ({
      name,
      kind,
      attributes,
      events,
      links,
      status,
      resource: resource.attributes,
    }));
    const exported = [
      JSON.stringify(exportedSpans),
      JSON.stringify((await reader.collect()).resourceMetrics),
      await registries['nav-auth'].metrics(),
      await registries.oasis.metrics(),
      JSON.stringify(messages),
    ].join('\n');
    for (const collector of collectors) collector.stop();
    await tracing.stop();
    await meterProvider.shutdown();

    // Every flow ran, as expected, and was observed: an empty export would pass the grep trivially.
    expect(run.steps.filter((step) => step.status !== step.expected)).toEqual([]);
    expect(run.steps.length).toBeGreaterThanOrEqual(19);
    const names = new Set(exportedSpans.map((span) => span.name));
    for (const name of ['token.acquire', 'token.exchange', 'token.validate', 'pdp.authorize', 'jwks.refresh'])
      expect(names).toContain(`nav_auth.${name}`);
    // (`includes`, not `toContain`: a failure must not print the export.)
    for (const metric of ['nav_auth_pdp_decisions_total', 'oasis_token_exchanges', 'nav_auth.validation.results'])
      expect(exported.includes(metric), metric).toBe(true);
    expect(exported.includes('provider="tokenx"')).toBe(true);
    // The secrets are what the local IdP saw and issued: over 30 tokens and assertions.
    expect(run.secrets.filter((secret) => secret.startsWith('eyJ')).length).toBeGreaterThan(30);
    // The grep finds a leak when there is one: a token pasted into the export.
    const planted = run.secrets.find((secret) => secret.startsWith('eyJ')) as string;
    expect(leakedSecrets(`${exported}${planted}`, run.secrets).length).toBeGreaterThan(2);
    expect(leakedSecrets(exported, run.secrets)).toEqual([]);
  });
});
