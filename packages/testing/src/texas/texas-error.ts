import type { Reply } from '../server/http-server.js';

/** Texas' names for the identity providers, as its `Display` prints them (nais/texas `src/oauth/identity_provider.rs`). */
export type IdentityProvider = 'entra_id' | 'tokenx' | 'maskinporten' | 'idporten';

/**
 * An error Texas answers a token or exchange request with: HTTP status and the RFC 6749 §5.2
 * body `{error, error_description}` (nais/texas `src/handler.rs`, `ApiError::into_response`).
 */
export class TexasApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }

  /** 400 `invalid_request`: media type, body, unknown or disabled provider, unsupported operation. */
  static invalidRequest(description: string): TexasApiError {
    return new TexasApiError(400, 'invalid_request', description);
  }

  /** 500 `server_error`: Texas could not reach the provider, sign, or read its answer. */
  static serverError(description: string): TexasApiError {
    return new TexasApiError(500, 'server_error', description);
  }

  /** `ApiError::IdentityProviderNotEnabled`. */
  static notEnabled(provider: IdentityProvider): TexasApiError {
    return TexasApiError.invalidRequest(`identity provider '${provider}' is not enabled`);
  }

  /** `ApiError::TokenRequestUnsupported`. */
  static tokenRequestUnsupported(provider: IdentityProvider): TexasApiError {
    return TexasApiError.invalidRequest(`identity provider '${provider}' does not support token requests`);
  }

  /** `ApiError::TokenExchangeUnsupported`. */
  static tokenExchangeUnsupported(provider: IdentityProvider): TexasApiError {
    return TexasApiError.invalidRequest(`identity provider '${provider}' does not support token exchange`);
  }

  reply(): Reply {
    return { status: this.status, body: { error: this.error, error_description: this.description } };
  }
}

/** Runs a Texas handler, turning a {@link TexasApiError} into its answer. */
export async function answerTexas(handle: () => Promise<Reply>): Promise<Reply> {
  try {
    return await handle();
  } catch (error) {
    if (error instanceof TexasApiError) return error.reply();
    throw error;
  }
}

/** What Texas logs before it exits when it cannot start (nais/texas `src/main.rs`). */
export function startupError(display: string): Error {
  return new Error(`unable to initialize application: ${display}`);
}
