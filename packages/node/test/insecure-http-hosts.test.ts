// The opt-in to plain http for named hosts (a Docker Compose network): explicit, loud, names
// only, and refused on NAIS. The named host is resolved to the local IdP on 127.0.0.1 by the
// client's own dispatcher, so the request really goes to http://nav-auth-idp:PORT.
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyInsecureHttpHosts, createAzureClient, loadAzureConfig } from '../src/index.js';

let idp: LocalIdp;
beforeAll(async () => {
  idp = await startLocalIdp();
});
afterAll(() => idp.close());
// The warnings are captured rather than printed: they are what these tests are about, not a
// problem in the run.
let warnings: Error[] = [];
beforeEach(() => {
  warnings = [];
  vi.spyOn(process, 'emitWarning').mockImplementation((warning, options) => {
    const code = typeof options === 'object' ? options.code : undefined;
    warnings.push(Object.assign(typeof warning === 'string' ? new Error(warning) : warning, { code }));
  });
});
afterEach(() => {
  applyInsecureHttpHosts({});
  vi.restoreAllMocks();
});

/** Resolves every name to 127.0.0.1, as Docker's DNS would resolve a service name to its container. */
const composeDns = new Agent({
  connect: {
    lookup: (_hostname, options, callback) =>
      (options as { all?: boolean }).all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
  },
});

async function composeEnv(extra: Record<string, string>) {
  await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
  const { env } = await idp.registerAzureApp({ name: 'dev-gcp:team:caller' });
  const inCompose = Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, value.replace('http://127.0.0.1:', 'http://nav-auth-idp:')]),
  );
  const { AZURE_APP_JWK: _jwk, ...secretOnly } = inCompose;
  return { ...secretOnly, ...extra };
}

describe('NAV_AUTH_INSECURE_HTTP_HOSTS', () => {
  it('without it, http to a named host is refused at load, naming the variables', async () => {
    const env = await composeEnv({});
    expect(() => loadAzureConfig({ env, secretsDir: '/nonexistent' })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringContaining('AZURE_OPENID_CONFIG_TOKEN_ENDPOINT') }),
    );
  });

  it('with the host named, the client talks plain http to it, and the process is warned', async () => {
    const env = await composeEnv({ NAV_AUTH_INSECURE_HTTP_HOSTS: 'nav-auth-idp' });
    const config = loadAzureConfig({ env, secretsDir: '/nonexistent' });
    expect(config.tokenEndpoint).toMatch(/^http:\/\/nav-auth-idp:/);
    const { token } = await createAzureClient({ config, dispatcher: composeDns }).clientCredentials('dev-gcp:team:api');
    expect(token).toMatch(/^ey/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((warning) => (warning as Error & { code?: string }).code)).toContain('NAV_AUTH_INSECURE_HTTP');
    expect(warnings.find((warning) => (warning as Error & { code?: string }).code === 'NAV_AUTH_INSECURE_HTTP')?.message).toContain(
      'nav-auth-idp',
    );
  });

  it('other hosts stay https-only', async () => {
    const env = await composeEnv({ NAV_AUTH_INSECURE_HTTP_HOSTS: 'mock-oauth2-server' });
    expect(() => loadAzureConfig({ env, secretsDir: '/nonexistent' })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
  });

  it('is refused on NAIS', async () => {
    const env = await composeEnv({ NAV_AUTH_INSECURE_HTTP_HOSTS: 'nav-auth-idp', NAIS_CLUSTER_NAME: 'dev-gcp' });
    expect(() => loadAzureConfig({ env, secretsDir: '/nonexistent' })).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        problems: [{ variable: 'NAV_AUTH_INSECURE_HTTP_HOSTS', reason: expect.stringContaining('refused on NAIS') }],
      }),
    );
  });

  it.each(['10.0.0.5', '*', '*.svc', 'host:8080', 'http://host', '[::2]'])('takes host names only, not %s', (entry) => {
    expect(() => applyInsecureHttpHosts({ NAV_AUTH_INSECURE_HTTP_HOSTS: `nav-auth-idp, ${entry}` })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    );
  });
});
