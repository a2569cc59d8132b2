import { REDACTED, withRedactedView } from '@nav-auth/core';

/** An access token and when it expires. Printing or serializing it shows no token. */
export interface AccessToken {
  /** The bearer token, for `Authorization: Bearer <token>`. */
  readonly token: string;
  readonly expiresAt: Date;
  /** Granted scopes, when the server listed them. */
  readonly scopes: readonly string[] | undefined;
}

/** Builds a frozen {@link AccessToken} whose `toJSON`/`inspect`/`toString` hide the token. */
export function accessToken(token: string, expiresAt: Date, scopes: readonly string[] | undefined): AccessToken {
  const value = withRedactedView({ token, expiresAt, scopes }, { token: REDACTED, expiresAt: expiresAt.toISOString(), scopes });
  return Object.freeze(value);
}
