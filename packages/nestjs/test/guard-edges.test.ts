import 'reflect-metadata';
import { startLocalIdp } from '@nav-auth/testing';
import type { ExecutionContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { NavAuthGuard, NavAuthRuntime } from '../src/index.js';
import { appModule, azureControllers } from './app.js';

describe('NavAuthGuard outside HTTP', () => {
  it('denies a non-HTTP execution context instead of waving it through', async () => {
    const guard = new NavAuthGuard(new NavAuthRuntime({ azure: false, maskinporten: false, defaultIssuer: 'azure' }));
    const rpc = { getType: () => 'rpc', getHandler: () => () => undefined, getClass: () => class {} } as unknown as ExecutionContext;
    await expect(guard.canActivate(rpc)).rejects.toThrow('a rpc context carries no bearer token');
  });
});

describe('NavAuthModule logging', () => {
  it('never writes a token or personal id to the log, whatever fails', async () => {
    const idp = await startLocalIdp();
    const lines: string[] = [];
    const capture = (...parts: unknown[]) => lines.push(parts.map(String).join(' '));
    const logger: LoggerService = { log: capture, error: capture, warn: capture, debug: capture, verbose: capture, fatal: capture };
    try {
      const api = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
      const app = await NestFactory.create(
        appModule({ env: api.env, maskinporten: false, secretsDirs: { azure: '/nonexistent' } }, azureControllers),
        {
          logger,
        },
      );
      app.useLogger(logger);
      await app.listen(0, '127.0.0.1');
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const tokens = [
        await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z991234', claims: { exp: 1 } }),
        await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z991234', claims: { aud: 'someone-else' } }),
        await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z991234', scopes: ['nope'] }),
      ];
      for (const token of tokens) await fetch(`${url}/azure/me`, { headers: { authorization: `Bearer ${token}` } });
      await app.close();
      const log = lines.join('\n');
      // Refusals say which claim failed and why, at debug.
      expect(log).toMatch(/token refused: exp \w/);
      expect(log).toMatch(/token refused: aud \w/);
      for (const token of tokens) {
        expect(log).not.toContain(token);
        expect(log).not.toContain(token.split('.')[1] as string);
      }
      expect(log).not.toContain('Z991234');
    } finally {
      await idp.close();
    }
  });
});
