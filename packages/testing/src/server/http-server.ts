import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Fault, FaultTable } from './faults.js';

/** A request the IdP received, as tests can inspect it. */
export interface RecordedRequest {
  readonly endpoint: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Parsed form parameters, for `application/x-www-form-urlencoded` bodies. */
  readonly form: Readonly<Record<string, string>> | undefined;
  readonly receivedAt: Date;
}

/** What a handler sees of a request. */
export interface HandlerRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The peer's IP address, from the socket (never a header), for endpoints that serve loopback callers only. */
  readonly remoteAddress?: string | undefined;
}

/** What a handler answers. Objects are sent as JSON, strings as text, `undefined` as no body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route: the endpoint name it logs under, its methods and its handler. */
export interface Route {
  readonly endpoint: string;
  readonly methods: readonly string[];
  readonly handle: (request: HandlerRequest) => Promise<Reply> | Reply;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Parses a form body strictly: RFC 6749 §3.2 forbids repeating a parameter. Returns undefined on a repeat. */
export function parseForm(body: string): Record<string, string> | undefined {
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(form, name)) return undefined;
    form[name] = value;
  }
  return form;
}

/** How a server answers requests no route takes, and bodies over its limit; the IdP's JSON answers by default. */
export interface UnroutedReplies {
  readonly notFound: () => Reply;
  readonly methodNotAllowed: (allowed: readonly string[]) => Reply;
  readonly bodyTooLarge: (headers: IncomingMessage['headers']) => Reply;
}

/** Options for a {@link LocalHttpServer} that mimics a server other than the IdP (the fake Texas). */
export interface LocalHttpServerOptions {
  /** Default 1 MiB. */
  readonly maxBodyBytes?: number;
  readonly unrouted?: UnroutedReplies;
}

const IDP_UNROUTED: UnroutedReplies = {
  notFound: () => ({ status: 404, body: { error: 'not_found' } }),
  methodNotAllowed: (allowed) => ({
    status: 405,
    headers: { allow: allowed.join(', ') },
    body: { error: 'invalid_request', error_description: 'method not allowed' },
  }),
  bodyTooLarge: () => ({ status: 413, body: { error: 'invalid_request', error_description: 'body too large' } }),
};

/** The certificate and key an https server presents, in PEM. */
export interface ServerTlsOptions {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** The HTTP(S) server behind the local IdP: routing, request log, faults, clean shutdown. */
export class LocalHttpServer<Endpoint extends string> {
  readonly log: RecordedRequest[] = [];
  private readonly unread: RecordedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private readonly scheme: 'http' | 'https';

  private readonly maxBodyBytes: number;
  private readonly unrouted: UnroutedReplies;

  constructor(
    private readonly routes: ReadonlyMap<string, Route>,
    private readonly faults: FaultTable<Endpoint>,
    private readonly now: () => Date,
    tls?: ServerTlsOptions,
    options: LocalHttpServerOptions = {},
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.unrouted = options.unrouted ?? IDP_UNROUTED;
    const handle = (req: IncomingMessage, res: ServerResponse) => {
      this.dispatch(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'server_error', error_description: 'local IdP handler failed' }));
      });
    };
    this.scheme = tls === undefined ? 'http' : 'https';
    this.server =
      tls === undefined
        ? createServer(handle)
        : createHttpsServer({ cert: tls.certificatePem, key: tls.privateKeyPem, minVersion: 'TLSv1.2' }, handle);
    // The raw TCP sockets, also under TLS: close() destroys them and the `reset` fault resets them.
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(port: number, host: string): Promise<URL> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('local IdP has no TCP address');
    return new URL(`${this.scheme}://${host}:${address.port}`);
  }

  /** The oldest request not yet taken, optionally for one endpoint. */
  takeRequest(endpoint?: Endpoint): RecordedRequest | undefined {
    const index = this.unread.findIndex((r) => endpoint === undefined || r.endpoint === endpoint);
    return index < 0 ? undefined : this.unread.splice(index, 1)[0];
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const route = this.routes.get(url.pathname);
    const body = await readBody(req, this.maxBodyBytes);
    if (body === undefined) return send(res, this.unrouted.bodyTooLarge(req.headers));
    const contentType = String(req.headers['content-type'] ?? '');
    const recorded: RecordedRequest = {
      endpoint: route?.endpoint ?? 'unknown',
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)])),
      body,
      form: contentType.startsWith('application/x-www-form-urlencoded') ? parseForm(body) : undefined,
      receivedAt: this.now(),
    };
    this.log.push(recorded);
    this.unread.push(recorded);
    if (route === undefined) return send(res, this.unrouted.notFound());
    if (!route.methods.includes(recorded.method)) return send(res, this.unrouted.methodNotAllowed(route.methods));

    const fault = this.faults.take(route.endpoint as Endpoint);
    if (fault !== undefined && (await this.applyFault(fault, req, res))) return;
    const reply = await route.handle({ method: recorded.method, url, headers: req.headers, body, remoteAddress: req.socket.remoteAddress });
    if (fault?.type === 'truncated') return sendTruncated(res, reply);
    send(res, reply);
  }

  /** The TCP socket under a request's socket: itself for http, the socket the TLS session runs on for https. */
  private rawSocket(socket: Socket): Socket {
    for (const raw of this.sockets) {
      if (raw.remotePort === socket.remotePort && raw.remoteAddress === socket.remoteAddress) return raw;
    }
    return socket;
  }

  /** Applies a fault; returns true when it answered (or refused to answer) in place of the handler. */
  private async applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (fault.type) {
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return false;
      case 'hang':
        return true;
      case 'reset':
        this.rawSocket(req.socket).resetAndDestroy();
        return true;
      case 'status': {
        const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
        send(res, {
          status: fault.status,
          headers,
          body: { error: 'temporarily_unavailable', error_description: `injected ${fault.status}` },
        });
        return true;
      }
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html><body>502 Bad Gateway</body></html>{');
        return true;
      case 'truncated':
        return false;
    }
  }
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The body as text and its media type; `undefined` sends no body and no `content-type`. */
function encode(reply: Reply): { text: string; type: string | undefined } {
  if (reply.body === undefined) return { text: '', type: undefined };
  return typeof reply.body === 'string'
    ? { text: reply.body, type: 'text/plain; charset=utf-8' }
    : { text: JSON.stringify(reply.body), type: 'application/json' };
}

function send(res: ServerResponse, reply: Reply): void {
  const { text, type } = encode(reply);
  res.writeHead(reply.status, { ...(type === undefined ? {} : { 'content-type': type }), 'cache-control': 'no-store', ...reply.headers });
  res.end(text);
}

function sendTruncated(res: ServerResponse, reply: Reply): void {
  const { text, type } = encode(reply);
  const bytes = Buffer.from(text);
  res.writeHead(reply.status, { ...(type === undefined ? {} : { 'content-type': type }), 'content-length': String(bytes.length) });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
}
