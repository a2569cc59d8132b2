// One replica for the multi-process test: connects, says it is ready, and on 'go' races for the
// fetch lock of one key. The winner publishes a token and holds the lock until every replica has
// tried (the next message); every replica then reports the token it reads.
import { createClient } from 'redis';
import { createValkeyTokenStore, fromNodeRedis } from '../../src/index.js';

const { RACE_URL = '', RACE_SECRET = '', RACE_NAMESPACE = '', RACE_KEY = '' } = process.env;
const client = createClient({ url: RACE_URL, disableOfflineQueue: true });
client.on('error', () => {});
await client.connect();
const store = createValkeyTokenStore({
  client: fromNodeRedis(client),
  secret: RACE_SECRET,
  namespace: RACE_NAMESPACE,
  commandTimeoutMs: 1000,
});
const send = (message: object) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));

process.on('message', async (message) => {
  if (message !== 'go') return;
  const lock = await store.tryLock(RACE_KEY, 5000);
  if (lock.state === 'acquired') {
    await store.set(
      RACE_KEY,
      { accessToken: `token-from-${process.pid}`, expiresAt: Date.now() + 60_000, scopes: undefined },
      Date.now() + 55_000,
    );
  }
  await send({ pid: process.pid, state: lock.state });
  // Wait for the others, then read what the winner published.
  process.once('message', async () => {
    if (lock.state === 'acquired') await lock.release();
    const seen = await store.get(RACE_KEY);
    await send({ pid: process.pid, seen: seen?.accessToken });
    await store.close();
    await client.quit();
    process.disconnect();
  });
});
await send({ ready: true });
