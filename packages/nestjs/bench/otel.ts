// pnpm bench (nestjs), the OTel row: a guarded route with a valid, cached token and the OTel
// adapter (`instrumentNavAuth` as NavAuthModule's `observability`) against the same route with no
// guard, both in a process running the OpenTelemetry SDK as a NAV service would (batched spans to
// an in-memory exporter, the AsyncLocalStorage context manager, periodic metric export). Its own
// process, so bench/run.ts keeps measuring without an SDK. There is no "guarded without OTel" row
// here: nav-auth's channels are process-wide, so the adapter would trace that app too; run.ts has it.
import 'reflect-metadata';
import { instrumentNavAuth } from '@nav-auth/otel';
import { startLocalIdp } from '@nav-auth/testing';
import { Module } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { NavAuthModule } from '../src/index.js';
import { compare, expectOk, GuardedController, PlainController, serve, verdict } from './support.js';

const spanExporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spanExporter)] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
// Every second rather than the SDK's default minute, so collection happens within the runs.
const meterProvider = new MeterProvider({
  readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 1000 })],
});

const idp = await startLocalIdp();
const api = await idp.registerAzureApp({ name: 'dev-gcp:bench:api' });

@Module({
  imports: [
    NavAuthModule.forRoot({
      env: api.env,
      maskinporten: false,
      secretsDirs: { azure: '/nonexistent' },
      defaultIssuer: 'azure',
      observability: () => instrumentNavAuth({ tracerProvider, meterProvider }),
    }),
  ],
  controllers: [GuardedController],
})
class GuardedModule {}

@Module({ controllers: [PlainController] })
class PlainModule {}

const plain = await serve(PlainModule);
const guarded = await serve(GuardedModule);
const authorization = `Bearer ${await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000' })}`;
await expectOk(guarded.url, authorization);

// After each run, outside the measurement: count what reached the exporters, then empty them.
let validateSpans = 0;
let metricExports = 0;
const drain = async () => {
  await tracerProvider.forceFlush();
  validateSpans += spanExporter.getFinishedSpans().filter((span) => span.name === 'nav_auth.token.validate').length;
  spanExporter.reset();
  metricExports += metricExporter.getMetrics().length;
  metricExporter.reset();
};
await drain();

const guardedName = 'NavAuthGuard with the OTel adapter';
const comparison = await compare({ unguarded: plain, [guardedName]: guarded }, authorization, drain);
await meterProvider.forceFlush();
await drain();
comparison.print();
console.log(`  ${validateSpans} nav_auth.token.validate spans and ${metricExports} metric exports reached the in-memory exporters`);
if (validateSpans === 0) throw new Error('the in-memory exporter received no nav_auth.token.validate spans');
const pass = verdict('guarded route with the OTel adapter (in-memory exporter) vs unguarded', comparison.ratioOf(guardedName), 0.85);
for (const { app } of [guarded, plain]) await app.close();
await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
context.disable();
await idp.close();
process.exitCode = pass ? 0 : 1;
