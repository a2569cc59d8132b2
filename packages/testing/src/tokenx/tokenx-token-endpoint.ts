import { randomUUID } from 'node:crypto';
import type { IssuerSigner } from '../issuer/issuer-host.js';
import type { IssuerKeys } from '../keys/issuer-keys.js';
import type { SeenJtis, TokenXAppRecord } from '../registry.js';
import { type HandlerRequest, parseForm, type Reply } from '../server/http-server.js';
import { OAuthFailure } from '../server/oauth-error.js';
import { JwtRejected, MAX_CLOCK_SKEW_SECONDS, parseSignedJwt, verifyTokendingsJwt } from './tokendings-jwt.js';

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SUBJECT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const ISSUED_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** tokendings' `CLIENT_ASSERTION_MAX_LIFETIME` (TokenRequestContext.kt). */
const CLIENT_ASSERTION_MAX_LIFETIME = 120;
/** The claims tokendings' `ClientAssertionJwtClaimsVerifier` requires. */
const ASSERTION_CLAIMS = ['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sub'];
/** The claims tokendings' `TokenValidator` requires of a subject token. */
const SUBJECT_TOKEN_CLAIMS = ['exp', 'iat', 'iss'];

/**
 * The `acr` mapping NAIS configures for ID-porten subject tokens (tokendings' `SUBJECT_TOKEN_MAPPINGS`;
 * NAIS says it "will be removed at some point"). Only tokens from ID-porten are mapped.
 */
export const IDPORTEN_ACR_MAPPING: Readonly<Record<string, string>> = {
  'idporten-loa-substantial': 'Level3',
  'idporten-loa-high': 'Level4',
};

/** An issuer whose tokens TokenX exchanges, with the claim mappings it applies to them. */
export interface SubjectTokenIssuer {
  readonly signer: IssuerSigner;
  readonly acrMapping: Readonly<Record<string, string>>;
}

/** What the TokenX token endpoint needs from the IdP. */
export interface TokenxContext {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly keys: IssuerKeys;
  readonly apps: ReadonlyMap<string, TokenXAppRecord>;
  /** The issuers trusted besides TokenX itself (tokendings' `SUBJECT_TOKEN_ISSUERS`). */
  readonly subjectIssuers: readonly SubjectTokenIssuer[];
  readonly seenJtis: SeenJtis;
  readonly tokenLifetimeSeconds: number;
  readonly now: () => Date;
}

const invalidRequest = (description: string) => new OAuthFailure('invalid_request', description);
// RFC 6749 §5.2: a client that fails to authenticate gets invalid_client, 401. (tokendings
// answers invalid_request for a bad signature or bad claims; see the README's differences.)
const invalidClient = (description: string) => new OAuthFailure('invalid_client', description, 401);

/** tokendings' `Parameters.require`, with its texts. */
function parameter(form: Readonly<Record<string, string>>, name: string, requiredValue?: string): string {
  const value = form[name];
  if (requiredValue !== undefined && value !== requiredValue) throw invalidRequest(`Parameter ${name} must be ${requiredValue}`);
  if (value === undefined) throw invalidRequest(`Parameter ${name} missing`);
  return value;
}

/** Maps `acr` as tokendings' `mapSubjectTokenClaims` does: a string claim with a mapped value, else unchanged. */
export function mapAcr(acr: unknown, mapping: Readonly<Record<string, string>>): unknown {
  return typeof acr === 'string' && Object.hasOwn(mapping, acr) ? mapping[acr] : acr;
}

/**
 * Authenticates the client as tokendings' `TokenRequestContext` does: a jwt-bearer client
 * assertion whose `sub` names a registered app, signed RS256 by its key, `iss` = `sub`, every
 * required claim, `iat` and `nbf` not ahead, exactly one `aud` (the token endpoint, or during
 * tokendings' grace period the issuer), `exp` at most 120 s away; and, unlike tokendings, its
 * `jti` used once and `exp - iat` at most 120 s too.
 */
async function authenticate(context: TokenxContext, form: Readonly<Record<string, string>>): Promise<TokenXAppRecord> {
  const assertionType = parameter(form, 'client_assertion_type');
  const assertion = parameter(form, 'client_assertion');
  if (assertionType !== ASSERTION_TYPE) throw invalidClient('Client authentication failed: invalid client_assertion_type');
  const read = parseSignedJwt(assertion);
  if (read === undefined) throw invalidClient('invalid request, cannot parse token');
  const clientId = read.claims.sub;
  if (typeof clientId !== 'string') throw invalidClient('Client authentication failed: sub must be present in assertion');
  parameter(form, 'audience'); // tokendings reads it before it looks the client up
  const client = context.apps.get(clientId);
  if (client === undefined) throw invalidClient(`invalid client authentication for client_id=${clientId}, client not registered.`);

  const now = context.now().getTime() / 1000;
  const accepted = [context.tokenEndpoint, context.issuer];
  let claims: Record<string, unknown>;
  try {
    claims = await verifyTokendingsJwt(assertion, read.header, [client.publicJwk], {
      required: ASSERTION_CLAIMS,
      exact: { iss: clientId, sub: clientId },
      nowSeconds: now,
    });
    if (!((claims.iat as number) < now + MAX_CLOCK_SKEW_SECONDS)) throw new JwtRejected('JWT issue time ahead of current time');
    // RFC 7523 §3 lets aud be an array; tokendings takes one value only, as a string or a one-element array.
    const audiences: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (audiences.length !== 1 || !accepted.includes(audiences[0] as string)) {
      throw new JwtRejected(`JWT aud claim has value [${audiences.join(', ')}], must be exactly one of [${accepted.join(', ')}]`);
    }
    if (typeof claims.jti !== 'string' || claims.jti === '') throw new JwtRejected('JWT missing required claims: [jti]');
  } catch (error) {
    if (error instanceof JwtRejected) throw invalidClient(`token verification failed: ${error.message}`);
    throw error;
  }
  const exp = claims.exp as number;
  // tokendings measures exp - now; the emulator also holds exp - iat to the limit (see the README).
  if (exp - now > CLIENT_ASSERTION_MAX_LIFETIME || exp - (claims.iat as number) > CLIENT_ASSERTION_MAX_LIFETIME) {
    throw invalidClient(
      `invalid client authentication for client_id=${clientId}, client assertion exceeded max lifetime (${CLIENT_ASSERTION_MAX_LIFETIME}s).`,
    );
  }
  // tokendings keeps no record of assertion ids; RFC 7523 §3 item 7 lets a server refuse a replay, and this one does.
  if (!context.seenJtis.record(`${clientId}:${claims.jti as string}`, exp + MAX_CLOCK_SKEW_SECONDS, now)) {
    throw invalidClient('token verification failed: JWT jti has been used before');
  }
  return client;
}

/**
 * Validates the subject token as tokendings' `TokenIssuer` does: issued by TokenX itself or a
 * trusted issuer, RS256 by one of its published keys, `iss`, `iat` and `exp` present, not
 * expired; a TokenX token only when its `aud` holds the exchanging client (no chained exchange
 * of someone else's token). Every failure is `invalid_request` "invalid subject_token: ...".
 */
async function validateSubjectToken(
  context: TokenxContext,
  token: string,
  client: TokenXAppRecord,
): Promise<{ claims: Record<string, unknown>; acrMapping: Readonly<Record<string, string>> }> {
  const fail = (why: string) => invalidRequest(`invalid subject_token: ${why}`);
  const read = parseSignedJwt(token);
  if (read === undefined) throw fail('invalid request, cannot parse token');
  const issuer = read.claims.iss;
  const own = issuer === context.issuer;
  const trusted = own
    ? { signer: { issuer: context.issuer, keys: context.keys }, acrMapping: {} }
    : context.subjectIssuers.find((candidate) => candidate.signer.issuer === issuer);
  if (trusted === undefined || typeof issuer !== 'string') {
    throw fail(`invalid request, cannot validate token from issuer=${typeof issuer === 'string' ? issuer : 'null'}`);
  }
  let claims: Record<string, unknown>;
  try {
    claims = await verifyTokendingsJwt(token, read.header, trusted.signer.keys.jwks().keys, {
      required: SUBJECT_TOKEN_CLAIMS,
      exact: { iss: issuer },
      nowSeconds: context.now().getTime() / 1000,
    });
  } catch (error) {
    if (error instanceof JwtRejected) throw fail(`token verification failed: ${error.message}`);
    throw error;
  }
  if (own) {
    const audience: unknown[] = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
    if (!audience.includes(client.name)) throw fail(`audience does not match client_id=${client.name}`);
  }
  return { claims, acrMapping: trusted.acrMapping };
}

/**
 * TokenX's token endpoint, as strict as tokendings (nais/tokendings, `TokenExchangeApi.kt`):
 * a form-encoded RFC 8693 token exchange from a registered app authenticated by a client
 * assertion, for a registered target whose inbound access policy names the caller, of a valid
 * ID-porten or TokenX token. The issued token carries every claim of the subject token, with
 * `iss`, `aud` (the target), `exp`, `nbf`, `iat` and `jti` replaced, `client_id` the caller,
 * `idp` the subject token's issuer unless it had one, and ID-porten's `acr` mapped to `Level3`/`Level4`.
 * A `client_id` parameter is ignored, as tokendings ignores it: the assertion names the client.
 */
export async function handleTokenxToken(context: TokenxContext, request: HandlerRequest): Promise<Reply> {
  if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw invalidRequest('Content-Type must be application/x-www-form-urlencoded');
  }
  const form = parseForm(request.body);
  // RFC 6749 §3.2; tokendings (ktor) would read the first of a repeated parameter.
  if (form === undefined) throw invalidRequest('a parameter is repeated');
  const client = await authenticate(context, form);
  // tokendings finds no "authorizer" for another grant and answers access_denied; RFC 6749 §5.2 names this error.
  if (form.grant_type !== GRANT_TYPE) {
    throw new OAuthFailure('unsupported_grant_type', `could not find authorizer for grant_type=${form.grant_type ?? 'null'}`);
  }
  parameter(form, 'subject_token_type', SUBJECT_TOKEN_TYPE);
  const subjectToken = parameter(form, 'subject_token');
  const audience = parameter(form, 'audience');
  const target = context.apps.get(audience);
  if (target === undefined) throw invalidRequest(`token exchange audience ${audience} is invalid`);
  if (!target.inbound.has(client.name)) {
    throw invalidRequest(`client '${client.name}' is not authorized to get token with aud=${target.name}`);
  }
  const subject = await validateSubjectToken(context, subjectToken, client);

  const now = context.now().getTime() / 1000;
  const issuedAt = Math.floor(now);
  const exp = issuedAt + context.tokenLifetimeSeconds;
  const token = await context.keys.sign({
    ...subject.claims,
    iss: context.issuer,
    exp,
    nbf: issuedAt,
    iat: issuedAt,
    jti: randomUUID(),
    aud: audience,
    client_id: client.name,
    ...(Object.hasOwn(subject.claims, 'idp') ? {} : { idp: subject.claims.iss }),
    ...(Object.hasOwn(subject.claims, 'acr') ? { acr: mapAcr(subject.claims.acr, subject.acrMapping) } : {}),
  });
  return {
    status: 200,
    body: {
      access_token: token,
      issued_token_type: ISSUED_TOKEN_TYPE,
      token_type: 'Bearer',
      // tokendings answers the whole seconds left until exp: 899 or 900 with its default lifetime.
      expires_in: Math.floor(exp - now),
      ...(form.scope === undefined ? {} : { scope: form.scope }),
    },
  };
}
