// pnpm bench (nestjs): a guarded route with a valid, cached token against the same route with
// no guard at all, and against a guard that only reads the header (what any guard costs in
// Nest), all served by NestJS on Express in the default configuration. The load comes from a
// separate autocannon process; rounds interleave the apps so drift hits each alike, and the figure
// is the median of the per-round ratios. No OTel SDK in this process: bench/otel.ts runs that row.
import 'reflect-metadata';
import { startLocalIdp } from '@nav-auth/testing';
import { type CanActivate, type ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { NavAuthModule } from '../src/index.js';
import { compare, expectOk, GuardedController, PlainController, serve, verdict } from './support.js';

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

const plain = await serve(PlainModule);
const headerOnly = await serve(HeaderOnlyModule);
const guarded = await serve(GuardedModule);
const authorization = `Bearer ${await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000' })}`;
await expectOk(guarded.url, authorization);

const comparison = await compare(
  { unguarded: plain, 'a guard that only reads the header': headerOnly, 'NavAuthGuard, a cached valid token': guarded },
  authorization,
);
comparison.print();
const pass = verdict('guarded route vs the same route unguarded', comparison.ratioOf('NavAuthGuard, a cached valid token'), 0.9);
for (const { app } of [guarded, headerOnly, plain]) await app.close();
await idp.close();
process.exitCode = pass ? 0 : 1;
