// Starts real redis-server processes for the integration tests, each on its own free port on
// 127.0.0.1 (never 6379, so a system daemon does not matter), without persistence.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** One redis-server on 127.0.0.1 that a test may pause, kill and start again on the same port. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  /** SIGSTOP: the socket stays open and nothing answers. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after {@link kill}). */
  restart(): Promise<void>;
}

// NAV_AUTH_REDIS_SERVER runs the tests on another build, e.g. valkey-server.
const binary = process.env.NAV_AUTH_REDIS_SERVER ?? 'redis-server';

/** Whether `redis-server` runs here. */
export const redisServerAvailable = spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;

/** Starts a redis-server on a free port and waits until it answers PING. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid;
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    kill: () => stop(child),
    async restart() {
      child = await launch(port);
    },
  };
}

/** Stops every server a test file started (SIGCONT first, so a paused one can exit). */
export async function stopRedisServers(...servers: (RedisServer | undefined)[]): Promise<void> {
  await Promise.all(
    servers.map(async (server) => {
      if (server === undefined) return;
      server.resume();
      await server.kill();
    }),
  );
}

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', ''], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${port}`);
    if (await answersPing(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer PING on port ${port}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
