/**
 * @nav-auth/otel: OpenTelemetry spans and metrics, and a prom-client collector (with @navikt/oasis'
 * names on request), for every nav-auth client, validator, key set and PDP client, from their
 * `node:diagnostics_channel` events. Depends on `@opentelemetry/api` only.
 *
 * @example
 * import { instrumentNavAuth } from '@nav-auth/otel';
 *
 * const instrumentation = instrumentNavAuth(); // records through the global MeterProvider
 *
 * @packageDocumentation
 */
export type { NavAuthMessageHandler } from './events/subscribe-nav-auth.js';
export { subscribeNavAuth } from './events/subscribe-nav-auth.js';
export type { Measurement, MetricAttributes, NavAuthMetric } from './metrics/measurements.js';
export { measurementsOf } from './metrics/measurements.js';
export type { MetricDefinition } from './metrics/metric-definitions.js';
export { DURATION_BUCKETS_SECONDS, NAV_AUTH_METRICS } from './metrics/metric-definitions.js';
export type { InstrumentNavAuthOptions, NavAuthInstrumentation } from './otel/instrument-nav-auth.js';
export { instrumentNavAuth, NAV_AUTH_METER_NAME } from './otel/instrument-nav-auth.js';
export { NAV_AUTH_TRACER_NAME, SPAN_ATTRIBUTES, spanNameOf, traceNavAuth } from './otel/trace-nav-auth.js';
export type { PrometheusCollector, PrometheusCollectorOptions, PrometheusRegistry } from './prometheus/create-prometheus-collector.js';
export { createPrometheusCollector } from './prometheus/create-prometheus-collector.js';
