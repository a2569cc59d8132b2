// A NestJS 11 API in plain CommonJS, as many NAV teams run it. Decorators are applied as
// functions, so this runs on Node without a compile step (and Jest needs no transform).
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NavAuthModule, NavIdent, Public, RequireRoles, RequireScopes, AuthClaims } = require('@nav-auth/nestjs');

class ApiController {
  me(navIdent) {
    return { navIdent };
  }

  jobs(claims) {
    return { caller: claims.clientName };
  }

  health() {
    return 'ok';
  }
}

const method = (name, ...decorators) =>
  Reflect.decorate(decorators, ApiController.prototype, name, Object.getOwnPropertyDescriptor(ApiController.prototype, name));
method('me', Get('me'), RequireScopes('defaultaccess'));
method('jobs', Get('jobs'), RequireRoles('access_as_application'));
method('health', Get('health'), Public());
NavIdent()(ApiController.prototype, 'me', 0);
AuthClaims()(ApiController.prototype, 'jobs', 0);
Reflect.decorate([Controller('api')], ApiController);

/** The app module; `env` is the AZURE_* environment (NAIS injects it; tests pass the local IdP's). */
function appModule(env) {
  class AppModule {}
  Reflect.decorate(
    [Module({ imports: [NavAuthModule.forRoot({ env, maskinporten: false, defaultIssuer: 'azure' })], controllers: [ApiController] })],
    AppModule,
  );
  return AppModule;
}

module.exports = { appModule };
