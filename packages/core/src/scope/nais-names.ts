import { ScopeNameError, type ScopeNamePart } from '../error/nav-auth-error.js';

/** A NAIS application's identity: cluster, namespace and application name. */
export interface NaisApplication {
  readonly cluster: string;
  readonly namespace: string;
  readonly app: string;
}

// Kubernetes names are RFC 1123 DNS labels.
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function checkLabel(part: ScopeNamePart, value: unknown): string {
  if (typeof value !== 'string' || !dnsLabel.test(value)) {
    throw new ScopeNameError(part, 'must be a DNS label: lowercase a-z, 0-9 and "-", 1-63 characters, no "-" at either end');
  }
  return value;
}

function checkApplication(application: NaisApplication): NaisApplication {
  return {
    cluster: checkLabel('cluster', application.cluster),
    namespace: checkLabel('namespace', application.namespace),
    app: checkLabel('app', application.app),
  };
}

/**
 * The Azure AD client credentials / on-behalf-of scope for a NAIS application (seed 002):
 * `api://<cluster>.<namespace>.<app>/.default`.
 *
 * @throws {@link NavAuthError} `ERR_SCOPE_NAME` when a part of the application name is not a valid NAIS name.
 */
export function azureScope(application: NaisApplication): string {
  const { cluster, namespace, app } = checkApplication(application);
  return `api://${cluster}.${namespace}.${app}/.default`;
}

/**
 * Parses a NAIS audience written `<cluster>:<namespace>:<app>`.
 *
 * @throws {@link NavAuthError} `ERR_SCOPE_NAME` when the text is not `cluster:namespace:app` with valid NAIS names.
 */
export function parseNaisAudience(audience: string): NaisApplication {
  if (typeof audience !== 'string') throw new ScopeNameError('scope', 'must be a string');
  const parts = audience.split(':');
  if (parts.length !== 3) throw new ScopeNameError('scope', 'must have the form <cluster>:<namespace>:<app>');
  const [cluster, namespace, app] = parts as [string, string, string];
  return checkApplication({ cluster, namespace, app });
}

/** True when `value` is a NAIS audience `<cluster>:<namespace>:<app>` that {@link parseNaisAudience} accepts. */
export function isNaisAudience(value: unknown): value is string {
  try {
    parseNaisAudience(value as string);
    return true;
  } catch {
    return false;
  }
}

/**
 * Turns a token target into an Azure AD scope: `cluster:namespace:app` becomes
 * `api://cluster.namespace.app/.default`; an `api://` scope is returned unchanged.
 *
 * @throws {@link NavAuthError} `ERR_SCOPE_NAME` when the target is neither `cluster:namespace:app` nor an `api://…/.default` scope.
 */
export function toAzureScope(target: string): string {
  if (typeof target === 'string' && target.startsWith('api://')) {
    if (/\s/.test(target) || !target.endsWith('/.default')) {
      throw new ScopeNameError('scope', 'an api:// scope for client credentials or on-behalf-of must end with "/.default"');
    }
    return target;
  }
  return azureScope(parseNaisAudience(target));
}

/** Options for {@link legacyScopeName}. */
export interface LegacyScopeOptions extends NaisApplication {
  /** The subscope without the `nav:` prefix, e.g. `my/scope.read`. */
  readonly subscope: string;
}

/**
 * The legacy (IaC / on-premises) scope description `<cluster>:<namespace>:<app>.<subscope>`,
 * with dashes in cluster, namespace and app joined (removed), as seed 001 prescribes.
 *
 * @throws {@link NavAuthError} `ERR_SCOPE_NAME` when the cluster, namespace or app is not a valid NAIS name.
 *
 * @example
 * legacyScopeName({ cluster: 'my-cluster', namespace: 'my-namespace', app: 'my-app', subscope: 'my/scope.read' });
 * // 'mycluster:mynamespace:myapp.my/scope.read'
 */
export function legacyScopeName(options: LegacyScopeOptions): string {
  const { cluster, namespace, app } = checkApplication(options);
  const { subscope } = options;
  if (typeof subscope !== 'string' || !/^[a-zæøå0-9][a-zæøå0-9./:]*$/.test(subscope) || /[./:]$/.test(subscope)) {
    throw new ScopeNameError('subscope', 'must start and end with a-z, æøå or 0-9 and otherwise hold only those, ".", ":" and "/"');
  }
  const join = (label: string) => label.replaceAll('-', '');
  return `${join(cluster)}:${join(namespace)}:${join(app)}.${subscope}`;
}
