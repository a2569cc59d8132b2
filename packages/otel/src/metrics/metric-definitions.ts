import type { NavAuthMetric } from './measurements.js';

/** How each metric is declared: instrument kind, unit and description. */
export interface MetricDefinition {
  readonly kind: 'counter' | 'histogram';
  readonly unit: string;
  readonly description: string;
  /** The attributes it may carry, which become Prometheus label names. */
  readonly attributes: readonly string[];
}

/**
 * Buckets for durations in seconds: token endpoints and JWKS answer in tens of milliseconds
 * and time out at a few seconds, so the interesting range is 5 ms to 10 s.
 */
export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** The metric catalogue, the one source the OTel and Prometheus sinks and the README table follow. */
export const NAV_AUTH_METRICS: Readonly<Record<NavAuthMetric, MetricDefinition>> = {
  'nav_auth.token.requests': {
    kind: 'counter',
    unit: '{request}',
    description: 'Requests to a token endpoint (each retry counts), by provider and outcome.',
    attributes: ['provider', 'outcome', 'error.type'],
  },
  'nav_auth.token.request.duration': {
    kind: 'histogram',
    unit: 's',
    description: 'Duration of one token endpoint request.',
    attributes: ['provider', 'outcome'],
  },
  'nav_auth.cache.lookups': {
    kind: 'counter',
    unit: '{lookup}',
    description: 'Token cache lookups by result: hit, miss, shared_hit (another replica fetched it), stale (served while refresh fails).',
    attributes: ['provider', 'result'],
  },
  'nav_auth.validation.results': {
    kind: 'counter',
    unit: '{token}',
    description: 'Tokens validated, by profile, outcome and refusal reason.',
    attributes: ['profile', 'outcome', 'reason'],
  },
  'nav_auth.validation.duration': {
    kind: 'histogram',
    unit: 's',
    description: 'Duration of one token validation (a JWKS fetch included when one was needed).',
    attributes: ['profile', 'outcome'],
  },
  'nav_auth.jwks.fetches': {
    kind: 'counter',
    unit: '{fetch}',
    description: 'JWKS fetches by outcome and host.',
    attributes: ['outcome', 'server.address', 'server.port', 'error.type'],
  },
  'nav_auth.pdp.decisions': {
    kind: 'counter',
    unit: '{decision}',
    description: 'Altinn PDP decisions by decision, kind and whether the cache answered.',
    attributes: ['decision', 'kind', 'cached'],
  },
  'nav_auth.pdp.request.duration': {
    kind: 'histogram',
    unit: 's',
    description: 'Duration of one request to the Altinn PDP.',
    attributes: ['outcome'],
  },
};
