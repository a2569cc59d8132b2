import type { Reply } from './http-server.js';

/** An RFC 6749 §5.2 error reply, shaped like Maskinporten's and Azure AD's. */
export function oauthError(error: string, description: string, status = 400): Reply {
  return { status, body: { error, error_description: description } };
}

/** Thrown inside a token handler to answer with an OAuth error. */
export class OAuthFailure extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(`${error}: ${description}`);
  }

  reply(): Reply {
    return oauthError(this.error, this.description, this.status);
  }
}

/** Runs a token handler, turning an {@link OAuthFailure} into its reply. */
export async function answerOAuth(handle: () => Promise<Reply>): Promise<Reply> {
  try {
    return await handle();
  } catch (error) {
    if (error instanceof OAuthFailure) return error.reply();
    throw error;
  }
}
