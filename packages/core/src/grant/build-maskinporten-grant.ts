import { InvalidInputError } from '../error/nav-auth-error.js';
import {
  checkAbsoluteUri,
  checkLifetime,
  checkNonEmpty,
  checkOrganizationNumber,
  checkScopeList,
  toNumericDate,
} from '../input/check-input.js';
import { type JwsHeader, signCompactJws } from '../jws/sign-compact-jws.js';
import type { SigningKey } from '../key/signing-key.js';
import { buildSystemUserAuthorizationDetails } from './system-user-authorization-details.js';

/** The longest grant lifetime Maskinporten accepts (`exp - iat`), in seconds. */
export const MASKINPORTEN_MAX_GRANT_LIFETIME = 120;

/** Options for {@link buildMaskinportenGrant}. */
export interface MaskinportenGrantOptions {
  /** `MASKINPORTEN_CLIENT_ID`; becomes `iss`. */
  readonly clientId: string;
  /** `MASKINPORTEN_ISSUER`; becomes `aud` as a single string, never the token endpoint. */
  readonly issuer: string;
  /** Scopes to request; non-empty, without duplicates. */
  readonly scopes: readonly string[];
  /** An RS256, RS384 or RS512 key from `MASKINPORTEN_CLIENT_JWK`. */
  readonly key: SigningKey;
  /** The current time, from the caller's clock. */
  readonly now: Date;
  /** A fresh unique id (a UUID) for this grant; never reuse one, not even on a retry. */
  readonly jti: string;
  /** `exp - iat` in seconds, 1 to 120 (default 30). */
  readonly lifetimeSeconds?: number;
  /**
   * RFC 8707 `resource`: asks for an audience-restricted token whose `aud` is this value. Sent
   * as a one-element array, the form Digdir documents ("Currently only array supported.").
   */
  readonly resource?: string;
  /** Organisation number to act for through Altinn delegation (`consumer_org`). */
  readonly consumerOrg?: string;
  /** Customer organisation number for an Altinn system-user token (`authorization_details`). */
  readonly systemUserOrg?: string;
  /**
   * Business certificate chain (standard base64 DER, leaf first) to send as `x5c` instead of
   * `kid`; Maskinporten wants exactly one of the two.
   */
  readonly certificateChain?: readonly string[];
}

const MASKINPORTEN_ALGORITHMS: ReadonlySet<string> = new Set(['RS256', 'RS384', 'RS512']);
// RFC 7515 §4.1.6: x5c entries are standard base64 (not base64url) of DER.
const standardBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Builds and signs the JWT grant for Maskinporten's token endpoint (seed 000). Only the
 * documented claims are emitted, since Maskinporten answers unknown ones with 400
 * `invalid_assertion`.
 *
 * @throws {@link NavAuthError} rejects with `ERR_INVALID_INPUT` when the scopes, issuer, `jti`, `now`, lifetime or an organization number breaks a rule (`field` names it).
 *
 * @example
 * const grant = await buildMaskinportenGrant({
 *   clientId, issuer: 'https://test.maskinporten.no/', scopes: ['nav:test/api'],
 *   key, now: clock(), jti: randomId(),
 * });
 */
export async function buildMaskinportenGrant(options: MaskinportenGrantOptions): Promise<string> {
  const { key } = options;
  if (!MASKINPORTEN_ALGORITHMS.has(key.alg)) {
    throw new InvalidInputError('key', 'Maskinporten accepts RS256, RS384 or RS512 grants only');
  }
  const iat = toNumericDate(options.now);
  const lifetime = checkLifetime('lifetimeSeconds', options.lifetimeSeconds ?? 30, MASKINPORTEN_MAX_GRANT_LIFETIME);
  const payload = {
    aud: checkAbsoluteUri('issuer', options.issuer),
    iss: checkNonEmpty('clientId', options.clientId),
    scope: checkScopeList('scopes', options.scopes).join(' '),
    iat,
    exp: iat + lifetime,
    jti: checkNonEmpty('jti', options.jti),
    // https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant, on `resource`:
    // "Currently only array supported." Clients that send one string work too, but only the
    // array is documented, so that is the form sent.
    ...(options.resource === undefined ? {} : { resource: [checkAbsoluteUri('resource', options.resource)] }),
    ...(options.consumerOrg === undefined ? {} : { consumer_org: checkOrganizationNumber('consumerOrg', options.consumerOrg) }),
    ...(options.systemUserOrg === undefined
      ? {}
      : { authorization_details: buildSystemUserAuthorizationDetails('systemUserOrg', options.systemUserOrg) }),
  };
  const header: JwsHeader =
    options.certificateChain === undefined
      ? { alg: key.alg, kid: key.kid, typ: 'JWT' }
      : { alg: key.alg, x5c: checkCertificateChain(options.certificateChain), typ: 'JWT' };
  return signCompactJws(header, new TextEncoder().encode(JSON.stringify(payload)), key);
}

function checkCertificateChain(chain: readonly string[]): readonly string[] {
  if (!Array.isArray(chain) || chain.length === 0)
    throw new InvalidInputError('certificateChain', 'must hold at least the leaf certificate');
  chain.forEach((certificate, index) => {
    if (typeof certificate !== 'string' || certificate.length === 0 || !standardBase64.test(certificate)) {
      throw new InvalidInputError(`certificateChain[${index}]`, 'must be standard base64 (not base64url) DER without line breaks');
    }
  });
  return [...chain];
}
