import { defineConfig, type UserConfig } from 'tsdown';

/**
 * The build of a published Node package: dual ESM + CommonJS with type declarations. jose is
 * bundled into the CommonJS build where a package imports it: jose is ESM-only, and Jest's
 * CommonJS runtime cannot require() ESM (NestJS teams mostly test CommonJS apps with Jest).
 */
export function nodePackage(
  options: { readonly platform?: 'node' | 'neutral'; readonly entry?: readonly string[]; readonly extra?: readonly UserConfig[] } = {},
) {
  const shared = {
    entry: [...(options.entry ?? ['src/index.ts'])],
    dts: true,
    platform: options.platform ?? 'node',
    target: options.platform === 'neutral' ? 'es2022' : 'node20',
    sourcemap: true,
  } as const;
  return defineConfig([
    { ...shared, format: 'esm', clean: true },
    { ...shared, format: 'cjs', clean: false, noExternal: ['jose'] },
    ...(options.extra ?? []),
  ]);
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
