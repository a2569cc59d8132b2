import { InvalidInputError } from '../error/nav-auth-error.js';
import { toEpochSeconds } from '../input/check-input.js';
import { decodeBase64Url } from '../jws/base64url.js';
import { type JwtPayload, readAudience } from './jwt-claims.js';

/** What {@link checkTokenXSubjectToken} compares the subject token with. */
export interface TokenXSubjectTokenOptions {
  /** `TOKEN_X_ISSUER`. */
  readonly tokenXIssuer: string;
  /** `TOKEN_X_CLIENT_ID`: this app. */
  readonly clientId: string;
  /** The current time, from the caller's clock. */
  readonly now: Date;
}

const notAJwt = () => new InvalidInputError('subjectToken', 'is not a JWT');

/** The payload of a compact JWS, not verified: only for judging a token before sending it on. */
function unverifiedPayload(token: string): JwtPayload {
  if (typeof token !== 'string') throw notAJwt();
  const parts = token.split('.');
  if (parts.length !== 3) throw notAJwt();
  const bytes = decodeBase64Url(parts[1] as string);
  if (bytes === undefined) throw notAJwt();
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw notAJwt();
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw notAJwt();
  return payload as JwtPayload;
}

/**
 * Refuses, before any network call, a subject token tokendings would refuse: one that has
 * expired, and one issued by TokenX itself for another app. Tokendings exchanges a TokenX
 * token again only when its `aud` contains the exchanging client's id (nais/tokendings
 * `TokenIssuer.kt`, "audience does not match client_id"). The token was validated by this
 * app on the way in, or came from elsewhere: this reads it without checking the signature,
 * only to say clearly what would go wrong; tokendings does the real check.
 *
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when the subject token is not a JWT, has expired, or is a TokenX token not meant for this client.
 */
export function checkTokenXSubjectToken(subjectToken: string, options: TokenXSubjectTokenOptions): void {
  const payload = unverifiedPayload(subjectToken);
  const exp = payload.exp;
  if (typeof exp === 'number' && exp <= toEpochSeconds(options.now)) {
    throw new InvalidInputError('subjectToken', 'has expired: TokenX exchanges only a valid token');
  }
  if (payload.iss !== options.tokenXIssuer) return;
  let audience: readonly string[] | undefined;
  try {
    audience = readAudience(payload);
  } catch {
    audience = undefined;
  }
  if (audience === undefined || !audience.includes(options.clientId)) {
    throw new InvalidInputError(
      'subjectToken',
      'is a TokenX token for another app: TokenX exchanges a TokenX token again only when its aud is this app (TOKEN_X_CLIENT_ID)',
    );
  }
}
