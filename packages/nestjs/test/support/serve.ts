// Starting a test app: serving it on 127.0.0.1, or catching the ConfigError it fails to start with.
import { isNavAuthError } from '@nav-auth/core';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';

/** Serves `module` on a free port of 127.0.0.1 (Express, or Fastify with `adapter`), logging to `logger` when given. */
export async function serve(
  module: object,
  adapter?: FastifyAdapter,
  logger: LoggerService | false = false,
): Promise<{ app: INestApplication; url: string }> {
  const app: INestApplication =
    adapter === undefined ? await NestFactory.create(module, { logger }) : await NestFactory.create(module, adapter, { logger });
  if (logger !== false) app.useLogger(logger);
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1') };
}

/** The ConfigError a Nest app fails to start with; throws if it starts. */
export async function startupError(module: object) {
  const app = await NestFactory.create(module, { logger: false, abortOnError: false });
  try {
    await app.init();
  } catch (error) {
    if (isNavAuthError(error, 'ERR_CONFIG')) return error;
    throw error;
  } finally {
    await app.close().catch(() => undefined);
  }
  throw new Error('the app started');
}
