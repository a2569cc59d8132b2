/**
 * Texas' outbound HTTP (nais/texas `src/http/client.rs`): reqwest behind reqwest-retry's
 * `RetryTransientMiddleware` with an exponential backoff, base 2, no jitter. Transient are
 * connect errors, timeouts and dropped connections, and the statuses 5xx, 408 and 429
 * (reqwest-retry `DefaultRetryableStrategy`); once the retries are spent, the last answer
 * is returned as it is, or the last error as "Request failed after N retries".
 */

/** How one of Texas' two HTTP clients retries and times out. */
export interface HttpPolicy {
  readonly maxRetries: number;
  readonly minRetryIntervalMs: number;
  readonly maxRetryIntervalMs: number;
  /** reqwest's connect and read timeouts; the fake waits `connect + read` for the answer's headers. */
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  /** reqwest's `timeout`: the whole exchange, body included. */
  readonly overallTimeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `env_or_default`: the variable when Rust's `parse` takes it, else the default. */
function envNumber(env: Env, name: string, fallback: number, max: number): number {
  const value = env[name];
  if (value === undefined || !/^\+?[0-9]+$/.test(value)) return fallback;
  const parsed = Number(value);
  return parsed <= max ? parsed : fallback;
}

const U32_MAX = 4294967295;
const U64_MAX = Number.MAX_SAFE_INTEGER;

/** `Config::token()`: for token requests (3 retries at once; 1 s connect, 1 s read, 2 s overall). */
export function tokenHttpPolicy(env: Env): HttpPolicy {
  return {
    maxRetries: envNumber(env, 'TEXAS_HTTP_MAX_RETRIES', 3, U32_MAX),
    minRetryIntervalMs: 0,
    maxRetryIntervalMs: 0,
    connectTimeoutMs: envNumber(env, 'TEXAS_HTTP_CONNECT_TIMEOUT_MILLIS', 1_000, U64_MAX),
    readTimeoutMs: envNumber(env, 'TEXAS_HTTP_READ_TIMEOUT_MILLIS', 1_000, U64_MAX),
    overallTimeoutMs: envNumber(env, 'TEXAS_HTTP_OVERALL_TIMEOUT_MILLIS', 2_000, U64_MAX),
  };
}

/** `Config::jwks()`: for JWKS and provider metadata (10 retries, 100 ms doubling to 2 s; 5 s, 5 s, 10 s). */
export function jwksHttpPolicy(env: Env): HttpPolicy {
  return {
    maxRetries: envNumber(env, 'TEXAS_HTTP_MAX_RETRIES', 10, U32_MAX),
    minRetryIntervalMs: 100,
    maxRetryIntervalMs: 2_000,
    connectTimeoutMs: envNumber(env, 'TEXAS_HTTP_CONNECT_TIMEOUT_MILLIS', 5_000, U64_MAX),
    readTimeoutMs: envNumber(env, 'TEXAS_HTTP_READ_TIMEOUT_MILLIS', 5_000, U64_MAX),
    overallTimeoutMs: envNumber(env, 'TEXAS_HTTP_OVERALL_TIMEOUT_MILLIS', 10_000, U64_MAX),
  };
}

/** A request that got no answer: `display` as Texas prints the error, `debug` as it prints it with `{:?}`. */
export class UpstreamRequestError extends Error {
  constructor(
    readonly display: string,
    readonly debug: string,
  ) {
    super(display);
  }
}

/** Reading an answer's body failed (reqwest's "request or response body error"). */
export class UpstreamBodyError extends Error {
  constructor() {
    super('request or response body error');
  }
}

/** An answer, status first; the body is read separately, as reqwest does after the middleware. */
export interface UpstreamResponse {
  readonly status: number;
  /** The body; throws {@link UpstreamBodyError} when it cannot be read in time. */
  body(): Promise<Uint8Array>;
}

interface Attempt {
  readonly response?: UpstreamResponse & { discard(): void };
  readonly failure?: { readonly transient: boolean; readonly display: string };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function transientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

async function attempt(policy: HttpPolicy, url: string, init: RequestInit): Promise<Attempt> {
  const controller = new AbortController();
  const overall = setTimeout(() => controller.abort(), policy.overallTimeoutMs);
  const firstByte = setTimeout(() => controller.abort(), policy.connectTimeoutMs + policy.readTimeoutMs);
  const done = () => {
    clearTimeout(overall);
    clearTimeout(firstByte);
  };
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: controller.signal });
  } catch {
    done();
    // Connect errors, timeouts and dropped connections are all transient to reqwest-retry.
    return { failure: { transient: true, display: `error sending request for url (${url})` } };
  }
  clearTimeout(firstByte);
  return {
    response: {
      status: response.status,
      async body() {
        try {
          return new Uint8Array(await response.arrayBuffer());
        } catch {
          throw new UpstreamBodyError();
        } finally {
          done();
        }
      },
      discard() {
        done();
        response.body?.cancel().catch(() => {});
      },
    },
  };
}

/** Sends one request the way Texas' client does: retrying transient failures, then answering or failing. */
export async function sendUpstream(policy: HttpPolicy, url: string, init: RequestInit): Promise<UpstreamResponse> {
  if (!URL.canParse(url)) throw new UpstreamRequestError('builder error', 'Reqwest(builder error)');
  const href = new URL(url).href;
  if (!href.startsWith('http:') && !href.startsWith('https:')) {
    throw new UpstreamRequestError(`builder error for url (${href})`, `Reqwest(builder error for url (${href}))`);
  }
  for (let retries = 0; ; retries++) {
    const result = await attempt(policy, href, init);
    const transient = result.response === undefined ? result.failure?.transient === true : transientStatus(result.response.status);
    if (transient && retries < policy.maxRetries) {
      result.response?.discard();
      await sleep(Math.min(policy.maxRetryIntervalMs, policy.minRetryIntervalMs * 2 ** retries));
      continue;
    }
    if (result.response !== undefined) return result.response;
    const cause = result.failure?.display ?? 'error sending request';
    if (retries === 0) throw new UpstreamRequestError(cause, `Middleware(${cause})`);
    const display = `Request failed after ${retries} retries`;
    throw new UpstreamRequestError(display, `Middleware(${display}\n\nCaused by:\n    ${cause})`);
  }
}
