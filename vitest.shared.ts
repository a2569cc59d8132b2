import { defineProject } from 'vitest/config';

// Workspace packages resolve each other through the "@nav-auth/source" export condition, so
// every test runs against src/ and never a stale dist/. Vite keeps separate condition lists
// for client and server (SSR) resolution, and vitest runs tests as SSR: set both.
const conditions = ['@nav-auth/source', 'module', 'node', 'development|production'];

/** Options for {@link navAuthProject}. */
export interface NavAuthProjectOptions {
  /**
   * Resolve the "module" export condition (default `true`). Projects that load
   * `@opentelemetry/api` turn it off: its "module" build has extensionless imports that Node's
   * ESM loader refuses.
   */
  readonly moduleCondition?: boolean;
}

/** The vitest project config shared by every package and app. */
export function navAuthProject(name: string, options: NavAuthProjectOptions = {}) {
  const resolved = options.moduleCondition === false ? conditions.filter((condition) => condition !== 'module') : conditions;
  return defineProject({
    resolve: { conditions: resolved },
    ssr: { resolve: { conditions: resolved, externalConditions: ['@nav-auth/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      // A beforeAll that starts the local IdP generates an RSA key per issuer and registration:
      // under a second on an idle machine, more than vitest's 10 s default on a loaded 2-core one.
      hookTimeout: 30_000,
    },
  });
}
