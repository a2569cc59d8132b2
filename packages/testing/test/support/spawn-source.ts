// Runs a command's TypeScript entry (src/bin.ts, src/main.ts) in a real child `node` process,
// with no build: run-ts.mjs transpiles the sources and the workspace packages resolve to src/.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN_TS = fileURLToPath(new URL('./run-ts.mjs', import.meta.url));

/** The source of the nav-auth-local-idp command, for tests in any package. */
export const LOCAL_IDP_BIN = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  /** Everything written to standard output so far. */
  readonly stdout: () => string;
  /** Resolves once standard output matches, with the match. */
  readonly waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>;
  readonly finished: Promise<Finished>;
  /** Sends SIGTERM (if still running) and waits for the exit. */
  readonly stop: () => Promise<Finished>;
}

/** Starts `entry` with `args` in a child process. */
export function spawnSource(entry: string, args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Running {
  const child = spawn(process.execPath, ['--conditions=@nav-auth/source', '--import', RUN_TS, entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let exited = false;
  const finished = new Promise<Finished>((resolve) => {
    child.once('close', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr });
      for (const wake of waiters.splice(0)) wake();
    });
  });
  const waitFor = async (pattern: RegExp): Promise<RegExpMatchArray> => {
    for (;;) {
      const match = pattern.exec(stdout);
      if (match !== null) return match;
      if (exited) throw new Error(`exited before printing ${pattern}: ${stderr}`);
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return {
    child,
    stdout: () => stdout,
    waitFor,
    finished,
    stop: () => {
      if (!exited) child.kill('SIGTERM');
      return finished;
    },
  };
}

/** Runs `entry` to its end. */
export function runSource(
  entry: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<Finished> {
  return spawnSource(entry, args, env).finished;
}
