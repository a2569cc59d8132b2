import { randomUUID } from 'node:crypto';
import { authenticateClient } from '../azure/client-authentication.js';
import type { IssuerKeys } from '../keys/issuer-keys.js';
import type { JWK } from '../keys/jwk.js';
import type { GenericClientRecord, SeenJtis } from '../registry.js';
import { type HandlerRequest, parseForm, type Reply } from '../server/http-server.js';
import { OAuthFailure } from '../server/oauth-error.js';

/** What the generic authorization server (seed 004) needs from the IdP. */
export interface GenericContext {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** `aud` when the client registered no audience and asked for no resource (RFC 9068 §3). */
  readonly defaultResource: string;
  readonly keys: IssuerKeys;
  readonly clients: ReadonlyMap<string, GenericClientRecord>;
  readonly seenJtis: SeenJtis;
  readonly tokenLifetimeSeconds: number;
  readonly now: () => Date;
}

/** Fetches a client's public keys from its JWKS URI, as a real authorization server does on every assertion. */
async function fetchClientKey(jwksUri: string, kid: string | undefined): Promise<JWK | undefined> {
  let keys: unknown;
  try {
    const response = await fetch(jwksUri, { signal: AbortSignal.timeout(2000), redirect: 'error' });
    if (!response.ok) return undefined;
    keys = ((await response.json()) as { keys?: unknown }).keys;
  } catch {
    return undefined;
  }
  if (!Array.isArray(keys)) return undefined;
  const matching = (keys as JWK[]).filter((key) => kid === undefined || key.kid === kid);
  // An ambiguous key set is refused rather than guessed from.
  return matching.length === 1 ? matching[0] : undefined;
}

/**
 * The audience of the token: RFC 9068 §2.2 makes `aud` required in an `at+jwt`, and §3 has the
 * server use a default resource indicator as `aud` when the request names no `resource`. A
 * registered audience is the only resource its client may ask for; anything else, and a value
 * that is not an absolute URI without a fragment, is RFC 8707 §2's `invalid_target`.
 */
function audienceFor(context: GenericContext, client: GenericClientRecord, resource: string | undefined): string {
  if (resource === undefined) return client.audience ?? context.defaultResource;
  if (!URL.canParse(resource) || resource.includes('#')) {
    throw new OAuthFailure('invalid_target', 'resource must be an absolute URI without a fragment');
  }
  if (client.audience !== undefined && resource !== client.audience) {
    throw new OAuthFailure('invalid_target', 'this client may only ask for its registered audience');
  }
  return resource;
}

/**
 * The generic authorization server of seed 004: client credentials with `private_key_jwt`
 * only, the client's key fetched from its registered JWKS URI, PS256, RS256 or ES256; an
 * RFC 9068 `at+jwt` whose `aud` is always set.
 */
export async function handleGenericToken(context: GenericContext, request: HandlerRequest): Promise<Reply> {
  // RFC 8707 §2 lets `resource` repeat, which the strict form parser below refuses: read it
  // first, and since a token here serves one resource, refuse more than one as `invalid_target`.
  const resources = new URLSearchParams(request.body).getAll('resource');
  if (resources.length > 1) throw new OAuthFailure('invalid_target', 'ask for one resource at a time');
  const form = parseForm(request.body);
  if (form === undefined) throw new OAuthFailure('invalid_request', 'a parameter is repeated');
  if (form.grant_type !== 'client_credentials') throw new OAuthFailure('unsupported_grant_type', 'only client_credentials is supported');
  if (form.client_assertion === undefined) throw new OAuthFailure('invalid_client', 'this server requires private_key_jwt', 401);
  const { client } = await authenticateClient(
    form,
    request.headers.authorization,
    (id) => {
      const record = context.clients.get(id);
      return record && { ...record, clientSecret: undefined, publicJwk: undefined };
    },
    {
      audiences: [context.issuer, context.tokenEndpoint],
      algorithms: ['PS256', 'RS256', 'ES256'],
      maxLifetimeSeconds: 300,
      seenJtis: context.seenJtis,
      now: context.now,
      keyFor: (record, kid) => fetchClientKey(record.jwksUri, kid),
    },
  );
  const requested = form.scope === undefined ? [...client.scopes] : form.scope.split(' ');
  const denied = requested.filter((scope) => !client.scopes.has(scope));
  if (denied.length > 0 || requested.length === 0) throw new OAuthFailure('invalid_scope', `scope not granted: ${denied.join(' ')}`);
  const audience = audienceFor(context, client, resources[0]);
  const now = Math.floor(context.now().getTime() / 1000);
  const token = await context.keys.sign(
    {
      iss: context.issuer,
      sub: client.clientId,
      client_id: client.clientId,
      aud: audience,
      scope: requested.join(' '),
      iat: now,
      exp: now + context.tokenLifetimeSeconds,
      jti: randomUUID(),
    },
    { header: { typ: 'at+jwt' } },
  );
  return {
    status: 200,
    body: { access_token: token, token_type: 'Bearer', expires_in: context.tokenLifetimeSeconds, scope: requested.join(' ') },
  };
}
