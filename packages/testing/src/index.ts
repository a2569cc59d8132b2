/**
 * @nav-auth/testing: a strict local identity provider (Maskinporten, Azure AD, a generic
 * authorization server, Altinn and its PDP, ID-porten, TokenX) and a fake Texas (the NAIS token
 * sidecar) in front of it, for tests and demos.
 *
 * @example
 * import { startLocalIdp } from '@nav-auth/testing';
 *
 * const idp = await startLocalIdp();
 * const app = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
 * const token = await idp.mintAzureUserToken({ audience: app.name, navIdent: 'Z990000' });
 * await idp.close();
 *
 * @packageDocumentation
 */

export { PDP_SCOPE } from './altinn/altinn-endpoints.js';
export type { LocalIdpConfig } from './cli.js';
export { runLocalIdpCli } from './cli.js';
export type { JWK } from './keys/jwk.js';
export type {
  IssuerEndpoints,
  LocalIdp,
  LocalIdpEndpoint,
  LocalIdpOptions,
  LocalIssuer,
  MintOptions,
  RegisteredAzureApp,
  RegisteredAzureCertificate,
  RegisteredIdportenClient,
  RegisteredMaskinportenClient,
  RegisteredTokenXApp,
} from './local-idp.js';
export { startLocalIdp } from './local-idp.js';
export { leakedSecrets, secretForms } from './privacy/secret-forms.js';
export type { PdpObligation, PdpPolicy, SystemUserRecord } from './registry.js';
export type { Fault } from './server/faults.js';
export type { RecordedRequest } from './server/http-server.js';
export type { FakeTexas, FakeTexasEndpoint, FakeTexasOptions } from './texas/fake-texas.js';
export { startFakeTexas } from './texas/fake-texas.js';
