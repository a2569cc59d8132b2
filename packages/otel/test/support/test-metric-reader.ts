import { type DataPoint, MeterProvider, type MetricData, MetricReader } from '@opentelemetry/sdk-metrics';

/** A real SDK reader whose `collect()` the test calls: what an exporter would be handed. */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** An SDK MeterProvider with a reader, and helpers to read what it aggregated. */
export function createTestMeterProvider() {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  async function collectMetrics(): Promise<MetricData[]> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw errors[0];
    return resourceMetrics.scopeMetrics.filter((scope) => scope.scope.name === '@nav-auth/otel').flatMap((scope) => scope.metrics);
  }
  async function exported(): Promise<string> {
    return JSON.stringify((await reader.collect()).resourceMetrics);
  }
  return { meterProvider, collectMetrics, exported, shutdown: () => meterProvider.shutdown() };
}

/** The data points of `name`, with attributes as plain records. */
export function pointsOf(metrics: readonly MetricData[], name: string): DataPoint<unknown>[] {
  return (metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? []) as DataPoint<unknown>[];
}

/** The counter value at the point whose attributes include `attributes` (0 when none). */
export function counterValue(metrics: readonly MetricData[], name: string, attributes: Readonly<Record<string, unknown>>): number {
  return pointsOf(metrics, name)
    .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
    .reduce((sum, point) => sum + (point.value as number), 0);
}
