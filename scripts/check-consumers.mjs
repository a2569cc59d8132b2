// Types for consumers: packs every published package as it would be published and type-checks
// it the way a consumer's project sees it, outside the workspace.
//
// 1. pnpm pack in every packages/* (the builds must exist: run pnpm build first).
// 2. Every declaration file (.d.ts, .d.cts, .d.mts) in a tarball that names a declaration map
//    has that map in the tarball, and every source the map names is in the tarball too (so
//    go-to-definition lands in the shipped src/).
// 3. One npm install of the tarballs, typescript, @types/node and the peer dependencies and
//    packages the examples import (at the versions the workspace pins), in a temporary
//    directory, then four projects beside each other that share it:
//      node16-cjs    module/moduleResolution node16, "type": "commonjs" (top-level await wrapped)
//      node16-esm    module/moduleResolution node16, "type": "module"
//      nodenext-esm  module/moduleResolution nodenext, "type": "module"
//      bundler       module esnext, moduleResolution bundler
//    each strict, skipLibCheck false, types ["node"], with every README and docs example
//    (scripts/readme-examples.mjs) and an import of every package entry, checked by tsc --noEmit.
//    vitest stands in as a small type-only module (its ESM-only types cannot be required from
//    CommonJS; scripts/check-readme-examples.mjs checks the examples against the real vitest).
//
// One line per check; exits non-zero on any failure. --keep leaves the temporary directory.
import { execFile as execFileCallback, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { importedPackages, readmeExamples, standIns } from './readme-examples.mjs';

const execFile = promisify(execFileCallback);
const started = Date.now();
const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'nav-auth-consumers-'));
const failures = [];
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

const pnpm = (args, options) => execFile('pnpm', args, options);

try {
  // 1. Pack.
  const packages = readdirSync(join(root, 'packages'))
    .sort()
    .map((dir) => ({
      dir: join(root, 'packages', dir),
      manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')),
    }))
    .filter(({ manifest }) => manifest.private !== true);
  for (const { dir, manifest } of packages) {
    if (!existsSync(join(dir, 'dist'))) throw new Error(`${manifest.name} has no dist/: run pnpm build first`);
  }
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const pkg of packages) {
    const { stdout } = await pnpm(['pack', '--pack-destination', tarballs], { cwd: pkg.dir });
    const tarball = stdout
      .trim()
      .split('\n')
      .findLast((line) => line.endsWith('.tgz'));
    if (tarball === undefined || !existsSync(resolve(pkg.dir, tarball.trim())))
      throw new Error(`pnpm pack of ${pkg.manifest.name}: no tarball in\n${stdout}`);
    pkg.tarball = resolve(pkg.dir, tarball.trim());
  }
  console.log(`packed ${packages.length} packages (${seconds()})`);

  // 2. Declaration maps, in each tarball's own files.
  for (const pkg of packages) {
    const extracted = join(work, 'extracted', pkg.manifest.name);
    mkdirSync(extracted, { recursive: true });
    execFileSync('tar', ['xzf', pkg.tarball, '-C', extracted]);
    const files = new Set(
      execFileSync('tar', ['tzf', pkg.tarball], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.startsWith('package/') && !line.endsWith('/'))
        .map((line) => line.slice('package/'.length)),
    );
    pkg.files = files;
    const problems = [];
    let declarations = 0;
    let maps = 0;
    let sources = 0;
    for (const file of [...files].filter((name) => /\.d\.[cm]?ts$/.test(name)).sort()) {
      declarations += 1;
      const text = readFileSync(join(extracted, 'package', file), 'utf8');
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      if (url === undefined) continue;
      const mapFile = posix.normalize(posix.join(posix.dirname(file), url));
      if (!files.has(mapFile)) {
        problems.push(`${file} names ${url}, which is not in the tarball`);
        continue;
      }
      maps += 1;
      const map = JSON.parse(readFileSync(join(extracted, 'package', mapFile), 'utf8'));
      for (const source of map.sources ?? []) {
        const path = posix.normalize(posix.join(posix.dirname(mapFile), map.sourceRoot ?? '', source));
        if (files.has(path)) sources += 1;
        else problems.push(`${mapFile}: source ${source} (${path}) is not in the tarball`);
      }
    }
    const line = `${pkg.manifest.name}: ${declarations} declaration files, ${maps} declaration maps, ${sources} map sources in the tarball`;
    if (problems.length === 0) console.log(`pass  declaration maps  ${line}`);
    else {
      failures.push(`declaration maps of ${pkg.manifest.name}`);
      console.log(`FAIL  declaration maps  ${line}\n${problems.map((problem) => `        ${problem}`).join('\n')}`);
    }
  }

  // 2b. A dependency bundled into a CommonJS build (see tsdown.shared.ts: jose, in @nav-auth/testing)
  // is printed at the top of each .cjs file; it must be the version the package pins, which the
  // lockfile installed, so that what npm audit reports for the manifest is what runs.
  for (const pkg of packages) {
    for (const file of [...pkg.files].filter((name) => name.endsWith('.cjs'))) {
      const banner = /^\/\* bundles (.+) \*\//.exec(readFileSync(join(work, 'extracted', pkg.manifest.name, 'package', file), 'utf8'));
      if (banner === null) continue;
      for (const copy of banner[1].split(', ')) {
        const at = copy.lastIndexOf('@');
        const [name, version] = [copy.slice(0, at), copy.slice(at + 1)];
        const pinned = pkg.manifest.dependencies?.[name];
        if (pinned === version) console.log(`pass  bundled copy  ${pkg.manifest.name}/${file}: ${copy}, as pinned`);
        else {
          failures.push(`bundled ${name} in ${pkg.manifest.name}`);
          console.log(`FAIL  bundled copy  ${pkg.manifest.name}/${file}: ${copy}, but package.json pins ${pinned ?? 'nothing'}`);
        }
      }
    }
  }

  // 3. Consumer projects. What to install: the tarballs, typescript and @types/node at the
  // workspace's versions, peers (not the optional ones) and what the examples import.
  const { modules, skipped } = readmeExamples(root);
  const names = new Set(packages.map((pkg) => pkg.manifest.name));
  const wanted = new Set();
  for (const { manifest } of packages) {
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
      if (manifest.peerDependenciesMeta?.[peer]?.optional !== true) wanted.add(peer);
    }
  }
  for (const { text } of modules) for (const spec of importedPackages(text)) wanted.add(spec);
  const standInModules = { vitest: vitestStandIn() };
  for (const name of [...names, ...Object.keys(standInModules)]) wanted.delete(name);
  // Two installs, side by side: NestJS 12 is ESM-only, so the CommonJS project gets the versions
  // of the workspace's CommonJS apps (apps/nest11-cjs: NestJS 11) first.
  const installs = [
    { dir: join(work, 'esm'), pinned: workspacePins(false) },
    { dir: join(work, 'cjs'), pinned: workspacePins(true) },
  ];
  await Promise.all(
    installs.map(async (install) => {
      install.specs = ['typescript', '@types/node', ...[...wanted].sort()].map((name) => {
        const version = name === '@types/node' ? '20' : install.pinned.get(name);
        if (version === undefined) throw new Error(`no version of ${name} pinned in the workspace's package.json files`);
        return `${name}@${version}`;
      });
      mkdirSync(install.dir);
      writeFileSync(join(install.dir, 'package.json'), JSON.stringify({ name: 'nav-auth-consumer', private: true }, null, 2));
      await execFile(
        'npm',
        ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages.map((pkg) => pkg.tarball), ...install.specs],
        {
          cwd: install.dir,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      for (const [name, files] of Object.entries(standInModules)) {
        for (const [file, text] of Object.entries(files)) {
          mkdirSync(dirname(join(install.dir, 'node_modules', name, file)), { recursive: true });
          writeFileSync(join(install.dir, 'node_modules', name, file), text);
        }
      }
    }),
  );
  for (const install of installs)
    console.log(`installed in ${install.dir.slice(work.length + 1)}/: ${packages.length} tarballs, ${install.specs.join(' ')}`);
  console.log(`installed (${seconds()})`);

  // An import of every entry of every package (but ./package.json).
  const entries = packages.flatMap(({ manifest }) =>
    Object.keys(manifest.exports ?? { '.': {} })
      .filter((key) => key !== './package.json')
      .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`)),
  );
  const entriesModule = `${entries.map((entry, i) => `import * as entry${i} from '${entry}';`).join('\n')}\nexport const entries = [${entries.map((_, i) => `entry${i}`).join(', ')}];\n`;

  const projects = [
    { name: 'node16-cjs', type: 'commonjs', module: 'node16', moduleResolution: 'node16' },
    { name: 'node16-esm', type: 'module', module: 'node16', moduleResolution: 'node16' },
    { name: 'nodenext-esm', type: 'module', module: 'nodenext', moduleResolution: 'nodenext' },
    { name: 'bundler', type: 'module', module: 'esnext', moduleResolution: 'bundler' },
  ];
  const results = await Promise.all(
    projects.map(async (project) => {
      const consumer = installs[project.type === 'commonjs' ? 1 : 0].dir;
      const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
      const dir = join(consumer, project.name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: project.name, private: true, type: project.type }, null, 2));
      const files = ['entries.ts'];
      writeFileSync(join(dir, 'entries.ts'), entriesModule);
      for (const [name, text] of Object.entries({ ...standIns, ...thirdPartyStandIns() })) {
        writeFileSync(join(dir, name), text);
        files.push(name);
      }
      for (const { name, text } of modules) {
        const code = `${text}\nexport {};\n`;
        writeFileSync(join(dir, name), project.type === 'commonjs' ? wrapTopLevelAwait(code, name) : code);
        files.push(name);
      }
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify(
          {
            compilerOptions: {
              target: 'ES2022',
              lib: ['ES2022'],
              module: project.module,
              moduleResolution: project.moduleResolution,
              strict: true,
              skipLibCheck: false,
              types: ['node'],
              experimentalDecorators: true,
              noEmit: true,
            },
            files,
          },
          null,
          2,
        ),
      );
      const label = `${project.name.padEnd(12)} module ${project.module}, moduleResolution ${project.moduleResolution}, "type": "${project.type}"`;
      try {
        await execFile(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
        return { ok: true, line: `pass  ${label} (${files.length} files)` };
      } catch (error) {
        const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || String(error);
        return { ok: false, line: `FAIL  ${label}\n${output.replace(/^/gm, '        ')}`, name: project.name };
      }
    }),
  );
  for (const result of results) {
    console.log(result.line);
    if (!result.ok) failures.push(result.name);
  }
  for (const { source, reason } of skipped) console.log(`not checked: ${source} (${reason})`);
} catch (error) {
  failures.push('setup');
  console.error(error instanceof Error ? (error.stderr ? `${error.message}\n${error.stderr}` : error.stack) : error);
} finally {
  if (keep || failures.length > 0) console.log(`the projects are in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(
  failures.length === 0
    ? `consumers: all checks passed (${seconds()})`
    : `consumers: ${failures.length} failed: ${failures.join(', ')} (${seconds()})`,
);
process.exit(failures.length === 0 ? 0 : 1);

/**
 * The exact versions the workspace's package.json files give each dependency (the first found;
 * with commonjs, the CommonJS apps' first).
 */
function workspacePins(commonjs) {
  const pins = new Map();
  const manifests = [join(root, 'package.json')];
  for (const dir of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, dir)).sort()) {
      if (existsSync(join(root, dir, name, 'package.json'))) manifests.push(join(root, dir, name, 'package.json'));
    }
  }
  const parsed = manifests.map((file) => JSON.parse(readFileSync(file, 'utf8')));
  const cjsApps = parsed.filter((manifest) => manifest.private === true && manifest.type !== 'module' && manifest.name !== 'nav-auth');
  for (const manifest of commonjs ? [...cjsApps, ...parsed] : parsed) {
    for (const deps of [manifest.dependencies, manifest.devDependencies]) {
      for (const [name, version] of Object.entries(deps ?? {})) {
        if (/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version) && !pins.has(name)) pins.set(name, version);
      }
    }
  }
  return pins;
}

/**
 * Declarations for third-party packages whose own declarations need them under skipLibCheck:
 * false (ioredis' declarations import redis-errors, which ships no types).
 */
function thirdPartyStandIns() {
  return { 'third-party.d.ts': "declare module 'redis-errors';\n" };
}

/** A type-only vitest: just what the examples use, in CommonJS and ESM. */
function vitestStandIn() {
  const types = `type Hook = () => unknown;
export declare function it(name: string, test: () => unknown, timeout?: number): void;
export declare const test: typeof it;
export declare function describe(name: string, suite: () => void): void;
export declare function beforeAll(hook: Hook, timeout?: number): void;
export declare function afterAll(hook: Hook, timeout?: number): void;
export declare function beforeEach(hook: Hook, timeout?: number): void;
export declare function afterEach(hook: Hook, timeout?: number): void;
interface Matchers { toBe(expected: unknown): void; toEqual(expected: unknown): void; toBeDefined(): void; toMatch(expected: string | RegExp): void; readonly not: Matchers; readonly resolves: Matchers; readonly rejects: Matchers; }
export declare function expect(actual: unknown): Matchers;
`;
  return {
    'package.json': JSON.stringify({ name: 'vitest', version: '0.0.0-stand-in', types: './index.d.ts', main: './index.js' }),
    'index.d.ts': types,
    'index.js': '',
  };
}

/**
 * A CommonJS module cannot await at its top level: the module's statements (but imports, type
 * declarations and ambient declarations) go into an async function, their exports dropped.
 */
function wrapTopLevelAwait(code, name) {
  const source = ts.createSourceFile(name, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const awaits = (node) => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) return true;
    return ts.forEachChild(node, awaits) === true;
  };
  if (!source.statements.some(awaits)) return code;
  const hoisted = [];
  const body = [];
  for (const statement of source.statements) {
    const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
    const keep =
      ts.isImportDeclaration(statement) ||
      ts.isImportEqualsDeclaration(statement) ||
      ts.isExportDeclaration(statement) ||
      ts.isExportAssignment(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.DeclareKeyword);
    const text = code.slice(statement.getFullStart(), statement.getEnd());
    if (keep) {
      hoisted.push(text);
      continue;
    }
    const exported = modifiers.find((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    body.push(
      exported === undefined
        ? text
        : code.slice(statement.getFullStart(), exported.getStart(source)) +
            code.slice(exported.getEnd(), statement.getEnd()).replace(/^\s+/, ''),
    );
  }
  return `${hoisted.join('')}\n\n// CommonJS: no top-level await.\nexport async function example(): Promise<void> {${body.join('').replace(/\n/g, '\n  ')}\n}\n`;
}
