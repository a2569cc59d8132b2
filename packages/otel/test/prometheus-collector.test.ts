// createPrometheusCollector with prom-client's real Registry, fed by a real Maskinporten client
// and Azure validator against the local IdP.
import { parseAzureConfig, parseMaskinportenConfig } from '@nav-auth/core';
import { createAzureClient, createAzureTokenValidator, createMaskinportenClient } from '@nav-auth/node';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusCollector } from '../src/index.js';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp();
});
afterAll(() => idp.close());

async function runFlows(): Promise<void> {
  const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
  const client = createMaskinportenClient({ config: parseMaskinportenConfig(registered.env) });
  await client.getToken('nav:test/api');
  await client.getToken('nav:test/api');
  await expect(client.getToken('nav:not-granted')).rejects.toMatchObject({ code: 'ERR_TOKEN_ENDPOINT' });
  const api = await idp.registerAzureApp({ name: `dev-gcp:team:prom-${Math.random().toString(36).slice(2)}` });
  const validator = createAzureTokenValidator({ config: parseAzureConfig(api.env) });
  await validator.validate(await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000' }));
  await expect(validator.validate(await idp.mintAzureUserToken({ audience: api.name, claims: { aud: 'x' } }))).rejects.toThrow();
  const caller = await idp.registerAzureApp({ name: `dev-gcp:team:prom-caller-${Math.random().toString(36).slice(2)}` });
  await createAzureClient({ config: parseAzureConfig(caller.env) }).clientCredentials(api.name);
}

describe('createPrometheusCollector', () => {
  it('exposes nav_auth_* metrics with Prometheus names and labels', async () => {
    const register = new Registry();
    const collector = createPrometheusCollector({ register });
    await runFlows();
    const text = await register.metrics();
    collector.stop();

    expect(text).toContain('# TYPE nav_auth_token_requests_total counter');
    expect(text).toContain('nav_auth_token_requests_total{provider="maskinporten",outcome="success"} 1');
    expect(text).toContain('nav_auth_token_requests_total{provider="maskinporten",outcome="error",error_type="ERR_TOKEN_ENDPOINT"} 1');
    expect(text).toContain('# TYPE nav_auth_token_request_duration_seconds histogram');
    expect(text).toMatch(/nav_auth_token_request_duration_seconds_count\{provider="maskinporten",outcome="success"\} 1/);
    expect(text).toContain('nav_auth_cache_lookups_total{provider="maskinporten",result="miss"} 2');
    expect(text).toContain('nav_auth_cache_lookups_total{provider="maskinporten",result="hit"} 1');
    expect(text).toContain('nav_auth_validation_results_total{profile="azure",outcome="valid"} 1');
    expect(text).toMatch(
      /nav_auth_validation_results_total\{profile="azure",outcome="invalid",reason="ERR_CLAIM_VALIDATION:aud:[a-z_]+"\} 1/,
    );
    expect(text).toContain('# TYPE nav_auth_validation_duration_seconds histogram');
    expect(text).toMatch(/nav_auth_jwks_fetches_total\{outcome="success",server_address="127\.0\.0\.1",server_port="\d+"\} 1/);
    expect(text).toContain('# TYPE nav_auth_pdp_decisions_total counter');
    expect(text).toContain('# TYPE nav_auth_pdp_request_duration_seconds histogram');
  });

  it("uses @navikt/oasis' metric names with names: 'oasis'", async () => {
    const register = new Registry();
    const collector = createPrometheusCollector({ register, names: 'oasis' });
    await runFlows();
    const text = await register.metrics();
    collector.stop();

    expect(text).toContain('# TYPE oasis_token_exchange_duration_seconds histogram');
    expect(text).toContain('oasis_token_exchange_duration_seconds_count{provider="maskinporten"} 2');
    expect(text).toContain('oasis_token_exchanges{provider="maskinporten"} 2');
    expect(text).toContain('oasis_token_exchange_failures{provider="maskinporten"} 1');
    expect(text).toContain('oasis_cache_hits_total{provider="maskinporten"} 1');
    expect(text).toContain('oasis_cache_misses_total{provider="maskinporten"} 2');
    // oasis' name for Azure AD, as Texas spells it: dashboards filtering on it keep matching.
    expect(text).toContain('oasis_token_exchanges{provider="azuread"} 1');
    expect(text).not.toContain('provider="azure"');
    expect(text).not.toContain('nav_auth_');
  });

  it('stops counting and unregisters its metrics on stop(), so a new collector can take the names', async () => {
    const register = new Registry();
    const first = createPrometheusCollector({ register });
    first.stop();
    await runFlows();
    expect(await register.metrics()).not.toContain('nav_auth_');
    const second = createPrometheusCollector({ register });
    await runFlows();
    expect(await register.metrics()).toContain('nav_auth_cache_lookups_total{provider="maskinporten",result="hit"} 1');
    second.stop();
  });

  it("registers on prom-client's global register by default", async () => {
    const { register } = await import('prom-client');
    const collector = createPrometheusCollector();
    expect(register.getSingleMetric('nav_auth_token_requests_total')).toBeDefined();
    collector.stop();
    expect(register.getSingleMetric('nav_auth_token_requests_total')).toBeUndefined();
  });
});
