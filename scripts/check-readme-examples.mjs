// Type-checks every ```ts example of every package README, the root README.md and docs/**/*.md
// (see scripts/readme-examples.mjs for the <!-- continues --> and <!-- not-checked: reason -->
// markers), so the docs never show code that does not compile. Writes them to
// apps/demo/reports/readme-examples/ and runs tsc there with the workspace's sources: apps/demo
// depends on every package. A package an example imports that apps/demo does not depend on (a
// package's devDependency, such as ioredis or @nestjs/testing) is linked from the package's own
// node_modules. './app.js' stands in for the reader's own service.
// scripts/check-consumers.mjs checks the same examples against the packed tarballs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importedPackages, readmeExamples, standIns } from './readme-examples.mjs';

const demo = 'apps/demo';
const out = join(demo, 'reports/readme-examples');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const { modules, skipped } = readmeExamples('.');
const files = [];
const imported = new Set();
for (const { name, text } of modules) {
  writeFileSync(join(out, name), `${text}\nexport {};\n`);
  files.push(name);
  for (const spec of importedPackages(text)) imported.add(spec);
}
for (const [name, text] of Object.entries(standIns)) writeFileSync(join(out, name), text);

// Where apps/demo cannot resolve a package, the first package or app that has it in its
// node_modules lends it, linked into the examples' own node_modules.
const lenders = ['packages', 'apps'].flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
for (const spec of [...imported].sort()) {
  if (existsSync(join(demo, 'node_modules', spec)) || existsSync(join('node_modules', spec))) continue;
  const lender = lenders.find((dir) => existsSync(join(dir, 'node_modules', spec)));
  if (lender === undefined) continue; // tsc names it
  const link = join(out, 'node_modules', spec);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(realpathSync(join(lender, 'node_modules', spec)), link, 'dir');
}

writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../../../tsconfig.base.json',
    compilerOptions: {
      lib: ['ES2022', 'DOM'],
      types: ['node'],
      experimentalDecorators: true,
      noUnusedLocals: false,
      typeRoots: ['../../node_modules/@types', '../../../../node_modules/@types'],
    },
    files: [...files, ...Object.keys(standIns)],
  }),
);
for (const { source, reason } of skipped) console.log(`not checked: ${source} (${reason})`);
try {
  execFileSync('npx', ['tsc', '-p', join(out, 'tsconfig.json')], { stdio: 'inherit' });
  console.log(`README examples type-check: ${modules.length} modules (${modules.map((m) => m.source).join(', ')})`);
} catch {
  console.error(`a README example does not type-check (see above; the modules are in ${out})`);
  process.exit(1);
}
