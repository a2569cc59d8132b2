import { defineConfig } from 'vitest/config';

// One vitest run over every package and app; each project resolves workspace packages through
// the "@nav-auth/source" export condition (vitest.shared.ts), so tests run against src/.
// The JSON report feeds the "N passed, N failed" line of .ci/run (scripts/test-summary.mjs).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
