import { defineConfig } from 'vitest/config';

// One vitest run over every package and app; each project resolves workspace packages through
// the "@nav-auth/source" export condition (vitest.shared.ts), so tests run against src/.
// The JSON report feeds the "N passed, N failed" line of .ci/run (scripts/test-summary.mjs).
export default defineConfig({
  test: {
    // Folders with a vitest config; apps/nest11-cjs is tested with Jest instead.
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
