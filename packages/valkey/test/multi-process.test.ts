// Replicas as separate Node processes sharing one redis-server: of four processes that race for
// one key's fetch lock at the same moment, exactly one wins, and all read the token it published.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis } from './support/describe-with-redis.js';
import { type RedisServer, startRedisServer, stopRedisServers } from './support/redis-server.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const racer = fileURLToPath(new URL('./support/lock-racer.ts', import.meta.url));

type Message = { ready?: true; pid?: number; state?: string; seen?: string };

describeWithRedis('createValkeyTokenStore across processes', () => {
  let server: RedisServer;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await stopRedisServers(server);
  });

  it('gives the fetch lock to exactly one of 4 processes racing for it', { timeout: 30_000 }, async () => {
    const env = {
      ...process.env,
      RACE_URL: server.url,
      RACE_SECRET: randomBytes(32).toString('base64url'),
      RACE_NAMESPACE: 'race',
      RACE_KEY: 'cc|raced',
    };
    const inbox = new Map<ChildProcess, Message[]>();
    const next = (child: ChildProcess, test: (m: Message) => boolean) =>
      new Promise<Message>((resolve, reject) => {
        const found = inbox.get(child)?.find(test);
        if (found !== undefined) return resolve(found);
        const onMessage = (m: Message) => {
          if (!test(m)) return;
          child.off('message', onMessage);
          resolve(m);
        };
        child.on('message', onMessage);
        child.once('exit', (code) => reject(new Error(`a racer exited with ${code}`)));
      });
    for (let i = 0; i < 4; i++) {
      const child = fork(racer, [], {
        cwd: packageDir,
        env,
        execArgv: ['--conditions=@nav-auth/source', '--import', 'tsx'],
        stdio: 'inherit',
      });
      inbox.set(child, []);
      child.on('message', (m: Message) => inbox.get(child)?.push(m));
      children.push(child);
    }
    await Promise.all(children.map((child) => next(child, (m) => m.ready === true)));
    for (const child of children) child.send('go');
    const results = await Promise.all(children.map((child) => next(child, (m) => m.state !== undefined)));
    const states = results.map((r) => r.state).sort();
    expect(states).toEqual(['acquired', 'held', 'held', 'held']);
    for (const child of children) child.send('read');
    const seen = await Promise.all(children.map((child) => next(child, (m) => m.seen !== undefined)));
    const winner = results.find((r) => r.state === 'acquired')?.pid;
    expect(seen.map((s) => s.seen)).toEqual(Array(4).fill(`token-from-${winner}`));
  });
});
