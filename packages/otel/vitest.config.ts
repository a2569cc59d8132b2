import { defineProject } from 'vitest/config';

// The shared navAuthProject config, minus its "module" condition: @opentelemetry/api's
// "module" build has extensionless imports that Node's ESM loader refuses.
const conditions = ['@nav-auth/source', 'node', 'development|production'];

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@nav-auth/source'] } },
  test: {
    name: 'otel',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
