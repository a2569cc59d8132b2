import { createHash, randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { IssuerKeys } from '../keys/issuer-keys.js';
import type { AzureAppRecord } from '../registry.js';
import { type HandlerRequest, parseForm, type Reply } from '../server/http-server.js';
import { OAuthFailure } from '../server/oauth-error.js';
import { type AzureApp, findAzureAssertionKey } from './azure-certificate-credential.js';
import { authenticateClient } from './client-authentication.js';

/** What the Azure AD token endpoint needs from the IdP. */
export interface AzureContext {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly tenantId: string;
  readonly keys: IssuerKeys;
  readonly apps: ReadonlyMap<string, AzureApp>;
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

/**
 * The OpenID Connect scopes Entra accepts beside a resource's `.default` in a user flow such as
 * on-behalf-of (msal-node always adds them); they only shape the response, never the access token.
 */
const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'offline_access']);

/**
 * Finds the app a `.default` scope names: `api://cluster.namespace.app/.default`,
 * `api://<client id>/.default` or `<client id>/.default`. Client credentials take that one scope
 * alone; with `oidcScopes` (on-behalf-of) `openid`, `profile` and `offline_access` may come beside it.
 */
export function resolveTarget(context: AzureContext, scope: string | undefined, oidcScopes = false): AzureAppRecord {
  const tokens = (scope?.split(' ') ?? []).filter((token) => !(oidcScopes && OIDC_SCOPES.has(token)));
  if (tokens.filter((token) => token.endsWith('/.default')).length > 1) {
    throw new OAuthFailure('invalid_scope', 'AADSTS700022: the scope names more than one resource');
  }
  if (tokens.length !== 1 || !tokens[0]?.endsWith('/.default')) {
    const rule = oidcScopes
      ? 'one scope ending in /.default, besides openid, profile and offline_access'
      : 'exactly one scope ending in /.default';
    throw new OAuthFailure('invalid_scope', `${oidcScopes ? 'AADSTS70011' : 'AADSTS1002012'}: ${rule} is required`);
  }
  const resource = (tokens[0] as string).slice(0, -'/.default'.length).replace(/^api:\/\//, '');
  for (const app of context.apps.values()) {
    if (app.clientId === resource || app.name.replaceAll(':', '.') === resource) return app;
  }
  throw new OAuthFailure('invalid_scope', 'AADSTS500011: the resource principal was not found in the tenant');
}

/**
 * Azure AD's v2 token endpoint: client credentials and on-behalf-of, with a client secret or
 * a client assertion whose `aud` is this token endpoint (or the issuer), signed with the app's key or with a
 * registered certificate named by `x5t` / `x5t#S256`. Parameters it does not know (msal's
 * `client_info`, `x-client-*` telemetry, `client-request-id`, `claims`) are ignored, as Entra does.
 *
 * On-behalf-of answers with the access token, and with `client_info` (base64url JSON of the
 * user's `uid` and tenant `utid`) when `client_info=1` asks for it, as msal does: msal-node keys
 * its account by it and logs a warning without it. No `refresh_token` even when `offline_access`
 * is asked for (Entra would add one, but the emulator implements no refresh_token grant to redeem
 * it) and no `id_token`: msal-node caches an OBO token by the assertion's hash and never redeems
 * an OBO refresh token.
 */
export async function handleAzureToken(context: AzureContext, request: HandlerRequest): Promise<Reply> {
  const form = parseForm(request.body);
  // RFC 6749 §3.2: a parameter must not repeat. (AADSTS90015 is Entra's "query string too long".)
  if (form === undefined) throw new OAuthFailure('invalid_request', 'AADSTS9002313: the request is malformed: a parameter is repeated');
  const byId = new Map([...context.apps.values()].map((app) => [app.clientId, app]));
  const { client: caller, method } = await authenticateClient(form, request.headers.authorization, (id) => byId.get(id), {
    // The token endpoint, as Entra documents today, or the tenant's issuer, as Entra's page
    // documented before (https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials)
    // and Entra still accepts: Texas sends the issuer (nais/texas src/oauth/assertion.rs) in production.
    audiences: [context.tokenEndpoint, context.issuer],
    algorithms: ['RS256', 'PS256'],
    maxLifetimeSeconds: 600,
    // No replay check: Entra accepts an assertion again until it expires, and msal-node reuses
    // its certificate assertion for up to 10 minutes (ClientAssertion.getJwt).
    now: context.now,
    keyFor: async (app, _kid, header) => findAzureAssertionKey(app, header, context.now()),
  });
  const onBehalfOf = form.grant_type === JWT_BEARER && form.requested_token_use === 'on_behalf_of';
  const target = resolveTarget(context, form.scope, onBehalfOf);
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
  if (onBehalfOf) {
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
    const clientInfo = form.client_info === '1' ? { uid: oid, utid: context.tenantId } : undefined;
    return tokenReply(token, context.tokenLifetimeSeconds, clientInfo);
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

function tokenReply(token: string, expiresIn: number, clientInfo?: { uid: unknown; utid: string }): Reply {
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: token,
      ...(clientInfo === undefined ? {} : { client_info: Buffer.from(JSON.stringify(clientInfo)).toString('base64url') }),
    },
  };
}
