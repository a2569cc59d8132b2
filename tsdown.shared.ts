import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defineConfig, type UserConfig } from 'tsdown';

/**
 * The build of a published Node package: dual ESM + CommonJS with type declarations. Dependencies
 * stay external, so an app's one installed copy is the one that runs (and the one `npm audit`
 * and overrides patch). `cjsBundle` names ESM-only dependencies to bundle into the CommonJS
 * build, because Jest's CommonJS runtime cannot require() ESM (NestJS teams mostly test CommonJS
 * apps with Jest): only @nav-auth/testing needs it, for jose, its independent referee. Each
 * bundled package's version is printed at the top of the CommonJS files.
 */
export function nodePackage(
  options: {
    readonly platform?: 'node' | 'neutral';
    readonly entry?: readonly string[];
    readonly extra?: readonly UserConfig[];
    readonly cjsBundle?: readonly string[];
  } = {},
) {
  const shared = {
    entry: [...(options.entry ?? ['src/index.ts'])],
    // Declaration maps ship beside the declarations (every package's files include src), so
    // go-to-definition in a consumer's editor lands in the shipped TypeScript source.
    dts: { sourcemap: true },
    platform: options.platform ?? 'node',
    target: options.platform === 'neutral' ? 'es2022' : 'node20',
    sourcemap: true,
  } as const;
  const bundled = options.cjsBundle ?? [];
  return defineConfig([
    { ...shared, format: 'esm', clean: true },
    {
      ...shared,
      format: 'cjs',
      clean: false,
      noExternal: [...bundled],
      ...(bundled.length === 0 ? {} : { banner: { js: `/* bundles ${bundled.map(installedVersion).join(', ')} */` } }),
    },
    ...(options.extra ?? []),
  ]);
}

/** `name@version` of the copy of `name` installed for the package being built (the one the lockfile chose). */
function installedVersion(name: string): string {
  const manifest = createRequire(join(process.cwd(), 'package.json')).resolve(`${name}/package.json`);
  return `${name}@${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version}`;
}

/** An ESM-only executable entry (a command's main module), built beside the package. */
export const binEntry = (entry: string): UserConfig => ({
  entry: [entry],
  format: 'esm',
  dts: false,
  platform: 'node',
  target: 'node20',
  clean: false,
});
