// pnpm release [--dry-run]: build, check every published package (its publish manifest in sync,
// publint, attw), show the versions changesets would publish, pack each package as pnpm
// publishes it and check the packed package.json (no workspace-only export condition, no
// workspace: ranges), then (without --dry-run) publish with changesets. The dry run writes the
// tarballs to reports/packs/ and publishes nothing. Publishing happens from CI with npm
// provenance (publishConfig.provenance): a registry token and an OIDC identity are needed there.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { publishedPackages } from './publish-manifests.mjs';

const dryRun = process.argv.includes('--dry-run');
const run = (command, args, cwd = '.') => execFileSync(command, args, { stdio: 'inherit', cwd });

run('node', ['scripts/publish-manifests.mjs']);
run('pnpm', ['build']);
run('pnpm', ['check:packages']);

// What `changeset version` would make of the pending changesets.
const statusFile = resolve('reports/changeset-status.json');
mkdirSync('reports', { recursive: true });
run('pnpm', ['changeset', 'status', '--output', statusFile]);
const { releases } = JSON.parse(readFileSync(statusFile, 'utf8'));
const published = new Set(publishedPackages().map(({ manifest }) => manifest.name));
console.log('\nversions to publish:');
for (const release of releases.filter((r) => published.has(r.name))) {
  console.log(`  ${release.name.padEnd(20)} ${release.oldVersion} -> ${release.newVersion} (${release.type})`);
}
const versioned = releases.filter((r) => !published.has(r.name) && r.type !== 'none');
if (versioned.length > 0) throw new Error(`private packages would be versioned: ${versioned.map((r) => r.name).join(', ')}`);

const packs = resolve('reports/packs');
rmSync(packs, { recursive: true, force: true });
mkdirSync(packs, { recursive: true });
for (const { folder } of publishedPackages()) run('pnpm', ['pack', '--pack-destination', packs], join('packages', folder));
for (const tarball of readdirSync(packs)) {
  const manifest = JSON.parse(execFileSync('tar', ['-xOzf', join(packs, tarball), 'package/package.json'], { encoding: 'utf8' }));
  if (JSON.stringify(manifest.exports).includes('"@nav-auth/source"'))
    throw new Error(`${tarball}: its exports still have the @nav-auth/source condition`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    const ranges = Object.values(manifest[field] ?? {});
    if (ranges.some((range) => range.startsWith('workspace:'))) throw new Error(`${tarball}: its ${field} still have a workspace: range`);
  }
}
console.log(`\n${readdirSync(packs).length} tarballs in ${packs}; their package.json files carry no workspace-only condition or range`);
if (dryRun) {
  console.log('dry run: nothing published');
} else {
  run('pnpm', ['changeset', 'publish']);
}
