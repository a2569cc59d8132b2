// The ```ts examples of the published packages' READMEs, the root README.md and docs/**/*.md, as
// modules to type-check: scripts/check-readme-examples.mjs checks them against the workspace's
// sources, scripts/check-consumers.mjs against the packed tarballs in fresh consumer projects.
//
// Every ```ts block is its own module (top-level await allowed), unless an HTML comment right
// before it (only blank lines between) says otherwise:
//   <!-- continues -->                the block continues the previous block's module
//   <!-- not-checked: some reason --> the block is deliberately not compilable (say why)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The Markdown files whose examples are checked, relative to root. */
export function markdownFiles(root) {
  const files = [];
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const readme = join('packages', name, 'README.md');
    if (existsSync(join(root, readme))) files.push(readme);
  }
  if (existsSync(join(root, 'README.md'))) files.push('README.md');
  const walk = (dir) => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = join(dir, name);
      if (name === 'node_modules' || name.startsWith('.')) continue;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return files;
}

const fence = /^```ts[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
const marker = /<!--\s*(continues|not-checked)\s*(?::((?:(?!-->)[\s\S])*))?\s*-->\s*$/;

/**
 * The example modules of root's Markdown files: { name, source, text, line } where name is a
 * file name (e.g. packages-core-README-2.ts), source 'packages/core/README.md:58' (the first
 * block's line), and text the module's code. skipped lists the not-checked blocks.
 */
export function readmeExamples(root) {
  const modules = [];
  const skipped = [];
  for (const file of markdownFiles(root)) {
    const markdown = readFileSync(join(root, file), 'utf8');
    const slug = relative('.', file)
      .replace(/\.md$/, '')
      .replace(/[^A-Za-z0-9]+/g, '-');
    let previous;
    let count = 0;
    for (const match of markdown.matchAll(fence)) {
      const line = markdown.slice(0, match.index).split('\n').length;
      const before = marker.exec(markdown.slice(0, match.index).trimEnd());
      const where = `${file}:${line}`;
      if (before?.[1] === 'not-checked') {
        if (!before[2]?.trim()) throw new Error(`${where}: <!-- not-checked: ... --> needs a reason`);
        skipped.push({ source: where, reason: before[2].trim() });
        continue;
      }
      if (before?.[1] === 'continues') {
        if (previous === undefined) throw new Error(`${where}: <!-- continues --> but no block before it`);
        previous.text += `\n// ${where}\n${match[1]}`;
        continue;
      }
      count += 1;
      previous = { name: `${slug}-${count}.ts`, source: where, text: `// ${where}\n${match[1]}` };
      modules.push(previous);
    }
  }
  return { modules, skipped };
}

/** The stand-ins examples import: the reader's own service and its NestJS root module. */
export const standIns = {
  'app.module.ts': "/** The reader's own NestJS root module. */\nexport declare class AppModule {}\n",
  'app.ts':
    "/** The reader's own service. */\nexport declare function createApp(env: Readonly<Record<string, string>>): { listen(port: number): Promise<string> };\n",
};

/** The bare module specifiers (package names) a module's text imports. */
export function importedPackages(text) {
  const names = new Set();
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"./][^'"]*)['"]/g)) {
    const spec = match[1];
    if (spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return names;
}
