/** Something the token cache did; never carries a token, assertion or cache key. */
export type TokenEvent =
  | { readonly type: 'cache_hit'; readonly provider: string }
  | { readonly type: 'cache_miss'; readonly provider: string }
  /** A miss here that the shared tier (`sharedStore`) answered: another replica fetched the token. */
  | { readonly type: 'shared_hit'; readonly provider: string }
  | { readonly type: 'refresh_started'; readonly provider: string }
  | { readonly type: 'refresh_failed'; readonly provider: string; readonly errorCode: string }
  /** A refresh is failing and a still-valid cached token was served instead. */
  | { readonly type: 'stale_served'; readonly provider: string }
  /** One attempt at the token endpoint: its HTTP status (or error) and latency. */
  | {
      readonly type: 'upstream_request';
      readonly provider: string;
      readonly attempt: number;
      readonly durationMs: number;
      readonly status: number | undefined;
      readonly errorCode: string | undefined;
    }
  | { readonly type: 'error'; readonly provider: string; readonly errorCode: string };

/** Receives {@link TokenEvent}s, e.g. to feed OpenTelemetry or prom-client. Exceptions are ignored. */
export type TokenEventListener = (event: TokenEvent) => void;
