import { ScopeNameError } from '../error/nav-auth-error.js';

/** The prefix of every scope NAIS provisions for NAV. */
export const NAV_SCOPE_PREFIX = 'nav';

/** The parts of a Maskinporten scope, `<prefix>:<subscope>`. */
export interface ScopeName {
  readonly prefix: string;
  readonly subscope: string;
}

/** A NAIS-exposed scope, `<prefix>:<product><separator><name>`. */
export interface ExposedScopeName {
  readonly prefix: string;
  readonly product: string;
  readonly separator: ':' | '/';
  readonly name: string;
}

// Digdir's scope grammar (the self-service API's ScopeValidator):
//   prefix   = [a-zæøå][a-zæøå0-9+\-.]*
//   subscope = ([a-zæøå0-9]+/?)+(:[a-zæøå0-9]+)*[a-zæøå0-9]+(\.[a-zæøå0-9]+)*
const prefixPattern = /^[a-zæøå][a-zæøå0-9+\-.]*$/;
const subscopePattern = /^([a-zæøå0-9]+\/?)+(:[a-zæøå0-9]+)*[a-zæøå0-9]+(\.[a-zæøå0-9]+)*$/;
const subscopeCharacters = /^[a-zæøå0-9./:]*$/;
const productPattern = /^[a-zæøå0-9]+$/;

/**
 * Checks a Maskinporten scope against Digdir's grammar and returns its parts; the error
 * names the wrong part and why.
 *
 * @throws {@link NavAuthError} `ERR_SCOPE_NAME` when the scope breaks the naming rules (`part` says which).
 */
export function validateScopeName(scope: string): ScopeName {
  if (typeof scope !== 'string' || scope.length === 0) throw new ScopeNameError('scope', 'must be a non-empty string');
  const colon = scope.indexOf(':');
  if (colon < 0) throw new ScopeNameError('scope', 'must have the form <prefix>:<subscope>');
  const prefix = scope.slice(0, colon);
  const subscope = scope.slice(colon + 1);
  if (!prefixPattern.test(prefix)) {
    throw new ScopeNameError('prefix', 'must start with a lowercase letter and contain only a-z, æøå, 0-9, "+", "-" and "."');
  }
  checkSubscope(subscope, 'subscope');
  return { prefix, subscope };
}

function checkSubscope(subscope: string, part: 'subscope' | 'name'): void {
  checkSubscopeShape(subscope, part);
  if (!subscopePattern.test(subscope)) {
    throw new ScopeNameError(
      part,
      'does not fit Digdir\'s scope grammar ([a-zæøå0-9]+/?)+(:[a-zæøå0-9]+)*[a-zæøå0-9]+(\\.[a-zæøå0-9]+)*: "/" parts come first, "." parts last, and the last ":" part needs two or more characters',
    );
  }
}

/** Character and separator rules that hold for a subscope and for each part of one. */
function checkSubscopeShape(subscope: string, part: 'subscope' | 'name'): void {
  if (subscope.length === 0) throw new ScopeNameError(part, 'must not be empty');
  const bad = [...subscope].findIndex((character) => !subscopeCharacters.test(character));
  if (bad >= 0) {
    throw new ScopeNameError(part, `character ${bad + 1} is not allowed; use lowercase a-z, æøå, 0-9, ".", ":" and "/"`);
  }
  if (/^[./:]|[./:]$/.test(subscope)) throw new ScopeNameError(part, 'must not start or end with ".", ":" or "/"');
  if (/[./:]{2}/.test(subscope)) throw new ScopeNameError(part, 'must not have two separators in a row');
}

/** Options for {@link exposedScopeName}. */
export interface ExposedScopeOptions {
  /** `spec.maskinporten.scopes.exposes[].product`, e.g. `arbeid`. */
  readonly product: string;
  /** `spec.maskinporten.scopes.exposes[].name`, e.g. `some.scope.read`. */
  readonly name: string;
  /** Explicit separator from the manifest; wins over the default. */
  readonly separator?: ':' | '/';
  /** Scope prefix (default `nav`). */
  readonly prefix?: string;
}

/**
 * The scope NAIS provisions for an exposed scope (seed 001): `nav:<product><sep><name>`,
 * where sep is `/` if and only if the name contains `/`, else `:`, unless given explicitly.
 *
 * @throws {@link NavAuthError} `ERR_SCOPE_NAME` when the product or name breaks the scope naming rules (`part` says which).
 *
 * @example
 * exposedScopeName({ product: 'arbeid', name: 'some/scope.read' }); // 'nav:arbeid/some/scope.read'
 */
export function exposedScopeName(options: ExposedScopeOptions): string {
  const { product, name } = options;
  if (typeof product !== 'string' || !productPattern.test(product)) {
    throw new ScopeNameError('product', 'must be one or more of lowercase a-z, æøå and 0-9');
  }
  if (typeof name !== 'string') throw new ScopeNameError('name', 'must be a string');
  const separator = options.separator ?? (name.includes('/') ? '/' : ':');
  if (separator !== ':' && separator !== '/') throw new ScopeNameError('separator', 'must be ":" or "/"');
  checkSubscopeShape(name, 'name');
  const scope = `${options.prefix ?? NAV_SCOPE_PREFIX}:${product}${separator}${name}`;
  try {
    validateScopeName(scope);
  } catch (error) {
    if (error instanceof ScopeNameError && error.part === 'subscope') {
      throw new ScopeNameError('name', `does not form a valid subscope with separator "${separator}": ${error.message}`);
    }
    throw error;
  }
  return scope;
}

/**
 * Splits a NAIS-exposed scope back into prefix, product, separator and name; the inverse of {@link exposedScopeName}.
 *
 * @throws {@link NavAuthError} `ERR_SCOPE_NAME` when the scope breaks the naming rules (`part` says which).
 */
export function parseExposedScopeName(scope: string): ExposedScopeName {
  const { prefix, subscope } = validateScopeName(scope);
  const match = /^([a-zæøå0-9]+)([:/])(.+)$/.exec(subscope);
  if (match === null) throw new ScopeNameError('subscope', 'must have the form <product><":" or "/"><name>');
  const [, product, separator, name] = match as unknown as [string, string, ':' | '/', string];
  return { prefix, product, separator, name };
}
