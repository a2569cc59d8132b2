import { createRequire } from 'node:module';
import { subscribeNavAuth } from '../events/subscribe-nav-auth.js';
import { type Measurement, measurementsOf, type NavAuthMetric } from '../metrics/measurements.js';
import { DURATION_BUCKETS_SECONDS, NAV_AUTH_METRICS } from '../metrics/metric-definitions.js';

/**
 * The part of a prom-client `Registry` this package uses, typed structurally so that
 * `@nav-auth/otel` neither depends on prom-client nor breaks the types of apps without it.
 */
export interface PrometheusRegistry {
  /** Removes the metric of that name from the registry. */
  removeSingleMetric(name: string): void;
}

/** Options for {@link createPrometheusCollector}. */
export interface PrometheusCollectorOptions {
  /** The prom-client registry to register on (default: prom-client's global `register`). */
  readonly register?: PrometheusRegistry;
  /**
   * `nav-auth` (default): `nav_auth_*` names, the OTel metrics in Prometheus form.
   * `oasis`: @navikt/oasis' names (`oasis_token_exchange_duration_seconds`, ...), so existing
   * NAV dashboards keep working after a move from oasis.
   */
  readonly names?: 'nav-auth' | 'oasis';
}

/** A running collector; `stop()` unsubscribes it and removes its metrics from the registry. */
export interface PrometheusCollector {
  /** Unsubscribes the collector and removes its metrics from the registry. */
  stop(): void;
}

interface PromMetric {
  inc(labels: Record<string, string>, value: number): void;
  observe(labels: Record<string, string>, value: number): void;
}
interface PromClient {
  readonly register: PrometheusRegistry;
  readonly Counter: new (config: object) => Pick<PromMetric, 'inc'>;
  readonly Histogram: new (config: object) => Pick<PromMetric, 'observe'>;
}

/** One Prometheus metric fed from one nav-auth metric, with a label filter and renaming. */
interface Route {
  readonly from: NavAuthMetric;
  readonly name: string;
  readonly help: string;
  readonly kind: 'counter' | 'histogram';
  readonly labels: readonly string[];
  /** Which measurements it counts (default: all of `from`'s). */
  readonly when?: (measurement: Measurement) => boolean;
  /** A label's value under this route's naming (default: the attribute's value). */
  readonly labelValue?: (attribute: string, value: string) => string;
}

/** Prometheus label names cannot contain dots: `error.type` becomes `error_type`. */
const labelName = (attribute: string) => attribute.replaceAll('.', '_');

function navAuthRoutes(): Route[] {
  return (Object.entries(NAV_AUTH_METRICS) as [NavAuthMetric, (typeof NAV_AUTH_METRICS)[NavAuthMetric]][]).map(([from, definition]) => ({
    from,
    name: `${from.replaceAll('.', '_')}${definition.kind === 'counter' ? '_total' : '_seconds'}`,
    help: definition.description,
    kind: definition.kind,
    labels: definition.attributes,
  }));
}

/** @navikt/oasis' provider names (Texas' `identity_provider`, libs/texas/src/types.ts) where they differ from nav-auth's. */
const OASIS_PROVIDERS: Readonly<Record<string, string>> = { azure: 'azuread' };
const oasisLabelValue = (attribute: string, value: string) => (attribute === 'provider' ? (OASIS_PROVIDERS[value] ?? value) : value);

// @navikt/oasis (libs/oasis/src/token-exchange/obo/prometheus.ts, token-cache): all labelled
// `provider` only, with oasis' provider names, so a dashboard's `provider="azuread"` still matches.
function oasisRoutes(): Route[] {
  const result = (wanted: string) => (m: Measurement) => m.attributes.result === wanted;
  return (
    [
      {
        from: 'nav_auth.token.request.duration',
        name: 'oasis_token_exchange_duration_seconds',
        help: 'Duration of token exchange in seconds',
        kind: 'histogram',
        labels: ['provider'],
      },
      {
        from: 'nav_auth.token.requests',
        name: 'oasis_token_exchanges',
        help: 'Number of token exchanges',
        kind: 'counter',
        labels: ['provider'],
      },
      {
        from: 'nav_auth.token.requests',
        name: 'oasis_token_exchange_failures',
        help: 'Number of failed token exchanges',
        kind: 'counter',
        labels: ['provider'],
        when: (m) => m.attributes.outcome === 'error',
      },
      {
        from: 'nav_auth.cache.lookups',
        name: 'oasis_cache_hits_total',
        help: 'Token cache hits',
        kind: 'counter',
        labels: ['provider'],
        when: result('hit'),
      },
      {
        from: 'nav_auth.cache.lookups',
        name: 'oasis_cache_misses_total',
        help: 'Token cache misses',
        kind: 'counter',
        labels: ['provider'],
        when: result('miss'),
      },
    ] satisfies Route[]
  ).map((route) => ({ ...route, labelValue: oasisLabelValue }));
}

function loadPromClient(): PromClient {
  // Loaded only when called, so the package works (and its other exports load) without prom-client.
  const load = typeof require === 'function' ? require : createRequire(import.meta.url);
  return load('prom-client') as PromClient;
}

/**
 * Exports nav-auth's metrics through prom-client, from the same `node:diagnostics_channel`
 * events as {@link instrumentNavAuth}, for apps that are scraped by Prometheus without OTel.
 */
export function createPrometheusCollector(options: PrometheusCollectorOptions = {}): PrometheusCollector {
  const prom = loadPromClient();
  const register = options.register ?? prom.register;
  const routes = options.names === 'oasis' ? oasisRoutes() : navAuthRoutes();
  const sinks = routes.map((route) => {
    const config = { name: route.name, help: route.help, labelNames: route.labels.map(labelName), registers: [register] };
    const metric =
      route.kind === 'counter' ? new prom.Counter(config) : new prom.Histogram({ ...config, buckets: [...DURATION_BUCKETS_SECONDS] });
    return { route, metric: metric as PromMetric };
  });
  const stop = subscribeNavAuth((channel, message) => {
    for (const measurement of measurementsOf(channel, message)) {
      for (const { route, metric } of sinks) {
        if (route.from !== measurement.metric || (route.when !== undefined && !route.when(measurement))) continue;
        const labels: Record<string, string> = {};
        for (const attribute of route.labels) {
          const value = measurement.attributes[attribute];
          if (value !== undefined)
            labels[labelName(attribute)] = route.labelValue === undefined ? value : route.labelValue(attribute, value);
        }
        if (route.kind === 'counter') metric.inc(labels, measurement.value);
        else metric.observe(labels, measurement.value);
      }
    }
  });
  return {
    stop() {
      stop();
      for (const { route } of sinks) register.removeSingleMetric(route.name);
    },
  };
}
