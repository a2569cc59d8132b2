import { TimeoutError, TransportError } from '@nav-auth/core';
import { type Dispatcher, request } from 'undici';

/**
 * An HTTP request to send: what core's request builders return, or a plain GET.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export interface OutgoingRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * A response read in full (within the size limit).
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * Options for {@link sendRequest}.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export interface SendOptions {
  readonly dispatcher?: Dispatcher | undefined;
  /** Aborts the request; its reason is rethrown as is. */
  readonly signal?: AbortSignal | undefined;
  /** Whole-request timeout (connect, headers and body), in milliseconds. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** What the request is, for error messages (`token request`, `JWKS fetch`). */
  readonly purpose: string;
}

const DEFAULT_MAX_BODY = 1024 * 1024;

/** Where a request went, without query or credentials: safe for messages. */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * Sends one HTTP request with undici and reads the whole body. Redirects are never followed
 * (RFC 8725 §3.10: no SSRF through a redirecting endpoint), the body is capped, and the
 * timeout covers everything. Failures become {@link TransportError} or {@link TimeoutError};
 * a caller's abort is rethrown unchanged. No header or body ever reaches an error message.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export async function sendRequest(outgoing: OutgoingRequest, options: SendOptions): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  const where = describe(outgoing.url);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  try {
    const response = await request(outgoing.url, {
      method: outgoing.method,
      signal,
      ...(outgoing.headers === undefined ? {} : { headers: outgoing.headers }),
      ...(outgoing.body === undefined ? {} : { body: outgoing.body }),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        response.body.destroy();
        throw new TransportError(`${options.purpose} to ${where}: response body larger than ${limit} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    if (error instanceof TransportError) throw error;
    // An abort by a timeout (ours or the caller's AbortSignal.timeout) is a timeout; any other abort is the caller's.
    const reason: unknown = options.signal?.aborted ? options.signal.reason : undefined;
    if (timeout.aborted || (reason instanceof Error && reason.name === 'TimeoutError')) {
      throw new TimeoutError(`${options.purpose} to ${where}`, options.timeoutMs, { cause: error });
    }
    if (options.signal?.aborted) throw reason;
    const code = (error as { code?: unknown }).code;
    throw new TransportError(`${options.purpose} to ${where} failed${typeof code === 'string' ? ` (${code})` : ''}`, { cause: error });
  }
}

/**
 * Reads a header that may repeat as its first value.
 *
 * Not part of the public API: for `@nav-auth` packages only; may change in any release.
 *
 * @internal
 */
export function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
