import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel';
import { isNavAuthError, NAV_AUTH_OPERATIONS, type NavAuthOperation, type TraceMessage } from '@nav-auth/node';
import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/** The tracer (instrumentation scope) name nav-auth's spans are recorded under. */
export const NAV_AUTH_TRACER_NAME = '@nav-auth/otel';

/** The span of each traced operation: `nav_auth.token.acquire` for `token.acquire`, and so on. */
export function spanNameOf(operation: NavAuthOperation): string {
  return `nav_auth.${operation}`;
}

/**
 * The attributes a span may carry, by name: a closed list, so that an attribute added to an
 * operation later cannot reach a span before it is judged free of secrets and personal ids.
 */
export const SPAN_ATTRIBUTES = [
  'provider',
  'target',
  'renew',
  'joined',
  'tier',
  'profile',
  'outcome',
  'reason',
  'jwksHost',
  'decision',
  'kind',
  'cached',
] as const;

/** Each allowed attribute's span attribute name, built once: this runs twice per operation. */
const SPAN_ATTRIBUTE_NAMES: ReadonlyMap<string, string> = new Map(SPAN_ATTRIBUTES.map((name) => [name, `nav_auth.${name}`]));

/** An operation's allowed attributes under `nav_auth.`, those not (yet) known left out. */
function attributesOf(message: TraceMessage): Attributes {
  const attributes: Attributes = {};
  for (const name in message.attributes) {
    const spanName = SPAN_ATTRIBUTE_NAMES.get(name);
    const value = message.attributes[name];
    if (spanName !== undefined && value !== undefined) attributes[spanName] = value;
  }
  return attributes;
}

/** The error's code only: a message may name a claim's value, and a code is what a dashboard groups by. */
function errorTypeOf(error: unknown): string {
  return isNavAuthError(error) ? error.code : 'ERR_UNKNOWN';
}

/**
 * Makes an internal span of every nav-auth operation (see `NAV_AUTH_OPERATIONS`), active while
 * the operation runs so that the HTTP client spans undici's instrumentation emits are its
 * children; nav-auth makes no client span of its own. A background operation (a refresh ahead of
 * expiry, which no request waits for) is a root span, not a child of the request that happened
 * to start it. Returns the function that stops it.
 */
export function traceNavAuth(tracerProvider: TracerProvider): () => void {
  const tracer = tracerProvider.getTracer(NAV_AUTH_TRACER_NAME);
  const spans = new WeakMap<TraceMessage, Span>();
  // The store diagnostics_channel runs an operation in: `runStores` calls `store.run(value, fn)`,
  // so entering the operation's context is OTel's `context.with`, whatever context manager the SDK has.
  const store = { run: <T>(within: Context, fn: () => T): T => context.with(within, fn) };
  const enter = (message: TraceMessage): Context => {
    const active = context.active();
    try {
      const parent = message.background ? ROOT_CONTEXT : active;
      const span = tracer.startSpan(spanNameOf(message.operation), { kind: SpanKind.INTERNAL, attributes: attributesOf(message) }, parent);
      spans.set(message, span);
      return trace.setSpan(parent, span);
    } catch {
      // A tracing fault must not fail the operation, nor crash the process (diagnostics_channel would).
      return active;
    }
  };
  const leave = (message: unknown) => {
    try {
      const span = spans.get(message as TraceMessage);
      if (span === undefined) return;
      spans.delete(message as TraceMessage);
      const { error } = message as TraceMessage;
      span.setAttributes(attributesOf(message as TraceMessage));
      if (error !== undefined) {
        const type = errorTypeOf(error);
        span.setAttribute('error.type', type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      }
      span.end();
    } catch {
      // Ignored on purpose: see `enter`.
    }
  };
  const channels: TracingChannel<unknown, TraceMessage>[] = NAV_AUTH_OPERATIONS.map((operation) =>
    tracingChannel<unknown, TraceMessage>(`nav-auth:${operation}`),
  );
  for (const channel of channels) {
    channel.start.bindStore(store as never, enter as never);
    channel.asyncEnd.subscribe(leave);
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    for (const channel of channels) {
      channel.start.unbindStore(store as never);
      channel.asyncEnd.unsubscribe(leave);
    }
  };
}
