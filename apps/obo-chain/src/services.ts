// Two NAIS apps in plain Node: API A serves NAV employees and calls API B on their behalf.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AzureClaims, type EnvironmentRecord, isNavAuthError } from '@nav-auth/core';
import { createAzureClient, createAzureTokenValidator } from '@nav-auth/node';

/** A running service. */
export interface Service {
  readonly url: string;
  close(): Promise<void>;
}

function bearer(request: IncomingMessage): string | undefined {
  return /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

function reply(response: ServerResponse, status: number, body: unknown, challenge?: string): void {
  response.writeHead(status, { 'content-type': 'application/json', ...(challenge === undefined ? {} : { 'www-authenticate': challenge }) });
  response.end(JSON.stringify(body));
}

/** Answers 401/503 for a token that did not validate, by error code (RFC 6750). */
function refuse(response: ServerResponse, error: unknown): void {
  if (isNavAuthError(error, 'ERR_JWKS_UNAVAILABLE')) reply(response, 503, { error: 'unavailable' });
  else
    reply(response, 401, { error: 'invalid_token', code: isNavAuthError(error) ? error.code : 'unknown' }, 'Bearer error="invalid_token"');
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>): Promise<Service> {
  const server: Server = createServer((request, response) => {
    handler(request, response).catch(() => reply(response, 500, { error: 'internal' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** API B: answers with who the user is, for user tokens addressed to it. */
export function startApiB(env: EnvironmentRecord): Promise<Service> {
  const validator = createAzureTokenValidator({ env, kind: 'user' });
  return listen(async (request, response) => {
    let claims: AzureClaims;
    try {
      claims = await validator.validate(bearer(request) ?? '');
    } catch (error) {
      return refuse(response, error);
    }
    reply(response, 200, { navIdent: claims.navIdent, calledBy: claims.clientName });
  });
}

/** API A: validates the user's token, exchanges it on-behalf-of for API B, and calls API B. */
export function startApiA(env: EnvironmentRecord, apiB: { readonly url: string; readonly name: string }): Promise<Service> {
  const validator = createAzureTokenValidator({ env, kind: 'user' });
  // Through Texas when env has NAIS_TOKEN_EXCHANGE_ENDPOINT, direct with the AZURE_* variables otherwise: the same code.
  const azure = createAzureClient({ env });
  return listen(async (request, response) => {
    const token = bearer(request) ?? '';
    try {
      await validator.validate(token);
    } catch (error) {
      return refuse(response, error);
    }
    const { token: downstream } = await azure.onBehalfOf(token, apiB.name);
    const answer = await fetch(apiB.url, { headers: { authorization: `Bearer ${downstream}` } });
    reply(response, answer.status, { fromApiB: await answer.json() });
  });
}
