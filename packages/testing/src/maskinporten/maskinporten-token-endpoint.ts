import { createHash, randomUUID } from 'node:crypto';
import type { IssuerKeys } from '../keys/issuer-keys.js';
import { readUnverifiedJwt, verifiedClaims } from '../keys/unverified-jwt.js';
import { isOrgno, type MaskinportenClientRecord, type SeenJtis, type SystemUserRecord } from '../registry.js';
import { type HandlerRequest, parseForm, type Reply } from '../server/http-server.js';
import { OAuthFailure } from '../server/oauth-error.js';

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ALGORITHMS = ['RS256', 'RS384', 'RS512'];
/**
 * The grant claims Digdir documents, and nothing else: "Adding claims not present in the
 * following documentation will result in a response of 400 Bad request with error description
 * containing Invalid assertion."
 * (https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant). So `sub` is refused:
 * the page lists no `sub` (an older ID-porten grant page used it for the end-user binding that
 * `pid` carries now). `nbf` is the one undocumented claim let through: it is RFC 7519 §4.1.5,
 * and NAIS's token sidecar Texas puts it in every Maskinporten grant it sends in production
 * (nais/texas, src/oauth/assertion.rs), so the real service accepts it.
 */
const ALLOWED_CLAIMS = new Set([
  'aud',
  'iss',
  'iat',
  'exp',
  'jti',
  'scope',
  'resource',
  'pid',
  'consumer_org',
  'iss_onbehalfof',
  'authorization_details',
  'nbf',
]);
const MAX_LIFETIME = 120;
const MAX_CLOCK_OFFSET = 10;
const AUTHORITY = 'iso6523-actorid-upis';

/** What the Maskinporten token endpoint needs from the IdP. */
export interface MaskinportenContext {
  readonly issuer: string;
  readonly keys: IssuerKeys;
  readonly clients: ReadonlyMap<string, MaskinportenClientRecord>;
  readonly systemUsers: readonly SystemUserRecord[];
  readonly seenJtis: SeenJtis;
  readonly tokenLifetimeSeconds: number;
  readonly now: () => Date;
}

const invalidGrant = (description: string) => new OAuthFailure('invalid_grant', description);

/**
 * Maskinporten's token endpoint, as strict as the real one: a JWT-bearer grant signed by the
 * client's registered key (RS256/384/512, known `kid`), `aud` = issuer as one string, at most
 * 120 s of lifetime, `iat` within 10 s, never the same grant twice, no undocumented claims,
 * granted scopes only, `resource` naming one API.
 */
export async function handleMaskinportenToken(context: MaskinportenContext, request: HandlerRequest): Promise<Reply> {
  if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthFailure('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
  }
  const form = parseForm(request.body);
  if (form === undefined) throw new OAuthFailure('invalid_request', 'a parameter is repeated');
  if (form.grant_type !== GRANT_TYPE) throw new OAuthFailure('unsupported_grant_type', `grant_type must be ${GRANT_TYPE}`);
  const assertion = form.assertion;
  if (!assertion) throw new OAuthFailure('invalid_request', 'assertion is missing');

  const read = readUnverifiedJwt(assertion);
  if (read === undefined) throw invalidGrant('Invalid assertion: not a signed JWT');
  const { header, claims: unverified } = read;
  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg))
    throw invalidGrant('Invalid assertion: alg must be RS256, RS384 or RS512');
  if (header.x5c !== undefined)
    throw invalidGrant('Invalid assertion: x5c (business certificates) is not supported here; use a registered kid');
  if (typeof header.kid !== 'string') throw invalidGrant('Invalid assertion: kid is required');
  if (typeof unverified.iss !== 'string') throw new OAuthFailure('invalid_client', 'Invalid assertion: iss must be the client_id');
  const client = context.clients.get(unverified.iss);
  if (client === undefined) throw new OAuthFailure('invalid_client', 'Unknown client');
  if (header.kid !== client.publicJwk.kid) throw invalidGrant('Invalid assertion: unknown kid for this client');

  const claims = await verifiedClaims(assertion, client.publicJwk, header.alg, ALGORITHMS);
  if (claims === undefined) throw invalidGrant('Invalid assertion: signature is not valid');
  const unknown = Object.keys(claims).filter((claim) => !ALLOWED_CLAIMS.has(claim));
  if (unknown.length > 0) throw invalidGrant(`Invalid assertion: unknown claims ${unknown.join(', ')}`);
  if (typeof claims.aud !== 'string') throw invalidGrant('Invalid assertion: aud must be a single string');
  if (claims.aud !== context.issuer) throw invalidGrant('Invalid assertion: aud must be the issuer');

  const now = context.now().getTime() / 1000;
  const { iat, exp, jti, nbf } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number') throw invalidGrant('Invalid assertion: iat and exp are required numbers');
  if (exp - iat > MAX_LIFETIME || exp <= iat)
    throw invalidGrant(`Invalid assertion: exp - iat must be between 1 and ${MAX_LIFETIME} seconds`);
  if (Math.abs(iat - now) > MAX_CLOCK_OFFSET) throw invalidGrant('Invalid assertion: iat is more than 10 seconds off');
  if (exp <= now) throw invalidGrant('Invalid assertion: expired');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + MAX_CLOCK_OFFSET))
    throw invalidGrant('Invalid assertion: nbf must be a number and not in the future');
  // Digdir marks jti "Recommended", not required, and says "A JWT cannot be reused"
  // (maskinporten_protocol_jwtgrant): a grant without a jti is remembered by its hash instead.
  if (jti !== undefined && (typeof jti !== 'string' || jti.length === 0))
    throw invalidGrant('Invalid assertion: jti must be a non-empty string');
  const replayKey = typeof jti === 'string' ? `jti:${jti}` : `grant:${createHash('sha256').update(assertion).digest('base64url')}`;
  if (!context.seenJtis.record(`${client.clientId}:${replayKey}`, exp, now)) {
    throw invalidGrant(
      jti === undefined ? 'Invalid assertion: this grant has been used before' : 'Invalid assertion: jti has been used before',
    );
  }

  if (typeof claims.scope !== 'string' || claims.scope.length === 0) throw new OAuthFailure('invalid_scope', 'scope is missing');
  const scopes = claims.scope.split(' ');
  const denied = scopes.filter((scope) => !client.scopes.has(scope));
  if (denied.length > 0) throw new OAuthFailure('invalid_scope', `Scope(s) not granted to client: ${denied.join(' ')}`);

  const resource = parseResource(claims.resource);
  const pid = claims.pid;
  if (pid !== undefined && (typeof pid !== 'string' || !/^[0-9]{11}$/.test(pid)))
    throw invalidGrant('Invalid assertion: pid must be an 11-digit person identifier');
  // Digdir: "previously, a simpler iss_onbehalfof internal delegation mechanism could be used.
  // This is now deprecated" (maskinporten_protocol_jwtgrant), and each client/onbehalfof pair
  // "må vere pre-registrert" (docs.digdir.no/docs/idporten/oidc/oidc_func_onbehalfof). No client
  // here can register one, so every value is unregistered, which the real service refuses too.
  if (claims.iss_onbehalfof !== undefined)
    throw invalidGrant('Invalid assertion: iss_onbehalfof is deprecated, and no onbehalfof value is registered for this client');
  const consumerOrg = claims.consumer_org;
  if (consumerOrg !== undefined && (!isOrgno(consumerOrg) || !client.delegatedBy.has(consumerOrg))) {
    throw invalidGrant('Invalid assertion: consumer_org has not delegated to this client');
  }
  const systemUser = claims.authorization_details === undefined ? undefined : findSystemUser(context, client, claims.authorization_details);

  const issuedAt = Math.floor(now);
  const accessToken = await context.keys.sign({
    iss: context.issuer,
    client_amr: 'private_key_jwt',
    token_type: 'Bearer',
    scope: scopes.join(' '),
    client_id: client.clientId,
    consumer: { authority: AUTHORITY, ID: `0192:${consumerOrg ?? client.orgno}` },
    ...(consumerOrg === undefined ? {} : { supplier: { authority: AUTHORITY, ID: `0192:${client.orgno}` } }),
    ...(resource === undefined ? {} : { aud: resource }),
    ...(pid === undefined ? {} : { pid }),
    ...(systemUser === undefined
      ? {}
      : {
          authorization_details: [
            {
              type: 'urn:altinn:systemuser',
              systemuser_org: { authority: AUTHORITY, id: `0192:${systemUser.customerOrg}` },
              systemuser_id: [systemUser.id],
              system_id: systemUser.systemId,
            },
          ],
        }),
    iat: issuedAt,
    exp: issuedAt + context.tokenLifetimeSeconds,
    jti: randomUUID(),
  });
  return {
    status: 200,
    body: { access_token: accessToken, token_type: 'Bearer', expires_in: context.tokenLifetimeSeconds, scope: scopes.join(' ') },
  };
}

/**
 * The one API a grant's `resource` names. Digdir: "Currently only array supported."
 * (https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant), yet Digdir's own
 * jwt-grant-generator, Altinn's Altinn.ApiClients.Maskinporten and NAIS's Texas all send one
 * string, so both forms are accepted. Digdir describes one "target API" per token and never
 * several, so an array of more than one is refused; the value is an absolute URI without a
 * fragment (RFC 8707 §2), and a bad one is RFC 8707's `invalid_target`.
 */
function parseResource(resource: unknown): string | undefined {
  if (resource === undefined) return undefined;
  const values: unknown[] = Array.isArray(resource) ? resource : [resource];
  if (values.length !== 1) throw new OAuthFailure('invalid_target', 'resource must name exactly one target API');
  const [value] = values;
  if (typeof value !== 'string' || !URL.canParse(value) || value.includes('#')) {
    throw new OAuthFailure('invalid_target', 'resource must be an absolute URI without a fragment');
  }
  return value;
}

function findSystemUser(context: MaskinportenContext, client: MaskinportenClientRecord, details: unknown): SystemUserRecord {
  const fail = (why: string) => new OAuthFailure('invalid_authorization_details', why);
  if (!Array.isArray(details) || details.length !== 1) throw fail('authorization_details must hold exactly one entry');
  const [detail] = details as [Record<string, unknown>];
  // Digdir also documents `urn:altinn:consent` (maskinporten_protocol_jwtgrant); no consent can
  // be given here, and the real service refuses a consent request nobody consented to.
  if (detail?.type === 'urn:altinn:consent') throw fail('no consent has been given for this request');
  if (detail?.type !== 'urn:altinn:systemuser') throw fail('type must be urn:altinn:systemuser');
  const org = detail.systemuser_org as Record<string, unknown> | undefined;
  if (org?.authority !== AUTHORITY || typeof org.ID !== 'string' || !org.ID.startsWith('0192:') || !isOrgno(org.ID.slice(5))) {
    throw fail('systemuser_org must be {authority: "iso6523-actorid-upis", ID: "0192:<orgno>"}');
  }
  const customerOrg = org.ID.slice(5);
  const systemUser = context.systemUsers.find((s) => s.customerOrg === customerOrg && s.vendorOrg === client.orgno);
  if (systemUser === undefined) throw fail('no system user for this customer and vendor');
  return systemUser;
}
