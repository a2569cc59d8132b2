import { type EnvironmentRecord, setInsecureHttpHosts } from '@nav-auth/core';

/** The value last applied, so a process warns once per value, not once per loaded configuration. */
let applied: string | undefined;

/**
 * Applies `NAV_AUTH_INSECURE_HTTP_HOSTS` (host names, separated by commas or spaces): plain
 * http to those hosts is then accepted, for local development beside Docker Compose
 * (`http://mock-oauth2-server:8080`). Loud: a process warning (`NAV_AUTH_INSECURE_HTTP`) each
 * time it takes effect. Refused with a `ConfigError` when the process runs on NAIS
 * (`NAIS_CLUSTER_NAME` set, in `env` or the process environment). Every `load*Config` and
 * `discover*Config` calls it; call it yourself before building configurations by hand.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when `NAV_AUTH_INSECURE_HTTP_HOSTS` holds an IP address, a wildcard or an empty entry, or is set on NAIS.
 */
export function applyInsecureHttpHosts(env: EnvironmentRecord = process.env): void {
  const value = env.NAV_AUTH_INSECURE_HTTP_HOSTS?.trim() ?? '';
  if (value === applied) return;
  const hosts =
    value === ''
      ? []
      : value
          .toLowerCase()
          .split(/[\s,]+/)
          .filter((host) => host !== '');
  const onNais = [env.NAIS_CLUSTER_NAME, process.env.NAIS_CLUSTER_NAME].some((cluster) => (cluster?.trim() ?? '') !== '');
  const allowed = setInsecureHttpHosts(hosts, onNais);
  applied = value;
  if (allowed.size > 0)
    process.emitWarning(
      `plain http is accepted for ${[...allowed].join(', ')} (NAV_AUTH_INSECURE_HTTP_HOSTS): tokens and secrets to them cross the network unencrypted. For local development only.`,
      { code: 'NAV_AUTH_INSECURE_HTTP' },
    );
}
