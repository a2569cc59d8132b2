/** Marks a scope list, so that a list never takes the path of a space-separated string. */
const SCOPE_LIST = Symbol('scope list');

const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';

/**
 * The memo path of one `getToken` call shape: `resource`, `consumerOrg`, `systemUserOrg`,
 * then the scope string, or a marker and each scope of a list in order. Equal paths mean
 * equal arguments, part by part. It is `undefined` when an argument is neither a string nor
 * absent (or a list holds a non-string); such calls are not memoized.
 */
export function maskinportenCallPath(
  scopes: unknown,
  resource: unknown,
  consumerOrg: unknown,
  systemUserOrg: unknown,
): unknown[] | undefined {
  if (!isOptionalString(resource) || !isOptionalString(consumerOrg) || !isOptionalString(systemUserOrg)) return undefined;
  if (typeof scopes === 'string') return [resource, consumerOrg, systemUserOrg, scopes];
  if (!Array.isArray(scopes)) return undefined;
  const path: unknown[] = new Array(4 + scopes.length);
  path[0] = resource;
  path[1] = consumerOrg;
  path[2] = systemUserOrg;
  path[3] = SCOPE_LIST;
  for (let index = 0; index < scopes.length; index++) {
    const scope: unknown = scopes[index];
    if (typeof scope !== 'string') return undefined;
    path[4 + index] = scope;
  }
  return path;
}
