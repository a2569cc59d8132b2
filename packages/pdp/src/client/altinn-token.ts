import { PdpTransportError } from '@nav-auth/core';
import type { AccessToken, MaskinportenClient } from '@nav-auth/node';
import { headerValue, sendRequest } from '@nav-auth/node/internal';
import type { Dispatcher } from 'undici';
import { type PdpCaller, parsePdpCaller } from '../xacml/pdp-caller.js';

/** The Maskinporten scope the Altinn exchange and the PDP require. */
export const PDP_SCOPE = 'altinn:authorization/authorize';

/** Refresh the Altinn token this long before it expires. */
const EARLY_MS = 60_000;
/** Assumed lifetime when the exchanged token's `exp` cannot be read. */
const FALLBACK_LIFETIME_MS = 5 * 60_000;

/** An Altinn token from the exchange, and the caller its claims describe. */
export interface AltinnToken {
  readonly token: string;
  readonly caller: PdpCaller;
}

/** The payload of our own Altinn token, read (not verified: it came straight from the exchange); `undefined` if unreadable. */
function claimsOf(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
  } catch {
    return undefined;
  }
}

/** Exchanges Maskinporten tokens for Altinn tokens and keeps one until shortly before it expires. */
export class AltinnTokenSource {
  private current: (AltinnToken & { readonly refreshAfter: number }) | undefined;
  private inFlight: Promise<AltinnToken> | undefined;

  constructor(
    private readonly exchangeUrl: string,
    private readonly maskinporten: MaskinportenClient,
    private readonly dispatcher: Dispatcher | undefined,
    private readonly clock: () => number,
  ) {}

  /** An Altinn token; `fresh` forces a new Maskinporten token and a new exchange (the PDP said 401). */
  token(signal: AbortSignal, fresh = false): Promise<AltinnToken> {
    if (!fresh && this.current !== undefined && this.clock() < this.current.refreshAfter) return Promise.resolve(this.current);
    if (fresh) this.current = undefined;
    this.inFlight ??= this.exchange(signal, fresh).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async exchange(signal: AbortSignal, fresh: boolean): Promise<AltinnToken> {
    const maskinporten: AccessToken = await this.maskinporten.getToken(PDP_SCOPE, { forceRefresh: fresh, signal });
    const response = await sendRequest(
      {
        url: this.exchangeUrl,
        method: 'GET',
        headers: { authorization: `Bearer ${maskinporten.token}`, accept: 'text/plain, application/json' },
      },
      { dispatcher: this.dispatcher, signal, timeoutMs: 5000, maxBodyBytes: 64 * 1024, purpose: 'Altinn token exchange' },
    );
    if (response.status !== 200)
      throw new PdpTransportError(
        `Altinn token exchange answered ${response.status}${headerValue(response, 'www-authenticate') ? ' (unauthorized)' : ''}`,
      );
    // Altinn answers with the token as text, sometimes as a JSON string.
    const token = response.body.trim().replace(/^"(.*)"$/s, '$1');
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token))
      throw new PdpTransportError('Altinn token exchange answered no JWT');
    // The caller's authentication level comes from this token, never from configuration: an
    // unreadable one leaves the level undefined, which every level obligation denies.
    const claims = claimsOf(token);
    this.current = { token, caller: parsePdpCaller(claims), refreshAfter: this.refreshAfter(claims) };
    return this.current;
  }

  private refreshAfter(claims: unknown): number {
    const exp = (claims as { exp?: unknown } | undefined)?.exp;
    // The exchange is trusted; an unreadable exp only means a shorter cache.
    if (typeof exp === 'number' && Number.isFinite(exp)) return Math.max(this.clock(), exp * 1000 - EARLY_MS);
    return this.clock() + FALLBACK_LIFETIME_MS;
  }
}
