// pnpm bench (nestjs): a guarded route with a valid, cached token against the same route with
// no guard at all, and against a guard that only reads the header (what any guard costs in
// Nest), all served by NestJS on Express in the default configuration. The load comes from a
// separate autocannon process; rounds interleave the apps so drift hits each alike, and the figure
// is the median of the per-round ratios.
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalIdp } from '@nav-auth/testing';
import { type CanActivate, Controller, type ExecutionContext, Get, type INestApplication, Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { NavAuthModule, RequireScopes } from '../src/index.js';

const rounds = 9;
const secondsPerRun = 2;

@Controller()
class GuardedController {
  @Get('hello')
  @RequireScopes('defaultaccess')
  hello() {
    return { hello: 'world' };
  }
}

@Controller()
class PlainController {
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

class HeaderOnlyGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    return typeof context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers.authorization === 'string';
  }
}

const idp = await startLocalIdp();
const api = await idp.registerAzureApp({ name: 'dev-gcp:bench:api' });

@Module({
  imports: [NavAuthModule.forRoot({ env: api.env, maskinporten: false, secretsDirs: { azure: '/nonexistent' }, defaultIssuer: 'azure' })],
  controllers: [GuardedController],
})
class GuardedModule {}

@Module({ controllers: [PlainController] })
class PlainModule {}

@Module({ controllers: [PlainController], providers: [{ provide: APP_GUARD, useClass: HeaderOnlyGuard }] })
class HeaderOnlyModule {}

async function serve(module: object): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(module, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/hello` };
}

const plain = await serve(PlainModule);
const headerOnly = await serve(HeaderOnlyModule);
const guarded = await serve(GuardedModule);
const authorization = `Bearer ${await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000' })}`;
const check = await fetch(guarded.url, { headers: { authorization } });
if (check.status !== 200) throw new Error(`guarded route answered ${check.status}`);

const run = promisify(execFile);
const loader = fileURLToPath(new URL('./load.mjs', import.meta.url));
interface Sample {
  readonly requestsPerSecond: number;
  /** This process's CPU time per request served: the server's cost, less sensitive to a noisy machine than throughput. */
  readonly cpuMicrosPerRequest: number;
}
async function load(url: string): Promise<Sample> {
  const before = process.cpuUsage();
  const { stdout } = await run(process.execPath, [loader, url, authorization, String(secondsPerRun)]);
  const cpu = process.cpuUsage(before);
  const { requestsPerSecond } = JSON.parse(stdout) as { requestsPerSecond: number };
  return { requestsPerSecond, cpuMicrosPerRequest: (cpu.user + cpu.system) / (requestsPerSecond * secondsPerRun) };
}
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number;

// Each round runs the three apps in a rotated order, so neither drift nor position favours one.
const apps = { unguarded: plain, 'a guard that only reads the header': headerOnly, 'NavAuthGuard, a cached valid token': guarded };
const names = Object.keys(apps) as (keyof typeof apps)[];
const samples = new Map(names.map((name) => [name, [] as Sample[]]));
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(round + i) % names.length] as keyof typeof apps;
    samples.get(name)?.push(await load(apps[name].url));
  }
}
const baseline = samples.get('unguarded') as Sample[];
const ratioOf = (name: keyof typeof apps) =>
  median((samples.get(name) as Sample[]).map((sample, round) => sample.requestsPerSecond / (baseline[round] as Sample).requestsPerSecond));
console.log(`${rounds} interleaved rounds of ${secondsPerRun} s, 20 connections; medians, ratios taken within a round:`);
for (const name of names) {
  const runs = samples.get(name) as Sample[];
  const rate = median(runs.map((sample) => sample.requestsPerSecond));
  const cpu = median(runs.map((sample) => sample.cpuMicrosPerRequest));
  console.log(`  ${name.padEnd(36)} ${rate.toFixed(0).padStart(6)} req/s  ${ratioOf(name).toFixed(2)}x  ${cpu.toFixed(0)} µs CPU/request`);
}
const ratio = ratioOf('NavAuthGuard, a cached valid token');
console.log(`${ratio >= 0.9 ? 'PASS' : 'FAIL'}  guarded route vs the same route unguarded: ${ratio.toFixed(2)}x (target >= 0.90x)`);
for (const { app } of [guarded, headerOnly, plain]) await app.close();
await idp.close();
process.exitCode = ratio >= 0.9 ? 0 : 1;
