import { defineConfig } from 'tsdown';

const shared = { entry: ['src/index.ts'], dts: true, platform: 'node', target: 'node20', sourcemap: true } as const;

export default defineConfig([
  { ...shared, format: 'esm', clean: true },
  // jose is ESM-only, and Jest's CommonJS runtime cannot require() ESM: bundle it here.
  { ...shared, format: 'cjs', clean: false, noExternal: ['jose'] },
  { entry: ['src/bin.ts'], format: 'esm', dts: false, platform: 'node', target: 'node20', clean: false },
]);
