/**
 * `@nav-auth/node/internal`: the plumbing the other `@nav-auth` packages build on (the HTTP
 * transport, event and trace publishing, the JWS primitives under the token validator).
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release. Import
 * from `@nav-auth/node` instead; its event channels (`NAV_AUTH_CHANNELS`) and tracing channels
 * (`NAV_AUTH_OPERATIONS`) are the public way to observe nav-auth.
 *
 * @internal
 * @packageDocumentation
 */
export { isObserved, publishEvent } from './events/channels.js';
export { notifyListener } from './events/notify-listener.js';
export { isTraced, traced } from './events/traces.js';
export type { HttpResponse, OutgoingRequest, SendOptions } from './http/transport.js';
export { headerValue, sendRequest } from './http/transport.js';
export type { CheckedHeader, ParsedJws, ParseJwsOptions } from './validation/parse-compact-jws.js';
export { parseCompactJws } from './validation/parse-compact-jws.js';
export type { VerifyJwsOptions } from './validation/verify-jws.js';
export { verifyCompactJws, verifySignature } from './validation/verify-jws.js';
