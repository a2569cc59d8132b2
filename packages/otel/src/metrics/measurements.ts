import type { KeySetEvent, NavAuthChannel, TokenEvent, ValidationEvent } from '@nav-auth/node';

/** The metrics nav-auth records, by their OpenTelemetry name. */
export type NavAuthMetric =
  | 'nav_auth.token.requests'
  | 'nav_auth.token.request.duration'
  | 'nav_auth.cache.lookups'
  | 'nav_auth.validation.results'
  | 'nav_auth.validation.duration'
  | 'nav_auth.jwks.fetches'
  | 'nav_auth.pdp.decisions'
  | 'nav_auth.pdp.request.duration';

/** Low-cardinality attributes only: each value comes from a closed set or an error code. */
export type MetricAttributes = Readonly<Record<string, string>>;

/** One value to add to a counter (1) or record in a histogram (seconds). */
export interface Measurement {
  readonly metric: NavAuthMetric;
  readonly value: number;
  readonly attributes: MetricAttributes;
}

/** What `@nav-auth/pdp` publishes on `nav-auth:pdp`, typed here so this package does not depend on it. */
type PdpMessage =
  | { readonly type: 'decision'; readonly permit: boolean; readonly kind: string | undefined; readonly cached: boolean }
  | { readonly type: 'pdp_request'; readonly status: number | undefined; readonly durationMs: number };

const cacheResults: Readonly<Record<string, string>> = {
  cache_hit: 'hit',
  cache_miss: 'miss',
  shared_hit: 'shared_hit',
  stale_served: 'stale',
};

const seconds = (durationMs: number) => durationMs / 1000;

/** `error.type` only when there is one, so successes carry no empty attribute. */
const withError = (attributes: MetricAttributes, errorCode: string | undefined): MetricAttributes =>
  errorCode === undefined ? attributes : { ...attributes, 'error.type': errorCode };

const isSuccess = (status: number | undefined, errorCode: string | undefined) =>
  errorCode === undefined && status !== undefined && status >= 200 && status < 300;

function fromToken(event: TokenEvent): Measurement[] {
  if (event.type === 'upstream_request') {
    const ok = isSuccess(event.status, event.errorCode);
    const attributes = { provider: event.provider, outcome: ok ? 'success' : 'error' };
    return [
      {
        metric: 'nav_auth.token.requests',
        value: 1,
        attributes: withError(attributes, ok ? undefined : (event.errorCode ?? 'ERR_HTTP_STATUS')),
      },
      { metric: 'nav_auth.token.request.duration', value: seconds(event.durationMs), attributes },
    ];
  }
  const result = cacheResults[event.type];
  return result === undefined ? [] : [{ metric: 'nav_auth.cache.lookups', value: 1, attributes: { provider: event.provider, result } }];
}

function fromValidation(event: ValidationEvent): Measurement[] {
  const attributes = { profile: event.profile, outcome: event.outcome };
  return [
    {
      metric: 'nav_auth.validation.results',
      value: 1,
      attributes: event.reason === undefined ? attributes : { ...attributes, reason: event.reason },
    },
    { metric: 'nav_auth.validation.duration', value: seconds(event.durationMs), attributes },
  ];
}

/** `host[:port]` as OTel's `server.address` and `server.port` (semconv keeps them apart). */
function serverOf(host: string): MetricAttributes {
  try {
    const url = new URL(`http://${host}`);
    return url.port === '' ? { 'server.address': url.hostname } : { 'server.address': url.hostname, 'server.port': url.port };
  } catch {
    return { 'server.address': 'unknown' };
  }
}

function fromKeySet(event: KeySetEvent): Measurement[] {
  if (event.type !== 'jwks_fetched' && event.type !== 'jwks_fetch_failed') return [];
  const ok = event.type === 'jwks_fetched';
  const attributes = { outcome: ok ? 'success' : 'error', ...serverOf(event.jwksHost) };
  return [{ metric: 'nav_auth.jwks.fetches', value: 1, attributes: withError(attributes, ok ? undefined : event.errorCode) }];
}

function fromPdp(event: PdpMessage): Measurement[] {
  if (event.type === 'decision') {
    const attributes = { decision: event.permit ? 'permit' : 'deny', kind: event.kind ?? 'none', cached: String(event.cached) };
    return [{ metric: 'nav_auth.pdp.decisions', value: 1, attributes }];
  }
  if (event.type === 'pdp_request') {
    const ok = isSuccess(event.status, undefined);
    return [
      { metric: 'nav_auth.pdp.request.duration', value: seconds(event.durationMs), attributes: { outcome: ok ? 'success' : 'error' } },
    ];
  }
  return [];
}

/**
 * The measurements one channel message stands for. Each attribute is picked by name from the
 * event: nothing else it carries (and no field added to it later) can reach a metric.
 */
export function measurementsOf(channel: NavAuthChannel, message: unknown): Measurement[] {
  if (typeof message !== 'object' || message === null) return [];
  switch (channel) {
    case 'token':
      return fromToken(message as TokenEvent);
    case 'validation':
      return (message as { type?: unknown }).type === 'validation' ? fromValidation(message as ValidationEvent) : [];
    case 'jwks':
      return fromKeySet(message as KeySetEvent);
    case 'pdp':
      return fromPdp(message as PdpMessage);
  }
}
