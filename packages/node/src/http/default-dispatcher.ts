import { type Dispatcher, EnvHttpProxyAgent } from 'undici';

const proxyVariables = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];
let shared: Dispatcher | undefined;

/**
 * The dispatcher token clients use unless given one: undici's `EnvHttpProxyAgent` when a
 * proxy is configured (`HTTPS_PROXY`/`HTTP_PROXY`, honouring `NO_PROXY`; NAIS sets these
 * with `webproxy: true` on-premises), else undici's global dispatcher.
 */
export function defaultDispatcher(env: NodeJS.ProcessEnv = process.env): Dispatcher | undefined {
  if (!proxyVariables.some((name) => (env[name] ?? '') !== '')) return undefined;
  shared ??= new EnvHttpProxyAgent();
  return shared;
}
