/**
 * @nav-auth/cli: the `nav-auth` command, also callable in-process.
 *
 * @example
 * ```ts
 * import { runCli } from '@nav-auth/cli';
 *
 * await runCli(['scope', '--product', 'arbeid', '--name', 'some.scope.read'], { out: console.log, err: console.error, env: process.env });
 * ```
 *
 * @packageDocumentation
 */
export type { CliIo } from './cli.js';
export { EXIT, runCli } from './cli.js';
