// One replica for the shared-tier bench: a process with its own Maskinporten client on the
// shared Valkey/Redis (or without it), sending `callers` concurrent cold getToken calls for one
// scope when the parent says go, and reporting how many distinct tokens it got.
import { parseMaskinportenConfig } from '@nav-auth/core';
import { createMaskinportenClient } from '@nav-auth/node';
import { createClient } from 'redis';
import { createValkeyTokenStore, fromNodeRedis } from '../src/index.js';

const { env, redisUrl, secret, callers, scope } = JSON.parse(process.argv[2] as string) as {
  env: Record<string, string>;
  redisUrl: string | undefined;
  secret: string;
  callers: number;
  scope: string;
};
const redis = redisUrl === undefined ? undefined : await createClient({ url: redisUrl, disableOfflineQueue: true }).connect();
const store = redis === undefined ? undefined : createValkeyTokenStore({ client: fromNodeRedis(redis), secret });
const client = createMaskinportenClient({ config: parseMaskinportenConfig(env), ...(store === undefined ? {} : { sharedStore: store }) });
process.send?.('ready');
process.once('message', async () => {
  const tokens = await Promise.all(Array.from({ length: callers }, () => client.getToken(scope)));
  process.send?.({ distinct: new Set(tokens.map((t) => t.token)).size });
  await store?.close();
  await redis?.quit();
  process.exit(0);
});
