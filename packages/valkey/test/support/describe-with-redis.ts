import { describe } from 'vitest';
import { redisServerAvailable } from './redis-server.js';

/**
 * `describe` when redis-server is installed; otherwise, under `CI=true`, an error (CI must run
 * these tests), and elsewhere `describe.skip` with a note on the console.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisServerAvailable) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true')
    throw new Error('redis-server is not installed, and CI=true requires these tests (.ci/run installs Debian redis-server)');
  console.warn(`[@nav-auth/valkey] skipping "${name}": redis-server is not installed (apt-get install redis-server)`);
  describe.skip(name, body);
}
