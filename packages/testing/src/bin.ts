#!/usr/bin/env node
import { runLocalIdpCli } from './cli.js';

try {
  const idp = await runLocalIdpCli(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
  if (idp !== undefined) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        idp.close().then(() => process.exit(0));
      });
    }
  }
} catch (error) {
  // Exit codes as nav-auth's: 1 it failed (a bad config, a busy port), 2 the command line is wrong.
  const usage = (error as { code?: unknown }).code === 'ERR_LOCAL_IDP_USAGE';
  process.stderr.write(`nav-auth-local-idp: ${(error as Error).message}\n`);
  if (usage) process.stderr.write('Run "nav-auth-local-idp --help" for usage.\n');
  process.exitCode = usage ? 2 : 1;
}
