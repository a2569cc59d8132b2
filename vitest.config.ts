import { defineConfig } from 'vitest/config';

// One vitest run over every package and app. Each project resolves workspace packages
// through the "@nav-auth/source" export condition, so tests run against src/ without a build.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
