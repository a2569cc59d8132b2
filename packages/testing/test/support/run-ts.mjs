// `node --conditions=@nav-auth/source --import <this file> src/bin.ts`: runs a command from its
// TypeScript source in a real child process, the workspace packages resolved to their src/.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
