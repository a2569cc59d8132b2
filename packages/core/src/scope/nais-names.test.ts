import { describe, expect, it } from 'vitest';
import { azureScope, legacyScopeName, parseNaisAudience, toAzureScope } from './nais-names.js';

describe('azureScope', () => {
  it('builds api://cluster.namespace.app/.default (seed 002)', () => {
    expect(azureScope({ cluster: 'dev-gcp', namespace: 'team-a', app: 'my-app' })).toBe('api://dev-gcp.team-a.my-app/.default');
  });

  it('refuses names that are not DNS labels', () => {
    expect(() => azureScope({ cluster: 'dev_gcp', namespace: 'a', app: 'b' })).toThrow(expect.objectContaining({ part: 'cluster' }));
    expect(() => azureScope({ cluster: 'dev', namespace: '-a', app: 'b' })).toThrow(expect.objectContaining({ part: 'namespace' }));
    expect(() => azureScope({ cluster: 'dev', namespace: 'a', app: 'B' })).toThrow(expect.objectContaining({ part: 'app' }));
    expect(() => azureScope({ cluster: 'dev', namespace: 'a', app: 'x'.repeat(64) })).toThrow(expect.objectContaining({ part: 'app' }));
  });
});

describe('parseNaisAudience', () => {
  it('parses cluster:namespace:app', () => {
    expect(parseNaisAudience('dev-gcp:team:app')).toEqual({ cluster: 'dev-gcp', namespace: 'team', app: 'app' });
  });

  it.each(['dev-gcp:team', 'a:b:c:d', 'dev-gcp::app', 'Dev:team:app'])('refuses %j', (audience) => {
    expect(() => parseNaisAudience(audience)).toThrow(expect.objectContaining({ code: 'ERR_SCOPE_NAME' }));
  });
});

describe('toAzureScope', () => {
  it('accepts an api:// scope or a NAIS audience', () => {
    expect(toAzureScope('api://dev-gcp.team.app/.default')).toBe('api://dev-gcp.team.app/.default');
    expect(toAzureScope('dev-gcp:team:app')).toBe('api://dev-gcp.team.app/.default');
  });

  it('refuses api:// scopes that are not .default or hold whitespace', () => {
    expect(() => toAzureScope('api://dev-gcp.team.app/read')).toThrow(expect.objectContaining({ code: 'ERR_SCOPE_NAME' }));
    expect(() => toAzureScope('api://a b/.default')).toThrow(expect.objectContaining({ code: 'ERR_SCOPE_NAME' }));
  });
});

describe('legacyScopeName', () => {
  it('joins dashes in cluster, namespace and app (seed 001)', () => {
    expect(legacyScopeName({ cluster: 'my-cluster', namespace: 'my-namespace', app: 'my-app', subscope: 'my/scope.read' })).toBe(
      'mycluster:mynamespace:myapp.my/scope.read',
    );
  });

  it('refuses a malformed subscope', () => {
    expect(() => legacyScopeName({ cluster: 'c', namespace: 'n', app: 'a', subscope: 'nav:x.' })).toThrow(
      expect.objectContaining({ part: 'subscope' }),
    );
    expect(() => legacyScopeName({ cluster: 'c', namespace: 'n', app: 'a', subscope: 'My' })).toThrow(
      expect.objectContaining({ part: 'subscope' }),
    );
  });
});
