import { type Attributes, type Counter, type Histogram, type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api';
import { subscribeNavAuth } from '../events/subscribe-nav-auth.js';
import { measurementsOf, type NavAuthMetric } from '../metrics/measurements.js';
import { DURATION_BUCKETS_SECONDS, NAV_AUTH_METRICS } from '../metrics/metric-definitions.js';
import { traceNavAuth } from './trace-nav-auth.js';

/** The meter (instrumentation scope) name nav-auth's metrics are recorded under. */
export const NAV_AUTH_METER_NAME = '@nav-auth/otel';

/** Options for {@link instrumentNavAuth}. */
export interface InstrumentNavAuthOptions {
  /** Where the metrics go (default: the global one, `metrics.getMeterProvider()`, a no-op without an SDK). */
  readonly meterProvider?: MeterProvider;
  /** Where the spans go (default: the global one, `trace.getTracerProvider()`, a no-op without an SDK). */
  readonly tracerProvider?: TracerProvider;
  /** Make spans at all (default `true`); `false` records metrics only. */
  readonly traces?: boolean;
}

/** A running instrumentation; `stop()` unsubscribes it from every channel (an operation in flight then ends no span). */
export interface NavAuthInstrumentation {
  /** Unsubscribes the instrumentation from every channel. */
  stop(): void;
}

/**
 * Records OpenTelemetry metrics and spans for every nav-auth token client, validator, key set
 * and PDP client in the process, from their `node:diagnostics_channel` events and tracing
 * channels. Spans: `nav_auth.token.acquire`, `nav_auth.token.exchange`, `nav_auth.token.validate`,
 * `nav_auth.pdp.authorize` and `nav_auth.jwks.refresh`, parents of undici's HTTP client spans.
 *
 * @example
 * import { instrumentNavAuth } from '@nav-auth/otel';
 *
 * const instrumentation = instrumentNavAuth(); // after the OTel SDK has started
 * // on shutdown:
 * instrumentation.stop();
 */
export function instrumentNavAuth(options: InstrumentNavAuthOptions = {}): NavAuthInstrumentation {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(NAV_AUTH_METER_NAME);
  const instruments = new Map<NavAuthMetric, Counter | Histogram>();
  for (const [name, definition] of Object.entries(NAV_AUTH_METRICS) as [NavAuthMetric, (typeof NAV_AUTH_METRICS)[NavAuthMetric]][]) {
    const common = { unit: definition.unit, description: definition.description };
    instruments.set(
      name,
      definition.kind === 'counter'
        ? meter.createCounter(name, common)
        : meter.createHistogram(name, { ...common, advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] } }),
    );
  }
  const stopTraces = options.traces === false ? undefined : traceNavAuth(options.tracerProvider ?? trace.getTracerProvider());
  const stopMetrics = subscribeNavAuth((channel, message) => {
    for (const { metric, value, attributes } of measurementsOf(channel, message)) {
      const instrument = instruments.get(metric);
      if (instrument === undefined) continue;
      if ('add' in instrument) instrument.add(value, attributes as Attributes);
      else instrument.record(value, attributes as Attributes);
    }
  });
  return {
    stop() {
      stopMetrics();
      stopTraces?.();
    },
  };
}
