import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { isNavAuthError, type ScopeNamePart } from '../error/nav-auth-error.js';
import { exposedScopeName, parseExposedScopeName, validateScopeName } from './scope-name.js';

function failingPart(run: () => unknown): ScopeNamePart | undefined {
  const error = caught(run);
  return isNavAuthError(error, 'ERR_SCOPE_NAME') ? error.part : undefined;
}

describe('exposedScopeName', () => {
  it('uses ":" unless the name contains "/" (seed 001 examples)', () => {
    expect(exposedScopeName({ product: 'arbeid', name: 'some.scope.read' })).toBe('nav:arbeid:some.scope.read');
    expect(exposedScopeName({ product: 'arbeid', name: 'some/scope.read' })).toBe('nav:arbeid/some/scope.read');
  });

  it("follows Digdir's grammar, where a part after ':' needs two characters before any '.'", () => {
    expect(exposedScopeName({ product: 'arbeid', name: 'xy' })).toBe('nav:arbeid:xy');
    expect(exposedScopeName({ product: 'arbeid', name: 'x', separator: '/' })).toBe('nav:arbeid/x');
    expect(failingPart(() => exposedScopeName({ product: 'arbeid', name: 'x' }))).toBe('name');
  });

  it('lets an explicit separator win', () => {
    expect(exposedScopeName({ product: 'arbeid', name: 'some.scope.read', separator: '/' })).toBe('nav:arbeid/some.scope.read');
  });

  it('names the wrong part', () => {
    expect(failingPart(() => exposedScopeName({ product: 'Arbeid', name: 'x' }))).toBe('product');
    expect(failingPart(() => exposedScopeName({ product: 'ar-beid', name: 'x' }))).toBe('product');
    expect(failingPart(() => exposedScopeName({ product: 'arbeid', name: '' }))).toBe('name');
    expect(failingPart(() => exposedScopeName({ product: 'arbeid', name: 'some_scope' }))).toBe('name');
    expect(failingPart(() => exposedScopeName({ product: 'arbeid', name: 'some..scope' }))).toBe('name');
    expect(failingPart(() => exposedScopeName({ product: 'arbeid', name: 'read.' }))).toBe('name');
    expect(failingPart(() => exposedScopeName({ product: 'arbeid', name: 'x', separator: '.' as ':' }))).toBe('separator');
    expect(failingPart(() => exposedScopeName({ product: 'arbeid', name: 'a/b', separator: ':' }))).toBe('name');
  });
});

describe('validateScopeName', () => {
  it('accepts scopes from the seeds and Digdir', () => {
    for (const scope of [
      'nav:trygdeopplysninger',
      'nav:trygdeopplysninger.write',
      'skatt:some.scope',
      'nav:some/other/scope',
      'altinn:authorization/authorize',
    ]) {
      expect(validateScopeName(scope).prefix).toBe(scope.split(':')[0]);
    }
  });

  it.each<[string, ScopeNamePart, RegExp]>([
    ['', 'scope', /non-empty/],
    ['navtrygd', 'scope', /<prefix>:<subscope>/],
    ['Nav:x', 'prefix', /lowercase/],
    ['1nav:x', 'prefix', /start with/],
    ['nav:', 'subscope', /empty/],
    ['nav:Trygd', 'subscope', /character 1/],
    ['nav:tr ygd', 'subscope', /character 3/],
    ['nav:/trygd', 'subscope', /start or end/],
    ['nav:a//b', 'subscope', /two separators/],
    ['nav:a.b/c', 'subscope', /Digdir/],
  ])('refuses %j in part %s and says why', (scope, part, why) => {
    const error = caught(() => validateScopeName(scope));
    expect(error).toMatchObject({ code: 'ERR_SCOPE_NAME', part });
    expect((error as Error).message).toMatch(why);
  });
});

describe('parseExposedScopeName', () => {
  // Two characters or more: Digdir's grammar refuses a one-character part after ':' (see above).
  const label = fc.stringMatching(/^[a-zæøå0-9]{2,8}$/);
  const name = fc.oneof(
    fc.array(label, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')),
    fc
      .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.array(label, { minLength: 1, maxLength: 3 }))
      .map(([path, dotted]) => `${path.join('/')}/${dotted.join('.')}`),
  );

  it('round-trips every name exposedScopeName builds (property)', () => {
    fc.assert(
      fc.property(label, name, fc.constantFrom(undefined, ':' as const, '/' as const), (product, scopeName, explicit) => {
        // Digdir's grammar has no ':' before a '/', so an explicit ':' only fits names without '/'.
        const separator = explicit === ':' && scopeName.includes('/') ? undefined : explicit;
        const scope = exposedScopeName({ product, name: scopeName, ...(separator === undefined ? {} : { separator }) });
        expect(parseExposedScopeName(scope)).toEqual({
          prefix: 'nav',
          product,
          separator: separator ?? (scopeName.includes('/') ? '/' : ':'),
          name: scopeName,
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('throws only scope-name errors for arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        try {
          const parsed = parseExposedScopeName(input);
          expect(`${parsed.prefix}:${parsed.product}${parsed.separator}${parsed.name}`).toBe(input);
        } catch (error) {
          expect(isNavAuthError(error, 'ERR_SCOPE_NAME')).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
