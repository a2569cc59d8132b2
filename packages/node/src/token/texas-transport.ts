import { ConfigError, endpointUrlProblem, InvalidInputError, TEXAS_VARIABLES } from '@nav-auth/core';
import type { ConfigSource } from '../config/load-config.js';
import type { RetryOptions } from '../retry/retry-policy.js';
import type { TokenCacheOptions } from './token-engine.js';

/** Where a client sends its token requests: the NAIS token sidecar (Texas), or the identity provider. */
export type TokenTransportMode = 'texas' | 'direct';

/**
 * How a token client picks its transport, once, when it is created, and where it reads its
 * configuration: `env` (default `process.env`) for `NAIS_TOKEN_*` and the provider's
 * variables, `secretsDir` for the provider's files (the NAIS mount by default). Through Texas
 * the provider's configuration is not needed and not read.
 */
export interface TransportOptions extends ConfigSource {
  /**
   * `'texas'` sends token requests to the NAIS token sidecar, `'direct'` to the identity
   * provider. Default: Texas for each operation whose `NAIS_TOKEN_*` variable is set, so
   * turning Texas on or off in the manifest changes no code.
   */
  readonly mode?: TokenTransportMode;
}

/** A client's `env` and `secretsDir`, for the config loaders. */
export function envSource(options: TransportOptions): ConfigSource {
  return {
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.secretsDir === undefined ? {} : { secretsDir: options.secretsDir }),
  };
}

/**
 * Per attempt, in ms, on the loopback hop to Texas (default): it answers from its cache at
 * once, and a miss waits on Texas' own timeouts and retries towards the provider; the sidecar
 * coalesces a retry with the fetch still in flight, so a retry costs the provider nothing.
 */
export const TEXAS_ATTEMPT_TIMEOUT_MS = 3000;

/**
 * Retries on the loopback hop (defaults under the caller's own `retry`): the sidecar may start
 * after the app, so a refused connection is tried again for a few seconds, within the deadline.
 */
export const TEXAS_RETRY: RetryOptions = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };

/** A client's engine options, with {@link TEXAS_RETRY} under its own `retry` when any operation goes through Texas. */
export function withTexasRetry<O extends TokenCacheOptions>(options: O, throughTexas: boolean): O {
  return throughTexas ? { ...options, retry: { ...TEXAS_RETRY, ...options.retry } } : options;
}

/**
 * The Texas endpoint for `operation` (`token` for machine tokens, `exchange` for on-behalf-of
 * and TokenX), or `undefined` for direct. With `mode: 'texas'` the variable must be set; a
 * value that is not a usable URL is an `ERR_CONFIG` either way.
 */
export function texasEndpoint(operation: 'token' | 'exchange', options: TransportOptions): string | undefined {
  const { mode } = options;
  if (mode !== undefined && mode !== 'texas' && mode !== 'direct') throw new InvalidInputError('mode', "must be 'texas' or 'direct'");
  if (mode === 'direct') return undefined;
  const variable = TEXAS_VARIABLES[operation];
  const value = (options.env ?? process.env)[variable]?.trim();
  if (value === undefined || value === '') {
    if (mode === 'texas') {
      throw new ConfigError([
        { variable, reason: "is missing: mode 'texas' needs it (enable Texas in the NAIS manifest, or use mode 'direct')" },
      ]);
    }
    return undefined;
  }
  const problem = endpointUrlProblem(value);
  if (problem !== undefined) throw new ConfigError([{ variable, reason: problem }]);
  return value;
}
