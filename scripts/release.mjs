// pnpm release [--dry-run]: build, check every published package (publint, attw), pack them,
// and (without --dry-run) publish with changesets. The dry run writes the tarballs to
// reports/packs/ and publishes nothing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dryRun = process.argv.includes('--dry-run');
const run = (command, args, cwd = '.') => execFileSync(command, args, { stdio: 'inherit', cwd });

run('pnpm', ['build']);
run('pnpm', ['check:packages']);
const packs = resolve('reports/packs');
mkdirSync(packs, { recursive: true });
for (const name of readdirSync('packages')) {
  const manifest = JSON.parse(readFileSync(join('packages', name, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  run('pnpm', ['pack', '--pack-destination', packs], join('packages', name));
}
run('pnpm', ['changeset', 'status']);
if (dryRun) {
  console.log(`dry run: packed into ${packs}; nothing published`);
} else {
  run('pnpm', ['changeset', 'publish']);
}
