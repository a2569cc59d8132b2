import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { notImplementedReply } from '../azure/azure-discovery.js';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, epochSeconds, type IssuerHost, type IssuerSigner, json, mintAs } from '../issuer/issuer-host.js';
import type { IssuerEndpoints, LocalIdp } from '../local-idp.js';

/**
 * The default `pid`: a synthetic fødselsnummer (month + 80, the Tenor test-data convention, so it
 * can never be a real person's) with valid mod-11 check digits, born 1 January 1990.
 */
export const SYNTHETIC_PID = '01819012365';

/** The ID-porten issuer: where it lives, how it signs, and its part of the handle. */
export interface IdportenIssuer {
  readonly endpoints: IssuerEndpoints;
  readonly signer: IssuerSigner;
  readonly api: Pick<LocalIdp, 'registerIdportenClient' | 'mintIdportenToken'>;
  /** The user claims of an ID-porten access token for `clientId`, as TokenX copies them (tokenx-issuer.ts). */
  readonly userClaims: (user: IdportenUser) => Record<string, unknown>;
}

/** Who logged in, how, and through which ID-porten client. */
export interface IdportenUser {
  readonly clientId: string;
  readonly pid?: string | undefined;
  readonly acr?: string | undefined;
  readonly amr?: readonly string[] | undefined;
}

/** The login methods behind an `acr`: MinID reaches substantial only, BankID high. */
function defaultAmr(acr: string): string[] {
  return acr === 'idporten-loa-substantial' || acr === 'Level3' ? ['MinID'] : ['BankID'];
}

/**
 * ID-porten under `<origin>/idporten`, as the apps behind the Wonderwall login proxy see it: its
 * OpenID discovery document and JWKS, and access tokens minted by {@link LocalIdp.mintIdportenToken}.
 * There is no login: the browser-facing endpoints the document lists (authorize, par, token,
 * userinfo, endsession) answer 501.
 */
export async function createIdportenIssuer(host: IssuerHost): Promise<IdportenIssuer> {
  const { origin, now } = host;
  const base = `${origin}/idporten`;
  const endpoints: IssuerEndpoints = {
    issuer: base,
    wellKnownUrl: `${base}/.well-known/openid-configuration`,
    tokenEndpoint: `${base}/token`,
    // idporten.no publishes its keys at /jwks.json.
    jwksUri: `${base}/jwks.json`,
  };
  const signer = { issuer: endpoints.issuer, keys: await host.createKeys() };
  const lifetime = host.tokenLifetimeSeconds(DEFAULT_TOKEN_LIFETIME_SECONDS);
  // Pairwise subjects: the same user gets the same `sub` at one client and a different one at the next.
  const pairwiseSalt = randomBytes(16).toString('hex');

  const why = 'the local IdP has no ID-porten login: mint tokens with mintIdportenToken() or nav-auth idp mint idporten';
  const unimplemented = {
    authorization_endpoint: `${base}/authorize`,
    pushed_authorization_request_endpoint: `${base}/par`,
    token_endpoint: endpoints.tokenEndpoint,
    userinfo_endpoint: `${base}/userinfo`,
    end_session_endpoint: `${base}/endsession`,
  };
  // The members of ID-porten's OpenID configuration an app or a login proxy reads.
  const metadata = {
    issuer: endpoints.issuer,
    ...unimplemented,
    jwks_uri: endpoints.jwksUri,
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'form_post', 'fragment'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt', 'none'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'RS512'],
    acr_values_supported: ['idporten-loa-substantial', 'idporten-loa-high'],
    ui_locales_supported: ['nb', 'nn', 'en', 'se'],
    scopes_supported: ['openid', 'profile'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
  host.route(endpoints.wellKnownUrl, 'idporten.discovery', ['GET'], () => json(metadata));
  host.route(endpoints.jwksUri, 'idporten.jwks', ['GET'], () => json(signer.keys.jwks()));
  for (const url of Object.values(unimplemented))
    host.route(url, 'idporten.unimplemented', ['GET', 'POST'], () => notImplementedReply(why));

  const userClaims = (user: IdportenUser): Record<string, unknown> => {
    const pid = user.pid ?? SYNTHETIC_PID;
    const acr = user.acr ?? 'idporten-loa-high';
    return {
      sub: createHash('sha256').update(`${pairwiseSalt}|${pid}|${user.clientId}`).digest('base64url'),
      pid,
      acr,
      amr: [...(user.amr ?? defaultAmr(acr))],
      client_id: user.clientId,
      // Wonderwall authenticates to ID-porten with a key (nais/wonderwall).
      client_amr: 'private_key_jwt',
      scope: 'openid',
    };
  };

  const api: IdportenIssuer['api'] = {
    registerIdportenClient(registration = {}) {
      const clientId = registration.clientId ?? randomUUID();
      if (clientId === '') throw new TypeError('clientId must not be empty');
      return {
        clientId,
        env: {
          IDPORTEN_AUDIENCE: clientId,
          IDPORTEN_WELL_KNOWN_URL: endpoints.wellKnownUrl,
          IDPORTEN_ISSUER: endpoints.issuer,
          IDPORTEN_JWKS_URI: endpoints.jwksUri,
        },
      };
    },

    async mintIdportenToken(request) {
      // Any client, registered or not: a token for another client is what an app must refuse.
      if (request.audience === '') throw new TypeError('audience must not be empty');
      const iat = epochSeconds(now);
      // Digdir documents only kid and alg in the header. typ stays "JWT": tokendings' nimbus
      // processor accepts "JWT" or none and would refuse "at+jwt", and TokenX takes these tokens.
      return mintAs(signer, now, {
        aud: request.audience,
        ...userClaims({ clientId: request.clientId ?? request.audience, pid: request.pid, acr: request.acr, amr: request.amr }),
        iat,
        nbf: iat,
        exp: iat + lifetime,
        ...request.claims,
      });
    },
  };
  return { endpoints, signer, api, userClaims };
}
