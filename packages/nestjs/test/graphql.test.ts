// GraphQL over HTTP (@nestjs/graphql with Apollo, schema first): the global guard reads the
// bearer token from the GraphQL context's request, and refuses without one.
import 'reflect-metadata';
import { startLocalIdp } from '@nav-auth/testing';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { describe, expect, it } from 'vitest';
import { NavAuthModule, NavIdent, Public, RequireScopes } from '../src/index.js';

class MeResolver {
  me(navIdent: string | undefined) {
    return navIdent ?? 'app';
  }

  health() {
    return 'ok';
  }
}
const method = (name: 'me' | 'health') => Object.getOwnPropertyDescriptor(MeResolver.prototype, name) as PropertyDescriptor;
Query('me')(MeResolver.prototype, 'me', method('me'));
RequireScopes('defaultaccess')(MeResolver.prototype, 'me', method('me'));
NavIdent()(MeResolver.prototype, 'me', 0);
Query('health')(MeResolver.prototype, 'health', method('health'));
Public()(MeResolver.prototype, 'health', method('health'));
Resolver()(MeResolver);

describe('NavAuthModule under GraphQL over HTTP (Apollo)', () => {
  it('a valid token passes with @NavIdent; none is UNAUTHENTICATED with a Bearer challenge; @Public needs none', async () => {
    const idp = await startLocalIdp();
    const api = await idp.registerAzureApp({ name: 'dev-gcp:team:graphql-api' });
    class AppModule {}
    Module({
      imports: [
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, typeDefs: 'type Query { me: String, health: String }' }),
        NavAuthModule.forRoot({
          env: api.env,
          secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' },
          defaultIssuer: 'azure',
        }),
      ],
      providers: [MeResolver],
    })(AppModule);
    const app = await NestFactory.create(AppModule, { logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
      const query = async (q: string, token?: string) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
          body: JSON.stringify({ query: q }),
        });
        return {
          challenge: response.headers.get('www-authenticate'),
          body: (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] },
        };
      };
      const token = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990077' });
      expect((await query('{ me }', token)).body).toEqual({ data: { me: 'Z990077' } });
      const refused = await query('{ me }');
      expect(refused.challenge).toBe('Bearer');
      expect(refused.body.data).toEqual({ me: null });
      expect(refused.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
      expect((await query('{ health }')).body).toEqual({ data: { health: 'ok' } });
    } finally {
      await app.close();
      await idp.close();
    }
  });
});
