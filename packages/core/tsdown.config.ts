import { defineConfig } from 'tsdown';

const shared = { entry: ['src/index.ts'], dts: true, platform: 'neutral', target: 'es2022', sourcemap: true } as const;

export default defineConfig([
  { ...shared, format: 'esm', clean: true },
  // jose is ESM-only. Node 20.19+ can require() it, but Jest's CommonJS runtime cannot, and
  // NestJS teams mostly test CommonJS apps with Jest: the CommonJS build carries its own copy.
  { ...shared, format: 'cjs', clean: false, noExternal: ['jose'] },
]);
