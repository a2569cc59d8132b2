// @nav-auth/nestjs/testing in the test a NestJS team writes: Test.createTestingModule on the
// app's own module (which reads the NAIS environment), pointed at the local IdP in one line,
// then real HTTP with tokens for the app.
import 'reflect-metadata';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { Controller, Get, type INestApplication, Inject, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthPrincipal,
  NavAuthModule,
  type NavAuthPrincipal,
  NavIdent,
  Pid,
  Public,
  RequireRoles,
  RequireScopes,
  TokenXTokenService,
  UseIssuer,
} from '../src/index.js';
import { localIdpAuth } from '../src/testing.js';

@Controller()
class AppController {
  constructor(@Inject(TokenXTokenService) private readonly tokenx: TokenXTokenService) {}

  @Get('citizen')
  @UseIssuer('idporten', 'tokenx')
  citizen(@Pid() pid: string, @AuthPrincipal() principal: NavAuthPrincipal) {
    return { pid, issuer: principal.issuer };
  }

  @Get('citizen/onward')
  @UseIssuer('idporten')
  async onward() {
    const { token } = await this.tokenx.exchange('dev-gcp:team:downstream');
    return { aud: JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).aud };
  }

  @Get('me')
  @RequireScopes('defaultaccess')
  me(@NavIdent() navIdent: string) {
    return { navIdent };
  }

  @Get('batch')
  @RequireRoles('batch.run')
  batch() {
    return { ran: true };
  }

  @Get('partner')
  @UseIssuer('maskinporten')
  @RequireScopes('nav:team:partner.read')
  partner() {
    return { partner: true };
  }

  @Get('health')
  @Public()
  health() {
    return 'ok';
  }
}

/** The app as it ships: configuration from the NAIS environment, which this test process does not have. */
@Module({ imports: [NavAuthModule.forRoot({ defaultIssuer: 'azure', requestContext: true })], controllers: [AppController] })
class AppModule {}

let idp: LocalIdp;
let app: INestApplication;
let url: string;
let auth: Awaited<ReturnType<typeof localIdpAuth>>;

beforeAll(async () => {
  idp = await startLocalIdp();
  // The caller holds the role on the app, as an app registration's permissions do.
  await idp.registerAzureApp({ name: 'dev-gcp:team:batch-caller', roles: { 'dev-gcp:team:my-api': ['batch.run'] } });
  await idp.registerTokenXApp({ name: 'dev-gcp:team:downstream', inbound: ['dev-gcp:team:my-api'] });
  auth = await localIdpAuth(idp, { azure: 'dev-gcp:team:my-api', maskinporten: true, tokenx: 'dev-gcp:team:my-api', idporten: true });
  const moduleRef = await auth.override(Test.createTestingModule({ imports: [AppModule] })).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});
afterAll(async () => {
  await app?.close();
  await idp.close();
});

const get = async (path: string, token?: string) => {
  const response = await fetch(`${url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    body: response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text(),
  };
};

describe('localIdpAuth', () => {
  it('without the override the app fails to start, as it would on a machine without NAIS configuration', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const unconfigured = moduleRef.createNestApplication({ logger: false });
    await expect(unconfigured.init()).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    await unconfigured.close();
  });

  it('a user token for the app passes; no token is 401', async () => {
    expect(await get('/me', await auth.azureUserToken({ navIdent: 'Z990000' }))).toEqual({ status: 200, body: { navIdent: 'Z990000' } });
    expect((await get('/me')).status).toBe(401);
    expect(await get('/health')).toEqual({ status: 200, body: 'ok' });
  });

  it('an app token carries the roles its caller holds on the app', async () => {
    expect(await get('/batch', await auth.azureAppToken('dev-gcp:team:batch-caller'))).toEqual({ status: 200, body: { ran: true } });
    expect((await get('/batch', await auth.azureUserToken())).status).toBe(403);
  });

  it('Maskinporten tokens validate against the local IdP', async () => {
    const token = await auth.maskinportenToken({ consumerOrg: '889640782', scopes: ['nav:team:partner.read'] });
    expect(await get('/partner', token)).toEqual({ status: 200, body: { partner: true } });
    const otherScope = await auth.maskinportenToken({ consumerOrg: '889640782', scopes: ['nav:team:other'] });
    expect((await get('/partner', otherScope)).status).toBe(403);
  });

  it('ID-porten and TokenX tokens for the app validate against the local IdP, and TokenXTokenService exchanges there', async () => {
    expect(await get('/citizen', await auth.idportenToken({ pid: '24048512345' }))).toEqual({
      status: 200,
      body: { pid: '24048512345', issuer: 'idporten' },
    });
    expect(await get('/citizen', await auth.tokenxToken({ clientId: 'dev-gcp:team:frontend', pid: '24048512345' }))).toEqual({
      status: 200,
      body: { pid: '24048512345', issuer: 'tokenx' },
    });
    expect((await get('/citizen', await auth.idportenToken({ acr: 'idporten-loa-substantial' }))).status).toBe(401);
    expect(await get('/citizen/onward', await auth.idportenToken())).toEqual({ status: 200, body: { aud: 'dev-gcp:team:downstream' } });
    expect(auth.env).toMatchObject({ TOKEN_X_CLIENT_ID: 'dev-gcp:team:my-api', IDPORTEN_AUDIENCE: auth.idportenClient?.clientId });
    const azureOnly = await localIdpAuth(idp, { azure: 'dev-gcp:team:azure-only' });
    expect(() => azureOnly.tokenxToken({ clientId: 'dev-gcp:team:frontend' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
    expect(() => azureOnly.idportenToken()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });

  it('exposes the variables NAIS would inject, and refuses to mint for an app it was not given', async () => {
    expect(auth.env).toMatchObject({ AZURE_APP_CLIENT_ID: auth.azureApp?.clientId, MASKINPORTEN_ISSUER: idp.maskinporten.issuer });
    const maskinportenOnly = await localIdpAuth(idp, { maskinporten: true });
    expect(() => maskinportenOnly.azureUserToken()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});
