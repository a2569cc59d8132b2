// pnpm bench (nestjs): a guarded route with a valid, cached token against the same route
// with no guard at all, both served by NestJS on Express and loaded by autocannon, in one run.
import 'reflect-metadata';
import { startLocalIdp } from '@nav-auth/testing';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import autocannon from 'autocannon';
import { NavAuthModule, RequireScopes } from '../src/index.js';

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

const idp = await startLocalIdp();
const api = await idp.registerAzureApp({ name: 'dev-gcp:bench:api' });

@Module({
  imports: [NavAuthModule.forRoot({ env: api.env, maskinporten: false, secretsDirs: { azure: '/nonexistent' }, defaultIssuer: 'azure' })],
  controllers: [GuardedController],
})
class GuardedModule {}

@Module({ controllers: [PlainController] })
class PlainModule {}

const guarded = await NestFactory.create(GuardedModule, { logger: false });
const plain = await NestFactory.create(PlainModule, { logger: false });
await guarded.listen(0, '127.0.0.1');
await plain.listen(0, '127.0.0.1');
const urlOf = async (app: typeof guarded) => `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/hello`;
const token = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000' });
const headers = { authorization: `Bearer ${token}` };

const check = await fetch(await urlOf(guarded), { headers });
if (check.status !== 200) throw new Error(`guarded route answered ${check.status}`);

async function load(url: string): Promise<number> {
  const result = await autocannon({ url, connections: 20, duration: 3, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

// Alternate, so drift in the machine hits both alike; keep the best of each.
let bestGuarded = 0;
let bestPlain = 0;
for (let round = 0; round < 3; round++) {
  bestPlain = Math.max(bestPlain, await load(await urlOf(plain)));
  bestGuarded = Math.max(bestGuarded, await load(await urlOf(guarded)));
}
const ratio = bestGuarded / bestPlain;
console.log(`unguarded ${bestPlain.toFixed(0)} req/s, guarded with a cached valid token ${bestGuarded.toFixed(0)} req/s`);
console.log(`${ratio >= 0.9 ? 'PASS' : 'FAIL'}  guarded route vs the same route unguarded: ${ratio.toFixed(2)}x (target >= 0.90x)`);
await guarded.close();
await plain.close();
await idp.close();
process.exitCode = ratio >= 0.9 ? 0 : 1;
