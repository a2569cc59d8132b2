// What the shared tier costs per call on a real redis-server over loopback, through node-redis
// and ioredis: a hit (GET + AES-GCM open), a write, a lock taken and released, and a call while
// the circuit is open. One process, sequential calls, a 1.4 KB token.
import { randomBytes } from 'node:crypto';
import { createValkeyTokenStore } from '../src/index.js';
import { ioredis6, nodeRedis6 } from '../test/support/clients.js';
import { redisServerAvailable, startRedisServer } from '../test/support/redis-server.js';

if (!redisServerAvailable) {
  console.log('@nav-auth/valkey bench: skipped, redis-server is not installed');
  process.exit(0);
}

const ROUNDS = 5000;
const accessToken = `eyJhbGciOiJSUzI1NiJ9.${randomBytes(700).toString('base64url')}.${randomBytes(256).toString('base64url')}`;

async function measure(run: () => Promise<unknown>): Promise<{ median: number; p99: number }> {
  for (let i = 0; i < 200; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(ROUNDS / 2)] ?? 0, p99: samples[Math.floor(ROUNDS * 0.99)] ?? 0 };
}

const format = ({ median, p99 }: { median: number; p99: number }) => `median ${median.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`;

const server = await startRedisServer();
try {
  for (const kind of [nodeRedis6, ioredis6]) {
    const client = await kind.connect(server.url);
    const store = createValkeyTokenStore({ client: client.commands, secret: randomBytes(32), namespace: 'bench' });
    const token = { accessToken, expiresAt: Date.now() + 3_600_000, scopes: ['nav:bench/scope'] };
    await store.set('cc|bench', token, token.expiresAt - 60_000);
    const hit = await measure(() => store.get('cc|bench'));
    const write = await measure(() => store.set('cc|bench', token, token.expiresAt - 60_000));
    const lock = await measure(async () => {
      const taken = await store.tryLock('cc|bench-lock', 5000);
      if (taken.state === 'acquired') await taken.release();
    });
    console.log(`${kind.name}: hit ${format(hit)}; write ${format(write)}; lock+release ${format(lock)}`);
    if (store.stats.hits !== ROUNDS + 200) throw new Error('a hit missed');
    await store.close();
    await client.close();
  }
  // While the circuit is open, a call costs the keyed hash and nothing else.
  const client = await nodeRedis6.connect(server.url);
  const store = createValkeyTokenStore({ client: client.commands, secret: randomBytes(32), breaker: { failures: 1, openMs: 3_600_000 } });
  await server.kill();
  await store.get('cc|open');
  const bypass = await measure(() => store.get('cc|open'));
  console.log(`circuit open: get ${format(bypass)} (${store.stats.circuit})`);
  await client.close();
} finally {
  await server.kill();
}
