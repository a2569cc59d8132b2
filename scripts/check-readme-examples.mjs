// Type-checks the opening example (the first ```ts block) of every package README, so the
// front door never shows code that does not compile. Writes them to reports/readme-examples/
// and runs tsc there with the workspace's sources. They live in apps/demo, which depends on
// every package; './app.js' stands in for the reader's own service in the testing example.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = 'apps/demo/readme-examples';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = [];
for (const name of readdirSync('packages')) {
  const readme = readFileSync(join('packages', name, 'README.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (example === undefined) throw new Error(`packages/${name}/README.md has no ts example`);
  const file = `${name}.ts`;
  // Each example is its own module (top-level await allowed).
  writeFileSync(join(out, file), `${example}\nexport {};\n`);
  files.push(file);
}
writeFileSync(
  join(out, 'app.ts'),
  "/** The reader's own service. */\nexport declare function createApp(env: Readonly<Record<string, string>>): { listen(port: number): Promise<string> };\n",
);
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../../tsconfig.base.json',
    compilerOptions: {
      lib: ['ES2022', 'DOM'],
      types: ['node'],
      experimentalDecorators: true,
      noUnusedLocals: false,
      typeRoots: ['../node_modules/@types', '../../../node_modules/@types'],
    },
    files: [...files, 'app.ts'],
  }),
);
try {
  execFileSync('npx', ['tsc', '-p', join(out, 'tsconfig.json')], { stdio: 'inherit' });
  console.log(`README examples type-check: ${files.join(', ')}`);
} catch {
  console.error('a README example does not type-check (see above)');
  process.exit(1);
}
