// A NestJS API guarded by nav-auth, for the end-to-end tests and the benchmark.
import 'reflect-metadata';
import type { AzureClaims, MaskinportenClaims, SystemUser as SystemUserClaims } from '@nav-auth/core';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import {
  AppTokenOnly,
  AuthClaims,
  AzureTokenService,
  BearerToken,
  MaskinportenTokenService,
  NavAuthModule,
  type NavAuthModuleOptions,
  NavIdent,
  Public,
  RequireGroups,
  RequireRoles,
  RequireScopes,
  RequireSystemUserAccess,
  SystemUser,
  UseIssuer,
  UserTokenOnly,
} from '../src/index.js';

const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());

@Controller('azure')
class AzureController {
  constructor(@Inject(AzureTokenService) private readonly azure: AzureTokenService) {}

  @Get('me')
  @RequireScopes('defaultaccess')
  me(@NavIdent() navIdent: string | undefined, @AuthClaims() claims: AzureClaims) {
    return { navIdent, kind: claims.kind };
  }

  @Get('app')
  @AppTokenOnly()
  @RequireRoles('read')
  app(@AuthClaims() claims: AzureClaims) {
    return { caller: claims.clientName };
  }

  @Get('user')
  @UserTokenOnly()
  user(@BearerToken() token: string) {
    return { tokenLength: token.length };
  }

  @Get('admins')
  @RequireGroups('g-admins')
  admins() {
    return { ok: true };
  }

  @Get('obo')
  @UserTokenOnly()
  async obo() {
    const { token } = await this.azure.onBehalfOf('dev-gcp:team:downstream');
    return { aud: payloadOf(token).aud, navIdent: payloadOf(token).NAVident };
  }

  @Get('ping')
  plain() {
    return { ok: true };
  }
}

@Controller('maskinporten')
@UseIssuer('maskinporten')
class MaskinportenController {
  constructor(@Inject(MaskinportenTokenService) private readonly maskinporten: MaskinportenTokenService) {}

  @Get('read')
  @RequireScopes('nav:arbeid:read')
  read(@AuthClaims() claims: MaskinportenClaims) {
    return { consumer: claims.consumerOrg };
  }

  @Get('system-user')
  @RequireScopes('nav:arbeid:read')
  @RequireSystemUserAccess({ resource: 'kravogbetaling', action: 'read' })
  systemUser(@SystemUser() systemUser: SystemUserClaims) {
    return { customer: systemUser.customerOrg };
  }

  @Get('system-user-write')
  @RequireScopes('nav:arbeid:read')
  @RequireSystemUserAccess({ resource: 'kravogbetaling', action: 'write' })
  systemUserWrite() {
    return { shouldNeverHappen: true };
  }

  @Get('outbound')
  @Public()
  async outbound() {
    const { token } = await this.maskinporten.getToken('altinn:authorization/authorize');
    return { scope: payloadOf(token).scope };
  }
}

@Controller()
class OpenController {
  @Get('health')
  @Public()
  health() {
    return 'ok';
  }
}

/** The controllers that need Azure AD only. */
export const azureControllers = [AzureController, OpenController];

/** The test app's module, guarded globally by nav-auth (the default). */
export function appModule(options: NavAuthModuleOptions, controllers = [...azureControllers, MaskinportenController]) {
  @Module({
    imports: [NavAuthModule.forRoot({ defaultIssuer: 'azure', ...options, requestContext: true })],
    controllers,
  })
  class AppModule {}
  return AppModule;
}
