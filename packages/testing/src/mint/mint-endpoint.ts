import { decodeJwt } from 'jose';
import type { LocalIdp, LocalIssuer } from '../local-idp.js';
import type { SystemUserRecord } from '../registry.js';
import type { HandlerRequest, Reply, Route } from '../server/http-server.js';
import { MINT_KINDS, type MintKind, type MintRequest, MintRequestError, parseMintRequest } from './parse-mint-request.js';

/** What the mint endpoint needs from the IdP: its origin, its mint functions and its clock. */
export interface MintContext {
  /** The IdP's origin, `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly idp: Pick<
    LocalIdp,
    'mintToken' | 'mintAzureUserToken' | 'mintAzureAppToken' | 'mintMaskinportenToken' | 'mintIdportenToken' | 'mintTokenXToken'
  >;
  readonly systemUsers: readonly SystemUserRecord[];
  readonly now: () => Date;
}

/** The path of one kind's mint endpoint. */
export const mintPath = (kind: MintKind) => `/_mint/${kind}`;

const refused = (status: number, description: string): Reply => ({
  status,
  body: { error: status === 403 ? 'access_denied' : 'invalid_request', error_description: description },
});

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * Why a request may not mint, or `undefined` when it may. Anyone who can mint can get into
 * every local app that trusts this IdP, so only a program the developer runs gets through:
 * - the socket's peer must be loopback. The server only listens on 127.0.0.1, so this is
 *   the second lock on the same door, and it fails closed when the server cannot tell.
 * - `Host` must name the IdP (127.0.0.1 or localhost and its port): a page that rebinds its
 *   own host name to 127.0.0.1 (DNS rebinding) still sends its own name here.
 * - no `Origin` and no `Sec-Fetch-Site`: a browser tab on the developer's machine can reach
 *   127.0.0.1 too (a cross-site POST is a "simple" request that needs no CORS preflight), and
 *   browsers put these headers on every such POST (Fetch §3.1 "Origin", W3C Fetch Metadata).
 *   curl and Node send neither; Node's fetch sends `Sec-Fetch-Mode`, which is not refused.
 * - `Content-Type: application/json`: a type a cross-site page cannot send without a CORS
 *   preflight, which this endpoint never answers, so an old browser that omits the headers
 *   above is still stopped.
 */
function refusal(request: HandlerRequest, hosts: ReadonlySet<string>): Reply | undefined {
  if (!isLoopback(request.remoteAddress)) return refused(403, 'the mint endpoint serves loopback callers only');
  if (!hosts.has(String(request.headers.host ?? '').toLowerCase())) {
    return refused(403, 'the mint endpoint serves requests for its own host only (127.0.0.1 or localhost)');
  }
  if (request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined) {
    return refused(403, 'the mint endpoint refuses browser requests (Origin or Sec-Fetch-Site present)');
  }
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (type !== 'application/json') return refused(415, 'the mint endpoint takes Content-Type: application/json');
  return undefined;
}

/** `iat`/`nbf` 15 minutes ago and `exp` 10 minutes ago: past any validator's clock tolerance. */
function expiredTimes(request: MintRequest, nowSeconds: number): Record<string, number> {
  const times = { iat: nowSeconds - 900, exp: nowSeconds - 600 };
  // Maskinporten access tokens carry no nbf; Azure AD's, ID-porten's and TokenX's do.
  return request.kind === 'maskinporten' ? times : { ...times, nbf: times.iat };
}

/** Mints with the handle's own functions, so the endpoint builds no token of its own. */
async function mint(context: MintContext, request: MintRequest): Promise<string> {
  const { idp } = context;
  const claims = request.expired ? expiredTimes(request, Math.floor(context.now().getTime() / 1000)) : {};
  let issuer: LocalIssuer;
  let token: string;
  switch (request.kind) {
    case 'azure-user':
      issuer = 'azure';
      token = await idp.mintAzureUserToken({
        audience: request.audience,
        ...(request.navIdent === undefined ? {} : { navIdent: request.navIdent }),
        ...(request.groups === undefined ? {} : { groups: request.groups }),
        ...(request.scopes === undefined ? {} : { scopes: request.scopes }),
        ...(request.name === undefined ? {} : { name: request.name }),
        claims,
      });
      break;
    case 'azure-app':
      issuer = 'azure';
      token = await idp.mintAzureAppToken({
        caller: request.caller,
        audience: request.audience,
        claims: { ...claims, ...(request.roles === undefined ? {} : { roles: [...request.roles] }) },
      });
      break;
    case 'maskinporten': {
      issuer = 'maskinporten';
      const systemUser = request.systemUser === undefined ? undefined : context.systemUsers.find((u) => u.id === request.systemUser);
      if (request.systemUser !== undefined && systemUser === undefined) {
        throw new MintRequestError('"systemUser" names no registered system user');
      }
      token = await idp.mintMaskinportenToken({
        // A system user's token is the vendor's: Maskinporten puts the client's org in `consumer`.
        consumerOrg: request.consumerOrg ?? (systemUser as SystemUserRecord).vendorOrg,
        scopes: request.scopes,
        ...(request.audience === undefined ? {} : { audience: request.audience }),
        ...(systemUser === undefined ? {} : { systemUser }),
        claims,
      });
      break;
    }
    case 'idporten':
      issuer = 'idporten';
      token = await idp.mintIdportenToken({
        audience: request.audience,
        ...(request.pid === undefined ? {} : { pid: request.pid }),
        ...(request.acr === undefined ? {} : { acr: request.acr }),
        claims,
      });
      break;
    case 'tokenx':
      issuer = 'tokenx';
      token = await idp.mintTokenXToken({
        audience: request.audience,
        clientId: request.clientId,
        ...(request.pid === undefined ? {} : { pid: request.pid }),
        ...(request.acr === undefined ? {} : { acr: request.acr }),
        claims,
      });
      break;
  }
  if (!request.unpublishedKey) return token;
  // The same claims, signed again by a key the JWKS never published: a forgery of a real token.
  return idp.mintToken(issuer, decodeJwt(token), { unpublishedKey: true });
}

async function handleMint(context: MintContext, kind: MintKind, request: HandlerRequest, hosts: ReadonlySet<string>): Promise<Reply> {
  const refusedReply = refusal(request, hosts);
  if (refusedReply !== undefined) return refusedReply;
  try {
    return { status: 200, body: { token: await mint(context, parseMintRequest(kind, request.body)) } };
  } catch (error) {
    // The handle throws TypeError for what is not registered (an unknown app, say).
    if (error instanceof MintRequestError || error instanceof TypeError) return refused(400, error.message);
    throw error;
  }
}

/**
 * The routes of the mint endpoint, `POST /_mint/azure-user`, `/_mint/azure-app`,
 * `/_mint/maskinporten`, `/_mint/idporten` and `/_mint/tokenx`, that `nav-auth idp mint`
 * calls. Refuses to exist on a server that does not listen on 127.0.0.1.
 */
export function mintRoutes(context: MintContext): Map<string, Route> {
  const { hostname, port } = new URL(context.origin);
  if (hostname !== '127.0.0.1') throw new Error('the mint endpoint is only served by an IdP that listens on 127.0.0.1');
  const suffix = port === '' ? '' : `:${port}`; // URL drops the default port 80, and so does Host
  const hosts = new Set([`127.0.0.1${suffix}`, `localhost${suffix}`]);
  return new Map(
    MINT_KINDS.map((kind) => [
      mintPath(kind),
      { endpoint: 'mint', methods: ['POST'], handle: (request: HandlerRequest) => handleMint(context, kind, request, hosts) },
    ]),
  );
}
