import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@nav-auth/source'] },
  test: {
    name: 'testing',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
