// node scripts/publish-manifests.mjs [--write]: the package.json of every published package as
// npm will see it. In the workspace, each `exports` entry has an "@nav-auth/source" condition
// pointing at src/ (so tests and apps run against source, never a stale dist/); a published
// package must not carry it. pnpm replaces `exports` with `publishConfig.exports` when it packs
// and publishes, so that copy is derived here from `exports` minus the condition, together with
// the fields every published package shares (keywords, provenance). Without --write it checks
// that every manifest is in sync and exits 1 when one is not (CI runs it).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WORKSPACE_CONDITION = '@nav-auth/source';
const SHARED_KEYWORDS = ['nav', 'nais', 'oauth2', 'jwt'];
const KEYWORDS = {
  '@nav-auth/core': ['maskinporten', 'azure-ad', 'entra-id', 'tokenx', 'idporten', 'altinn', 'client-assertion'],
  '@nav-auth/node': ['maskinporten', 'azure-ad', 'entra-id', 'tokenx', 'idporten', 'texas', 'on-behalf-of', 'jwks', 'undici'],
  '@nav-auth/pdp': ['altinn', 'pdp', 'xacml', 'system-user', 'authorization'],
  '@nav-auth/nestjs': ['nestjs', 'guard', 'maskinporten', 'azure-ad', 'tokenx', 'idporten'],
  '@nav-auth/testing': ['testing', 'mock-oauth2-server', 'identity-provider', 'maskinporten', 'azure-ad', 'tokenx', 'idporten'],
  '@nav-auth/cli': ['cli', 'maskinporten', 'azure-ad', 'jwk'],
  '@nav-auth/otel': ['opentelemetry', 'prometheus', 'metrics', 'tracing', 'diagnostics_channel'],
  '@nav-auth/valkey': ['valkey', 'redis', 'cache', 'token-cache'],
};

/** `exports` with the workspace-only condition removed at every level. */
function withoutWorkspaceCondition(value) {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== WORKSPACE_CONDITION)
      .map(([key, inner]) => [key, withoutWorkspaceCondition(inner)]),
  );
}

/** The manifest with its publish-time fields derived; key order kept, new keys appended. */
export function publishedManifest(manifest) {
  const keywords = [...SHARED_KEYWORDS, ...(KEYWORDS[manifest.name] ?? [])];
  return {
    ...manifest,
    keywords,
    publishConfig: {
      ...manifest.publishConfig,
      access: 'public',
      provenance: true,
      exports: withoutWorkspaceCondition(manifest.exports),
    },
  };
}

/** The published packages' folders and manifests. */
export function publishedPackages() {
  return readdirSync('packages')
    .map((folder) => ({ folder, path: join('packages', folder, 'package.json') }))
    .map((entry) => ({ ...entry, manifest: JSON.parse(readFileSync(entry.path, 'utf8')) }))
    .filter(({ manifest }) => !manifest.private);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const write = process.argv.includes('--write');
  const stale = [];
  for (const { path, manifest } of publishedPackages()) {
    const expected = `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`;
    if (readFileSync(path, 'utf8') === expected) continue;
    if (write) writeFileSync(path, expected);
    else stale.push(path);
  }
  if (stale.length > 0) {
    console.error(`publishConfig out of date in ${stale.join(', ')}: run node scripts/publish-manifests.mjs --write`);
    process.exit(1);
  }
  console.log(write ? 'publish manifests written' : 'publish manifests in sync');
}
