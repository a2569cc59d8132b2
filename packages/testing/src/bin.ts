#!/usr/bin/env node
import { runLocalIdpCli } from './cli.js';

const idp = await runLocalIdpCli(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    idp.close().then(() => process.exit(0));
  });
}
