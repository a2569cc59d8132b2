import type { CliIo } from '../../src/index.js';

/** A CliIo that records what the command prints and the servers it starts, for `stop()` after. */
export function capture(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const servers: Array<() => Promise<void>> = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env, onServer: (close) => servers.push(close) };
  return { io, out, err, stop: () => Promise.all(servers.map((close) => close())) };
}
