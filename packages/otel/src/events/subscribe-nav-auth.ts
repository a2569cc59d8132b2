import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { NAV_AUTH_CHANNELS, type NavAuthChannel } from '@nav-auth/node';

/** Receives every message published on one of nav-auth's channels. */
export type NavAuthMessageHandler = (channel: NavAuthChannel, message: unknown) => void;

/**
 * Subscribes `handler` to the four nav-auth channels; the returned function unsubscribes it.
 * A throwing handler is contained: diagnostics_channel would rethrow it on the next tick,
 * and a metrics bug must not crash the service that token belongs to.
 */
export function subscribeNavAuth(handler: NavAuthMessageHandler): () => void {
  const subscriptions = (Object.keys(NAV_AUTH_CHANNELS) as NavAuthChannel[]).map((channel) => {
    const onMessage = (message: unknown) => {
      try {
        handler(channel, message);
      } catch {
        // Ignored on purpose: see above.
      }
    };
    subscribe(NAV_AUTH_CHANNELS[channel], onMessage);
    return () => unsubscribe(NAV_AUTH_CHANNELS[channel], onMessage);
  });
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    for (const stop of subscriptions) stop();
  };
}
