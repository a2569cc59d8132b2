// The privacy rule: no token, JWT segment, secret or personal id reaches an exported metric,
// a Prometheus scrape, a span or a channel message. Every flow runs for real against the local IdP.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { parseAzureConfig, parseMaskinportenConfig } from '@nav-auth/core';
import {
  createAzureClient,
  createAzureTokenValidator,
  createIdportenTokenValidator,
  createMaskinportenClient,
  NAV_AUTH_CHANNELS,
} from '@nav-auth/node';
import { type LocalIdp, leakedSecrets, secretForms, startLocalIdp } from '@nav-auth/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusCollector, instrumentNavAuth } from '../src/index.js';
import { createTestMeterProvider } from './support/test-metric-reader.js';
import { createTestTracer } from './support/test-tracer.js';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp();
});
afterAll(() => idp.close());

const pid = '01017012345';
const navIdent = 'Z990042';

describe('the privacy rule', () => {
  it('exports no token, JWT segment, secret, pid, NAVident, sub, oid or subject-token hash', async () => {
    const messages: unknown[] = [];
    const capture = (message: unknown) => messages.push(message);
    for (const name of Object.values(NAV_AUTH_CHANNELS)) subscribe(name, capture);
    const otel = createTestMeterProvider();
    const tracer = createTestTracer();
    const instrumentation = instrumentNavAuth({ meterProvider: otel.meterProvider, tracerProvider: tracer.tracerProvider });
    const navAuthRegistry = new Registry();
    const oasisRegistry = new Registry();
    const navAuthCollector = createPrometheusCollector({ register: navAuthRegistry });
    const oasisCollector = createPrometheusCollector({ register: oasisRegistry, names: 'oasis' });

    // A citizen's ID-porten token: accepted, and refused for too low a login level.
    const idporten = idp.registerIdportenClient();
    const audience = idporten.env.IDPORTEN_AUDIENCE ?? '';
    const citizen = createIdportenTokenValidator({ env: idporten.env });
    const citizenToken = await idp.mintIdportenToken({ audience, pid });
    expect((await citizen.validate(citizenToken)).pid).toBe(pid);
    const substantial = await idp.mintIdportenToken({ audience, pid, acr: 'idporten-loa-substantial' });
    await expect(citizen.validate(substantial)).rejects.toMatchObject({ code: 'ERR_CLAIM_VALIDATION' });

    // A NAV employee's Azure token: validated, then exchanged on-behalf-of (twice: a miss, then a hit).
    const api = await idp.registerAzureApp({ name: 'dev-gcp:team:privacy-api' });
    await idp.registerAzureApp({ name: 'dev-gcp:team:privacy-downstream' });
    const employeeToken = await idp.mintAzureUserToken({ audience: api.name, navIdent });
    expect((await createAzureTokenValidator({ config: parseAzureConfig(api.env) }).validate(employeeToken)).navIdent).toBe(navIdent);
    const azure = createAzureClient({ config: parseAzureConfig(api.env) });
    const obo = await azure.onBehalfOf(employeeToken, 'dev-gcp:team:privacy-downstream');
    expect(await azure.onBehalfOf(employeeToken, 'dev-gcp:team:privacy-downstream')).toBe(obo);
    // Client credentials with the client secret rather than the key.
    const { AZURE_APP_JWK: _jwk, ...secretOnly } = api.env;
    const withSecret = await createAzureClient({ config: parseAzureConfig(secretOnly) }).clientCredentials(
      'dev-gcp:team:privacy-downstream',
    );

    // Maskinporten, and a refused scope.
    const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
    const maskinporten = createMaskinportenClient({ config: parseMaskinportenConfig(registered.env) });
    const m2m = await maskinporten.getToken('nav:test/api');
    await expect(maskinporten.getToken('nav:not-granted')).rejects.toMatchObject({ code: 'ERR_TOKEN_ENDPOINT' });

    const spans = tracer.spans().map(({ name, attributes, events, status }) => ({ name, attributes, events, status }));
    const exported = [
      await otel.exported(),
      await navAuthRegistry.metrics(),
      await oasisRegistry.metrics(),
      JSON.stringify(messages),
      JSON.stringify(spans),
    ].join('\n');
    instrumentation.stop();
    navAuthCollector.stop();
    oasisCollector.stop();
    for (const name of Object.values(NAV_AUTH_CHANNELS)) unsubscribe(name, capture);
    await otel.shutdown();
    await tracer.shutdown();

    // The flows did publish (an empty export would pass the grep trivially).
    expect(messages.length).toBeGreaterThan(10);
    expect(exported).toContain('nav_auth.validation.results');
    expect(exported).toContain('ERR_CLAIM_VALIDATION:acr');
    expect(spans.map((span) => span.name)).toEqual(expect.arrayContaining(['nav_auth.token.validate', 'nav_auth.token.exchange', 'POST']));

    const privateKeys = [api.privateJwk, registered.privateJwk].flatMap((jwk) => (jwk === undefined ? [] : [jwk.d, jwk.p, jwk.q]));
    const secrets = [
      pid,
      navIdent,
      citizenToken,
      substantial,
      employeeToken,
      obo.token,
      withSecret.token,
      m2m.token,
      ...idp.issuedTokens,
      api.clientSecret ?? '',
      ...privateKeys.filter((v): v is string => typeof v === 'string'),
    ];
    expect(secretForms(secrets).length).toBeGreaterThan(30);
    // The grep itself works: it finds a citizen token pasted into the export.
    expect(leakedSecrets(`${exported}${citizenToken}`, secrets).length).toBeGreaterThan(3);
    expect(leakedSecrets(exported, secrets)).toEqual([]);
  });
});
