import { createHash, randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { IssuerKeys } from '../keys/issuer-keys.js';
import type { AzureAppRecord, SeenJtis } from '../registry.js';
import { type HandlerRequest, parseForm, type Reply } from '../server/http-server.js';
import { OAuthFailure } from '../server/oauth-error.js';
import { authenticateClient } from './client-authentication.js';

/** What the Azure AD token endpoint needs from the IdP. */
export interface AzureContext {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly tenantId: string;
  readonly keys: IssuerKeys;
  readonly apps: ReadonlyMap<string, AzureAppRecord>;
  readonly seenJtis: SeenJtis;
  readonly tokenLifetimeSeconds: number;
  readonly now: () => Date;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The client an Azure AD access token is issued to (`azp`) and how it authenticated (`azpacr`). */
export interface AzureTokenCaller {
  readonly clientId: string;
  readonly name: string;
  /** `0` public client, `1` client secret, `2` certificate or private key. */
  readonly azpacr: '0' | '1' | '2';
}

/** The claims every Azure AD v2 access token carries: audience, lifetime, tenant and caller. */
export function azureAccessTokenClaims(
  context: Pick<AzureContext, 'tenantId' | 'tokenLifetimeSeconds'>,
  audience: string,
  caller: AzureTokenCaller,
  issuedAt: number,
) {
  return {
    aud: audience,
    iat: issuedAt,
    nbf: issuedAt,
    exp: issuedAt + context.tokenLifetimeSeconds,
    azp: caller.clientId,
    azp_name: caller.name,
    azpacr: caller.azpacr,
    tid: context.tenantId,
    uti: randomUUID(),
    ver: '2.0',
  };
}

/** What makes a client-credentials token an app token: `idtyp`, the caller as subject, its roles on `target`. */
export function azureAppClaims(caller: AzureAppRecord, target: AzureAppRecord) {
  return {
    idtyp: 'app',
    oid: caller.objectId,
    sub: caller.objectId,
    roles: ['access_as_application', ...(caller.roles.get(target.name) ?? [])],
  };
}

/** Finds the app a `.default` scope names: `api://cluster.namespace.app/.default`, `api://<client id>/.default` or `<client id>/.default`. */
export function resolveTarget(context: AzureContext, scope: string | undefined): AzureAppRecord {
  const tokens = scope?.split(' ') ?? [];
  if (tokens.length !== 1 || !tokens[0]?.endsWith('/.default')) {
    throw new OAuthFailure('invalid_scope', 'AADSTS1002012: exactly one scope ending in /.default is required');
  }
  const resource = (tokens[0] as string).slice(0, -'/.default'.length).replace(/^api:\/\//, '');
  for (const app of context.apps.values()) {
    if (app.clientId === resource || app.name.replaceAll(':', '.') === resource) return app;
  }
  throw new OAuthFailure('invalid_scope', 'AADSTS500011: the resource principal was not found in the tenant');
}

/**
 * Azure AD's v2 token endpoint: client credentials and on-behalf-of, with a client secret or
 * a client assertion whose `aud` is this token endpoint.
 */
export async function handleAzureToken(context: AzureContext, request: HandlerRequest): Promise<Reply> {
  const form = parseForm(request.body);
  if (form === undefined) throw new OAuthFailure('invalid_request', 'AADSTS90015: a parameter is repeated');
  const byId = new Map([...context.apps.values()].map((app) => [app.clientId, app]));
  const { client: caller, method } = await authenticateClient(form, request.headers.authorization, (id) => byId.get(id), {
    audiences: [context.tokenEndpoint],
    algorithms: ['RS256', 'PS256'],
    maxLifetimeSeconds: 600,
    seenJtis: context.seenJtis,
    now: context.now,
  });
  const target = resolveTarget(context, form.scope);
  if (target.inbound !== undefined && !target.inbound.has(caller.name)) {
    throw new OAuthFailure('invalid_grant', 'AADSTS501051: the caller is not pre-authorized for the target application');
  }
  const issuedAt = Math.floor(context.now().getTime() / 1000);
  const azpacr = method === 'private_key_jwt' ? '2' : '1';
  const common = {
    iss: context.issuer,
    ...azureAccessTokenClaims(context, target.clientId, { clientId: caller.clientId, name: caller.name, azpacr }, issuedAt),
  };

  if (form.grant_type === 'client_credentials') {
    const token = await context.keys.sign({ ...common, ...azureAppClaims(caller, target) });
    return tokenReply(token, context.tokenLifetimeSeconds);
  }
  if (form.grant_type === JWT_BEARER && form.requested_token_use === 'on_behalf_of') {
    const user = await verifyUserAssertion(context, form.assertion, caller);
    const { NAVident, groups, name, preferred_username, oid } = user;
    const token = await context.keys.sign({
      ...common,
      // Azure gives each app its own pairwise `sub` for a user.
      sub: createHash('sha256')
        .update(`${String(oid)}|${target.clientId}`)
        .digest('base64url'),
      oid,
      scp: 'defaultaccess',
      ...(NAVident === undefined ? {} : { NAVident }),
      ...(groups === undefined ? {} : { groups }),
      ...(name === undefined ? {} : { name }),
      ...(preferred_username === undefined ? {} : { preferred_username }),
    });
    return tokenReply(token, context.tokenLifetimeSeconds);
  }
  throw new OAuthFailure(
    'unsupported_grant_type',
    'AADSTS70003: use client_credentials, or jwt-bearer with requested_token_use=on_behalf_of',
  );
}

async function verifyUserAssertion(context: AzureContext, assertion: string | undefined, caller: AzureAppRecord): Promise<JWTPayload> {
  const fail = (why: string) => new OAuthFailure('invalid_grant', `AADSTS50013: assertion failed validation: ${why}`);
  if (!assertion) throw new OAuthFailure('invalid_request', 'AADSTS900144: assertion is required');
  let user: JWTPayload;
  try {
    user = await context.keys.verify(assertion, context.issuer, context.now());
  } catch {
    throw fail('not a valid token from this issuer');
  }
  if (user.aud !== caller.clientId) throw fail('its audience is not the calling application');
  if (user.idtyp === 'app' || typeof user.scp !== 'string') throw fail('on-behalf-of needs a user token');
  if (typeof user.oid !== 'string') throw fail('oid is missing');
  return user;
}

function tokenReply(token: string, expiresIn: number): Reply {
  return { status: 200, body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token } };
}
