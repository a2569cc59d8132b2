import { ConfigError } from '../error/nav-auth-error.js';

const loopbackHosts: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Host names a developer opted in to plain http for (a Docker Compose network); empty unless set. */
let insecureHttpHosts: ReadonlySet<string> = new Set();

/** A DNS host name with at least one letter: never an IP address, a wildcard or a pattern. */
const hostName = /^(?=.*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const ipv4 = /^[0-9.]+$/;

/**
 * The one process-wide opt-in to plain http for named hosts, for local development beside
 * Docker Compose (`http://mock-oauth2-server:8080`). `@nav-auth/node` sets it from
 * `NAV_AUTH_INSECURE_HTTP_HOSTS`; it is refused on NAIS (`NAIS_CLUSTER_NAME` set). Names only:
 * an IP address, a wildcard or an empty entry is a {@link ConfigError}. Returns the hosts.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when a host is an IP address, a wildcard or empty, or when `onNais` is true and hosts are given.
 */
export function setInsecureHttpHosts(hosts: readonly string[], onNais: boolean): ReadonlySet<string> {
  const variable = 'NAV_AUTH_INSECURE_HTTP_HOSTS';
  if (hosts.length > 0 && onNais)
    throw new ConfigError([
      { variable, reason: 'is refused on NAIS (NAIS_CLUSTER_NAME is set): plain http is for local development only' },
    ]);
  const bad = hosts.filter((host) => !hostName.test(host) || ipv4.test(host));
  if (bad.length > 0)
    throw new ConfigError([
      { variable, reason: `must list host names only (no IP addresses, wildcards or ports); ${bad.length} entries are not` },
    ]);
  insecureHttpHosts = new Set(hosts);
  return insecureHttpHosts;
}

/**
 * Returns why `value` is not an acceptable endpoint URL, or `undefined` when it is: an
 * absolute `https:` URL, or `http:` on a loopback host for local identity providers and tests,
 * or on a host named in the opt-in of {@link setInsecureHttpHosts}.
 */
export function endpointUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.hash !== '') return 'must not contain a fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && (loopbackHosts.has(url.hostname) || insecureHttpHosts.has(url.hostname))) return undefined;
  return 'must use https (http is allowed only on 127.0.0.1, localhost and [::1], or hosts named in NAV_AUTH_INSECURE_HTTP_HOSTS)';
}
