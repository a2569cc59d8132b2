// Two citizen-facing NAIS apps in plain Node. The login proxy (Wonderwall) forwards a citizen's
// ID-porten token to app A; A exchanges it with TokenX for a token to app B, and calls B.
// B takes only login level high, and only calls from A.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CitizenClaims, type EnvironmentRecord, IDPORTEN_ACR, isNavAuthError } from '@nav-auth/core';
import { createIdportenTokenValidator, createTokenXClient, createTokenXTokenValidator, type TokenValidator } from '@nav-auth/node';

/** A running service. */
export interface Service {
  readonly url: string;
  close(): Promise<void>;
}

function bearer(request: IncomingMessage): string | undefined {
  return /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

function reply(response: ServerResponse, status: number, body: unknown, challenge?: string | null): void {
  response.writeHead(status, { 'content-type': 'application/json', ...(challenge ? { 'www-authenticate': challenge } : {}) });
  response.end(JSON.stringify(body));
}

/**
 * Refuses a token that did not validate, by error code: 503 when the keys cannot be had; 401
 * `insufficient_user_authentication` with the `acr` to log in with again (RFC 9470 §3) when the
 * login level is too low; 403 for a caller outside the allowed clients; 401 otherwise (RFC 6750).
 */
function refuse(response: ServerResponse, error: unknown): void {
  if (isNavAuthError(error, 'ERR_JWKS_UNAVAILABLE')) reply(response, 503, { error: 'unavailable' });
  else if (isNavAuthError(error, 'ERR_CLAIM_VALIDATION') && error.claim === 'acr' && error.reason === 'insufficient') {
    reply(
      response,
      401,
      { error: 'insufficient_user_authentication' },
      `Bearer error="insufficient_user_authentication", acr_values="${IDPORTEN_ACR.high}"`,
    );
  } else if (isNavAuthError(error, 'ERR_CLAIM_VALIDATION') && error.claim === 'client_id') {
    reply(response, 403, { error: 'insufficient_scope' }, 'Bearer error="insufficient_scope"');
  } else {
    reply(response, 401, { error: 'invalid_token', code: isNavAuthError(error) ? error.code : 'unknown' }, 'Bearer error="invalid_token"');
  }
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

/** Validates the request's bearer token, or refuses the request and answers `undefined`. */
async function citizenOf<C extends CitizenClaims>(
  validator: TokenValidator<C>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<C | undefined> {
  try {
    return await validator.validate(bearer(request) ?? '');
  } catch (error) {
    refuse(response, error);
    return undefined;
  }
}

/** App B: answers with the citizen's login level and the app that called, for TokenX tokens from `allowedClients`. */
export function startAppB(env: EnvironmentRecord, allowedClients: readonly string[]): Promise<Service> {
  // Login level high is the default: a citizen who logged in with MinID is sent back to log in again.
  const validator = createTokenXTokenValidator({ env, allowedClients });
  return listen(async (request, response) => {
    const citizen = await citizenOf(validator, request, response);
    if (citizen === undefined) return;
    // The pid is personal data: B uses it to look the citizen up, and never logs or echoes it.
    reply(response, 200, { loginLevel: citizen.loginLevel, calledBy: citizen.clientId, loggedInWith: citizen.idp });
  });
}

/** App A: takes the citizen's ID-porten token (either level), exchanges it with TokenX for app B, and calls B. */
export function startAppA(env: EnvironmentRecord, appB: { readonly url: string; readonly name: string }): Promise<Service> {
  const validator = createIdportenTokenValidator({ env, requiredLoginLevel: 'substantial' });
  // Through Texas when env has NAIS_TOKEN_EXCHANGE_ENDPOINT, direct with TOKEN_X_* otherwise: the same code.
  const tokenx = createTokenXClient({ env });
  return listen(async (request, response) => {
    if ((await citizenOf(validator, request, response)) === undefined) return;
    let downstream: string;
    try {
      downstream = (await tokenx.exchange(bearer(request) as string, appB.name)).token;
    } catch (error) {
      // An exchange TokenX refuses (no access policy for A at B, say) is a fault of the platform setup, not the citizen's.
      return reply(response, 502, { error: 'token_exchange_refused', code: isNavAuthError(error) ? error.code : 'unknown' });
    }
    const answer = await fetch(appB.url, { headers: { authorization: `Bearer ${downstream}` } });
    // B's step-up challenge goes back to the citizen's browser, which logs in again at the level B names.
    reply(response, answer.status, { fromAppB: await answer.json() }, answer.headers.get('www-authenticate'));
  });
}
