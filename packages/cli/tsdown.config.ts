import { defineConfig } from 'tsdown';

export default defineConfig([
  { entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, platform: 'node', target: 'node20', sourcemap: true, clean: true },
  { entry: ['src/main.ts'], format: 'esm', dts: false, platform: 'node', target: 'node20', clean: false },
]);
