// A token endpoint on 127.0.0.1 that quotes back whatever secret it was sent, as some do in
// error_description: none of it may reach the error, its message or an event.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientCredentialsClient, type TokenEvent } from '../src/index.js';

let server: Server;
let tokenEndpoint: string;
let answer: (form: URLSearchParams, authorization: string | undefined) => [number, unknown];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const [status, json] = answer(new URLSearchParams(body), request.headers.authorization);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const secret = 'Sœcret+/= with&odd~chars-0123456789';

describe('a token endpoint that echoes secrets', () => {
  it.each(['client_secret_post', 'client_secret_basic'] as const)(
    '%s: the echoed secret, in every form sent, is cut out',
    async (method) => {
      answer = (form, authorization) => [
        401,
        {
          error: 'invalid_client',
          error_description: `bad client_secret ${form.get('client_secret') ?? ''}, raw body secret ${encodeURIComponent(secret)}, header ${authorization ?? ''}, decoded ${authorization === undefined ? '' : Buffer.from(authorization.slice(6), 'base64').toString()}`,
        },
      ];
      const events: TokenEvent[] = [];
      const client = createClientCredentialsClient({
        issuer: 'http://127.0.0.1',
        tokenEndpoint,
        clientId: 'partner-client',
        credential: { clientSecret: secret, method },
        onEvent: (event) => events.push(event),
      });
      const error = (await client.getToken('read').catch((e: unknown) => e)) as Error & { errorDescription: string; code: string };
      expect(error.code).toBe('ERR_TOKEN_ENDPOINT');
      expect(error.errorDescription).toContain('[redacted]');
      const visible = `${error.message} ${error.errorDescription} ${JSON.stringify(error)} ${JSON.stringify(events)}`;
      const basic = Buffer.from(`partner-client:${new URLSearchParams([['', secret]]).toString().slice(1)}`).toString('base64');
      for (const form of [secret, encodeURIComponent(secret), new URLSearchParams([['', secret]]).toString().slice(1), basic])
        expect(visible).not.toContain(form);
    },
  );

  it('an access_token with CR LF in a 200 is ERR_TOKEN_RESPONSE, and the token is not repeated', async () => {
    answer = () => [200, { access_token: 'abc\r\nX-Injected: 1', token_type: 'Bearer', expires_in: 60 }];
    const client = createClientCredentialsClient({
      issuer: 'http://127.0.0.1',
      tokenEndpoint,
      clientId: 'partner-client',
      credential: { clientSecret: secret },
    });
    const error = (await client.getToken('read').catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe('ERR_TOKEN_RESPONSE');
    expect(error.message).not.toContain('X-Injected');
  });
});
