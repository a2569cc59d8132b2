import { channel } from 'node:diagnostics_channel';
import { notifyListener } from './notify-listener.js';

/**
 * The `node:diagnostics_channel` channels nav-auth publishes its events on, for metrics and
 * logs without a listener on every client (`@nav-auth/otel` subscribes to them). A channel
 * nobody subscribes to costs one property read per event. Messages never carry a token,
 * assertion, secret, cache key or personal id.
 */
export const NAV_AUTH_CHANNELS = {
  /** `TokenEvent`s of every token client. */
  token: 'nav-auth:token',
  /** A `ValidationEvent` per token validated. */
  validation: 'nav-auth:validation',
  /** `KeySetEvent`s of every remote key set, with its `jwksHost`. */
  jwks: 'nav-auth:jwks',
  /** The PDP client's events (`@nav-auth/pdp`). */
  pdp: 'nav-auth:pdp',
} as const;

/** One of {@link NAV_AUTH_CHANNELS}. */
export type NavAuthChannel = keyof typeof NAV_AUTH_CHANNELS;

const channels = {
  token: channel(NAV_AUTH_CHANNELS.token),
  validation: channel(NAV_AUTH_CHANNELS.validation),
  jwks: channel(NAV_AUTH_CHANNELS.jwks),
  pdp: channel(NAV_AUTH_CHANNELS.pdp),
};

/**
 * True when `event`s of `name` would reach anyone: `listener`, or a channel subscriber.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export function isObserved(name: NavAuthChannel, listener: unknown): boolean {
  return listener !== undefined || channels[name].hasSubscribers;
}

/**
 * Gives `event` to `listener` (which may not throw its way into the operation) and to the channel's subscribers.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export function publishEvent<E extends object>(name: NavAuthChannel, listener: ((event: E) => void) | undefined, event: E): void {
  notifyListener(listener, event);
  const target = channels[name];
  if (target.hasSubscribers) target.publish(event);
}
