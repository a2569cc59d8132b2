import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel';

/**
 * The operations nav-auth traces, each on a `node:diagnostics_channel` `TracingChannel` named
 * `nav-auth:<operation>` (so its channels are `tracing:nav-auth:<operation>:start`, `:end`,
 * `:asyncStart`, `:asyncEnd` and `:error`). `@nav-auth/otel` makes a span of each, active while
 * the operation runs, so the HTTP client spans undici's instrumentation emits become its children.
 */
export const NAV_AUTH_OPERATIONS = ['token.acquire', 'token.exchange', 'token.validate', 'pdp.authorize', 'jwks.refresh'] as const;

/**
 * `token.acquire`: a token fetched for a client (client credentials, JWT bearer, Maskinporten),
 * through the shared tier or the network; a cache hit is not an operation, only a `cache_hit`
 * event. `token.exchange`: the same for a subject token (on-behalf-of, TokenX).
 * `token.validate`: one token validated. `pdp.authorize`: one PDP decision. `jwks.refresh`:
 * one fetch of a key set.
 */
export type NavAuthOperation = (typeof NAV_AUTH_OPERATIONS)[number];

/** Low-cardinality facts about an operation: never a token, assertion, secret, subject or personal id. */
export type TraceAttributes = Record<string, string | number | boolean | undefined>;

/**
 * What an operation's `TracingChannel` carries, from `start` to `asyncEnd`. The operation adds
 * to `attributes` as it learns (the tier a token came from, the outcome). `error` is set (by
 * `error`) when it failed; it is a `NavAuthError`, whose message carries no secret. The
 * operation's result (a token, claims) is never put on it.
 */
export interface TraceMessage {
  readonly operation: NavAuthOperation;
  readonly attributes: TraceAttributes;
  /** Started by nav-auth itself (a refresh ahead of expiry), not for a caller waiting on it. */
  readonly background: boolean;
  error?: unknown;
}

const traces = Object.fromEntries(
  NAV_AUTH_OPERATIONS.map((operation) => [operation, tracingChannel<unknown, TraceMessage>(`nav-auth:${operation}`)]),
) as Record<NavAuthOperation, TracingChannel<unknown, TraceMessage>>;

/**
 * True when someone subscribes to `operation`'s tracing channel.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export function isTraced(operation: NavAuthOperation): boolean {
  return (traces[operation] as { readonly hasSubscribers: boolean }).hasSubscribers;
}

/**
 * Runs `operation` as `fn`, on its tracing channel when that has subscribers (`fn` then gets the
 * message to add attributes to; without subscribers it gets `undefined` and nothing is built).
 * Unlike `TracingChannel.tracePromise`, the result never reaches the channel: it is a token.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export function traced<T>(
  operation: NavAuthOperation,
  attributes: () => TraceAttributes,
  fn: (message: TraceMessage | undefined) => Promise<T>,
  background = false,
): Promise<T> {
  const channel = traces[operation];
  if (!(channel as { readonly hasSubscribers: boolean }).hasSubscribers) return fn(undefined);
  const message: TraceMessage = { operation, attributes: attributes(), background };
  const settle = () => {
    channel.asyncStart.publish(message);
    channel.asyncEnd.publish(message);
  };
  return channel.start.runStores(message, () => {
    let running: Promise<T>;
    try {
      running = fn(message);
    } catch (error) {
      running = Promise.reject(error);
    } finally {
      channel.end.publish(message);
    }
    return running.then(
      (value) => {
        settle();
        return value;
      },
      (error: unknown) => {
        message.error = error;
        channel.error.publish(message);
        settle();
        throw error;
      },
    );
  });
}
