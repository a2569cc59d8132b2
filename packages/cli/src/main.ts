import { runCli } from './cli.js';

const servers: Array<() => Promise<void>> = [];
const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  onServer: (close) => servers.push(close),
});
if (servers.length > 0) {
  // A server command runs until Ctrl-C.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      Promise.all(servers.map((close) => close())).then(() => process.exit(0));
    });
  }
} else {
  process.exitCode = code;
}
