import { defineProject } from 'vitest/config';

// Workspace packages resolve each other through the "@nav-auth/source" export condition, so
// every test runs against src/ and never a stale dist/. Vite keeps separate condition lists
// for client and server (SSR) resolution, and vitest runs tests as SSR: set both.
const conditions = ['@nav-auth/source', 'module', 'node', 'development|production'];

/** The vitest project config shared by every package and app. */
export function navAuthProject(name: string) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@nav-auth/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    },
  });
}
