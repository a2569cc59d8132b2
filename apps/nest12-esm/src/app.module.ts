import 'reflect-metadata';
import type { MaskinportenClaims, SystemUser as SystemUserClaims } from '@nav-auth/core';
import {
  AppTokenOnly,
  AuthClaims,
  AzureTokenService,
  NavAuthModule,
  type NavAuthModuleOptions,
  NavIdent,
  Public,
  RequireRoles,
  RequireScopes,
  RequireSystemUserAccess,
  SystemUser,
  UseIssuer,
} from '@nav-auth/nestjs';
import { Controller, Get, Inject, Module } from '@nestjs/common';

/** Azure AD: NAV employees (user tokens) and other NAIS apps (app tokens). */
@Controller('internal')
class InternalController {
  constructor(@Inject(AzureTokenService) private readonly azure: AzureTokenService) {}

  @Get('me')
  @RequireScopes('defaultaccess')
  me(@NavIdent() navIdent: string) {
    return { navIdent };
  }

  @Get('batch')
  @AppTokenOnly()
  @RequireRoles('access_as_application')
  batch() {
    return { started: true };
  }

  @Get('profile')
  @RequireScopes('defaultaccess')
  async profile() {
    // On-behalf-of the caller, without passing the token around (requestContext: true).
    const { expiresAt } = await this.azure.onBehalfOf('dev-gcp:team:profile-api');
    return { downstreamTokenValidUntil: expiresAt.toISOString() };
  }
}

/** Maskinporten: external organisations, and Altinn system users checked with the PDP. */
@Controller('external')
@UseIssuer('maskinporten')
class ExternalController {
  @Get('arbeidsforhold')
  @RequireScopes('nav:arbeid:arbeidsforhold.read')
  arbeidsforhold(@AuthClaims() claims: MaskinportenClaims) {
    return { consumer: claims.consumerOrg };
  }

  @Get('krav')
  @RequireScopes('nav:arbeid:arbeidsforhold.read')
  @RequireSystemUserAccess({ resource: 'nav-krav', action: 'read' })
  krav(@SystemUser() systemUser: SystemUserClaims) {
    return { customer: systemUser.customerOrg };
  }

  @Get('health')
  @Public()
  health() {
    return 'ok';
  }
}

/** The app module. On NAIS `forRoot({ pdp })` is enough: everything else comes from the environment. */
export function appModule(options: NavAuthModuleOptions = {}) {
  @Module({
    imports: [NavAuthModule.forRoot({ defaultIssuer: 'azure', ...options, requestContext: true })],
    controllers: [InternalController, ExternalController],
  })
  class AppModule {}
  return AppModule;
}
