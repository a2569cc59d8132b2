// What the nestjs benches share: serving a Nest module, one autocannon run in its own process
// (load.mjs), and the interleaved rounds whose figure is the median of the per-round ratios.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RequireScopes } from '../src/index.js';

/** The route every bench serves, behind NavAuthGuard: a cached valid token with `defaultaccess`. */
@Controller()
export class GuardedController {
  @Get('hello')
  @RequireScopes('defaultaccess')
  hello() {
    return { hello: 'world' };
  }
}

/** The same route with no guard: the baseline. */
@Controller()
export class PlainController {
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

export const rounds = 9;
export const secondsPerRun = 2;
/** As load.mjs opens them. */
export const connections = 20;

export interface Served {
  readonly app: INestApplication;
  readonly url: string;
}

/** `module` served by NestJS on Express in the default configuration; `url` is its `/hello`. */
export async function serve(module: object): Promise<Served> {
  const app = await NestFactory.create(module, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/hello` };
}

/** Throws unless `url` answers 200 to `authorization`. */
export async function expectOk(url: string, authorization: string): Promise<void> {
  const check = await fetch(url, { headers: { authorization } });
  if (check.status !== 200) throw new Error(`${url} answered ${check.status}`);
}

const run = promisify(execFile);
const loader = fileURLToPath(new URL('./load.mjs', import.meta.url));

export interface Sample {
  readonly requestsPerSecond: number;
  /** This process's CPU time per request served: the server's cost, less sensitive to a noisy machine than throughput. */
  readonly cpuMicrosPerRequest: number;
}

export async function load(url: string, authorization: string): Promise<Sample> {
  const before = process.cpuUsage();
  const { stdout } = await run(process.execPath, [loader, url, authorization, String(secondsPerRun)]);
  const cpu = process.cpuUsage(before);
  const { requestsPerSecond } = JSON.parse(stdout) as { requestsPerSecond: number };
  return { requestsPerSecond, cpuMicrosPerRequest: (cpu.user + cpu.system) / (requestsPerSecond * secondsPerRun) };
}

export const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number;

export interface Comparison<Name extends string> {
  /** Median over the rounds of `name`'s throughput over the baseline's in the same round. */
  ratioOf(name: Name): number;
  /** Prints the method and a row per app: median req/s, ratio, median CPU per request. */
  print(): void;
}

/**
 * Loads every app once per round, in an order rotated each round so neither drift nor position
 * favours one; the first app is the baseline the ratios are taken against. `afterRun` runs after
 * each load (outside the measurement), e.g. to flush and empty an exporter.
 */
export async function compare<Name extends string>(
  apps: Readonly<Record<Name, Served>>,
  authorization: string,
  afterRun?: (name: Name) => Promise<void> | void,
): Promise<Comparison<Name>> {
  const names = Object.keys(apps) as Name[];
  const samples = new Map(names.map((name) => [name, [] as Sample[]]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] as Name;
      samples.get(name)?.push(await load(apps[name].url, authorization));
      await afterRun?.(name);
    }
  }
  const runsOf = (name: Name) => samples.get(name) as Sample[];
  const baseline = runsOf(names[0] as Name);
  const ratioOf = (name: Name) =>
    median(runsOf(name).map((sample, round) => sample.requestsPerSecond / (baseline[round] as Sample).requestsPerSecond));
  return {
    ratioOf,
    print() {
      console.log(`${rounds} interleaved rounds of ${secondsPerRun} s, ${connections} connections; medians, ratios taken within a round:`);
      for (const name of names) {
        const rate = median(runsOf(name).map((sample) => sample.requestsPerSecond));
        const cpu = median(runsOf(name).map((sample) => sample.cpuMicrosPerRequest));
        console.log(
          `  ${name.padEnd(36)} ${rate.toFixed(0).padStart(6)} req/s  ${ratioOf(name).toFixed(2)}x  ${cpu.toFixed(0)} µs CPU/request`,
        );
      }
    },
  };
}

/** Prints the PASS/FAIL line and returns whether `ratio` met `target`. */
export function verdict(label: string, ratio: number, target: number): boolean {
  const pass = ratio >= target;
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${label}: ${ratio.toFixed(2)}x (target >= ${target.toFixed(2)}x)`);
  return pass;
}
