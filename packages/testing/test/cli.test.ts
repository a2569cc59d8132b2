import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envFileName, LOCAL_IDP_USAGE, runLocalIdpCli } from '../src/cli.js';
import type { LocalIdp } from '../src/local-idp.js';
import { postForm, signJwt, uuid } from './support/http.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'nav-auth-idp-'));

function writeConfig(config: unknown): string {
  const file = join(tempDir(), 'idp.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The variables of `export NAME='value'` lines, unquoted as a shell would. */
function exportsOf(lines: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    lines
      .filter((l) => l.startsWith('export '))
      .map((l) => {
        const [, name, value] = /^export ([A-Z_]+)='(.*)'$/.exec(l) as RegExpExecArray;
        return [name, (value as string).replaceAll(`'\\''`, "'")];
      }),
  );
}

async function start(argv: readonly string[]): Promise<{ idp: LocalIdp; lines: string[] }> {
  const lines: string[] = [];
  const idp = await runLocalIdpCli(argv, (line) => lines.push(line));
  if (idp === undefined) throw new Error('the CLI did not start an IdP');
  return { idp, lines };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('runLocalIdpCli', () => {
  it('starts from a JSON config and prints the env an app needs', async () => {
    const config = writeConfig({
      maskinporten: { clients: [{ clientId: 'demo-client', orgno: '889640782', scopes: ['nav:test/api'] }] },
      azure: { apps: [{ name: 'dev-gcp:demo:api', clientId: 'demo-api' }] },
      systemUsers: [{ id: 'a6355a68-86b8-4344-8a81-0248cb461468', systemId: 'demo', customerOrg: '313367002', vendorOrg: '889640782' }],
      subscriptionKey: 'demo-key',
    });
    const { idp, lines } = await start(['--config', config]);
    try {
      const env = exportsOf(lines);
      expect(env).toMatchObject({
        NAV_AUTH_IDP_URL: idp.url,
        MASKINPORTEN_CLIENT_ID: 'demo-client',
        MASKINPORTEN_ISSUER: idp.maskinporten.issuer,
        MASKINPORTEN_TOKEN_ENDPOINT: idp.maskinporten.tokenEndpoint,
        AZURE_APP_CLIENT_ID: 'demo-api',
        AZURE_OPENID_CONFIG_ISSUER: idp.azure.issuer,
      });
      expect(JSON.parse(env.MASKINPORTEN_CLIENT_JWK as string)).toHaveProperty('d');
      expect(lines.some((l) => l.includes('demo-key'))).toBe(true);
      const discovery = await fetch(env.MASKINPORTEN_WELL_KNOWN_URL as string);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe(env.MASKINPORTEN_ISSUER);
    } finally {
      await idp.close();
    }
  });

  it('registers TokenX apps with their inbound policy and ID-porten clients, and prints their variables', async () => {
    const config = writeConfig({
      tokenx: { apps: [{ name: 'dev-gcp:demo:api', inbound: ['dev-gcp:demo:web'] }, { name: 'dev-gcp:demo:web' }] },
      idporten: { clients: [{ clientId: 'demo-idporten' }] },
    });
    const { idp, lines } = await start(['--config', config]);
    try {
      // The export lines under one title, up to the next comment line.
      const section = (title: string) => {
        const after = lines.slice(lines.indexOf(`# ${title}`) + 1);
        return exportsOf(
          after.slice(
            0,
            after.findIndex((line) => line.startsWith('#')),
          ),
        );
      };
      const web = section('TokenX app dev-gcp:demo:web');
      expect(web).toMatchObject({
        TOKEN_X_CLIENT_ID: 'dev-gcp:demo:web',
        TOKEN_X_ISSUER: idp.tokenx.issuer,
        TOKEN_X_TOKEN_ENDPOINT: idp.tokenx.tokenEndpoint,
        TOKEN_X_WELL_KNOWN_URL: idp.tokenx.wellKnownUrl,
        TOKEN_X_JWKS_URI: idp.tokenx.jwksUri,
      });
      expect(exportsOf(lines)).toMatchObject({ IDPORTEN_AUDIENCE: 'demo-idporten', IDPORTEN_ISSUER: idp.idporten.issuer });
      // The printed key and the configured inbound policy are the ones TokenX holds.
      const [clientId, tokenEndpoint] = [web.TOKEN_X_CLIENT_ID as string, web.TOKEN_X_TOKEN_ENDPOINT as string];
      const exchange = async (audience: string) => {
        const iat = Math.floor(Date.now() / 1000);
        const claims = { iss: clientId, sub: clientId, aud: tokenEndpoint, iat, nbf: iat, exp: iat + 30, jti: uuid() };
        return postForm(tokenEndpoint, {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await signJwt(JSON.parse(web.TOKEN_X_PRIVATE_JWK as string), claims),
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          subject_token: await idp.mintIdportenToken({ audience: 'demo-idporten' }),
          audience,
        });
      };
      expect((await exchange('dev-gcp:demo:api')).status).toBe(200);
      expect((await exchange('dev-gcp:demo:web')).body.error_description).toBe(
        "client 'dev-gcp:demo:web' is not authorized to get token with aud=dev-gcp:demo:web",
      );
    } finally {
      await idp.close();
    }
  });

  it('prints usage for --help, with the options, the config format and an example, and starts nothing', async () => {
    const lines: string[] = [];
    expect(await runLocalIdpCli(['--help'], (line) => lines.push(line))).toBeUndefined();
    expect(lines).toEqual([LOCAL_IDP_USAGE]);
    for (const part of ['Usage: nav-auth-local-idp', '--config', '--port', '--env-dir', 'maskinporten.clients', 'azure.apps']) {
      expect(LOCAL_IDP_USAGE).toContain(part);
    }
    for (const part of ['systemUsers', 'policies', 'delegatedBy', 'tokenLifetimeSeconds', 'subscriptionKey', 'nav-auth idp mint']) {
      expect(LOCAL_IDP_USAGE).toContain(part);
    }
    for (const part of ['tokenx.apps', 'idporten.clients', 'TokenX']) expect(LOCAL_IDP_USAGE).toContain(part);
  });

  it('refuses unknown options, stray arguments and a bad --port with ERR_LOCAL_IDP_USAGE and a clear message', async () => {
    await expect(runLocalIdpCli(['--nope'], () => {})).rejects.toMatchObject({
      code: 'ERR_LOCAL_IDP_USAGE',
      message: "Unknown option '--nope'",
    });
    await expect(runLocalIdpCli(['idp.json'], () => {})).rejects.toMatchObject({ code: 'ERR_LOCAL_IDP_USAGE' });
    await expect(runLocalIdpCli(['--port', '80a'], () => {})).rejects.toMatchObject({
      code: 'ERR_LOCAL_IDP_USAGE',
      message: '--port must be a number from 0 to 65535',
    });
  });

  it('refuses a config with an unknown key or a wrong type, saying where', async () => {
    const typo = writeConfig({ maskinporten: { clients: [{ orgno: '889640782', scopes: ['nav:a'], delegatedby: ['313367002'] }] } });
    await expect(runLocalIdpCli(['--config', typo], () => {})).rejects.toMatchObject({
      code: 'ERR_LOCAL_IDP_CONFIG',
      message: expect.stringContaining('unknown key "delegatedby" in maskinporten.clients[0]'),
    });
    const wrongType = writeConfig({ azure: { apps: [{ name: 'dev-gcp:a:b', inbound: 'dev-gcp:a:c' }] } });
    await expect(runLocalIdpCli(['--config', wrongType], () => {})).rejects.toMatchObject({
      message: expect.stringContaining('azure.apps[0].inbound must be an array of non-empty strings'),
    });
    const tokenxTypo = writeConfig({ tokenx: { apps: [{ name: 'dev-gcp:a:b', inbund: ['dev-gcp:a:c'] }] } });
    await expect(runLocalIdpCli(['--config', tokenxTypo], () => {})).rejects.toMatchObject({
      message: expect.stringContaining('unknown key "inbund" in tokenx.apps[0] (it takes name, inbound)'),
    });
    const idportenType = writeConfig({ idporten: { clients: [{ clientId: 7 }] } });
    await expect(runLocalIdpCli(['--config', idportenType], () => {})).rejects.toMatchObject({
      message: expect.stringContaining('idporten.clients[0].clientId must be a non-empty string'),
    });
    const missing = writeConfig({ systemUsers: [{ systemId: 's', customerOrg: '313367002' }] });
    await expect(runLocalIdpCli(['--config', missing], () => {})).rejects.toMatchObject({
      message: expect.stringContaining('systemUsers[0].vendorOrg is required'),
    });
    await expect(runLocalIdpCli(['--config', join(tempDir(), 'absent.json')], () => {})).rejects.toMatchObject({
      code: 'ERR_LOCAL_IDP_CONFIG',
      message: expect.stringContaining('ENOENT'),
    });
  });

  it('refuses a client the IdP cannot register, saying where, and stops the IdP it started', async () => {
    const port = await freePort();
    const config = writeConfig({ maskinporten: { clients: [{ orgno: '123456789', scopes: ['nav:a'] }] } });
    await expect(runLocalIdpCli(['--config', config, '--port', String(port)], () => {})).rejects.toMatchObject({
      code: 'ERR_LOCAL_IDP_CONFIG',
      message: expect.stringContaining('maskinporten.clients[0]: orgno must be a valid 9-digit organisation number'),
    });
    await expect(fetch(`http://127.0.0.1:${port}/maskinporten/jwk`)).rejects.toThrow();
  });

  it('--env-dir writes one 0600 env file per client and app, so two apps never overwrite each other', async () => {
    const dir = join(tempDir(), '.env.d');
    const config = writeConfig({
      maskinporten: { clients: [{ clientId: 'client-a', orgno: '889640782', scopes: ['nav:test/a'] }] },
      azure: { apps: [{ name: 'dev-gcp:team:api-a' }, { name: 'dev-gcp:team:api-b' }] },
    });
    const { idp, lines } = await start(['--config', config, '--env-dir', dir]);
    try {
      expect(readdirSync(dir).sort()).toEqual(['client-a.env', 'dev-gcp.team.api-a.env', 'dev-gcp.team.api-b.env']);
      const envs = Object.fromEntries(readdirSync(dir).map((file) => [file, exportsOf(readFileSync(join(dir, file), 'utf8').split('\n'))]));
      for (const file of readdirSync(dir)) expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
      const a = envs['dev-gcp.team.api-a.env'] as Record<string, string>;
      const b = envs['dev-gcp.team.api-b.env'] as Record<string, string>;
      expect(a.AZURE_APP_CLIENT_ID).not.toBe(b.AZURE_APP_CLIENT_ID);
      expect(a.AZURE_APP_CLIENT_SECRET).not.toBe(b.AZURE_APP_CLIENT_SECRET);
      expect(a.AZURE_OPENID_CONFIG_ISSUER).toBe(idp.azure.issuer);
      expect(envs['client-a.env']).toMatchObject({ MASKINPORTEN_CLIENT_ID: 'client-a', MASKINPORTEN_SCOPES: 'nav:test/a' });
      // The summary names the files and holds no secret: those stay in the files.
      expect(lines).toContain(`# Azure AD app dev-gcp:team:api-b: ${join(dir, 'dev-gcp.team.api-b.env')}`);
      expect(exportsOf(lines)).toEqual({ NAV_AUTH_IDP_URL: idp.url });
      expect(lines.join('\n')).not.toContain(a.AZURE_APP_CLIENT_SECRET);
    } finally {
      await idp.close();
    }
  });

  it('--env-dir gives an Azure AD app and a TokenX app of the same name one file, as NAIS gives one app both', async () => {
    const dir = join(tempDir(), '.env.d');
    const config = writeConfig({
      azure: { apps: [{ name: 'dev-gcp:team:api', clientId: 'api-client' }] },
      tokenx: { apps: [{ name: 'dev-gcp:team:api' }, { name: 'dev-gcp:team:web' }] },
      idporten: { clients: [{ clientId: 'web-idporten' }] },
    });
    const { idp, lines } = await start(['--config', config, '--env-dir', dir]);
    try {
      expect(readdirSync(dir).sort()).toEqual(['dev-gcp.team.api.env', 'dev-gcp.team.web.env', 'web-idporten.env']);
      const apiFile = readFileSync(join(dir, 'dev-gcp.team.api.env'), 'utf8');
      expect(exportsOf(apiFile.split('\n'))).toMatchObject({ AZURE_APP_CLIENT_ID: 'api-client', TOKEN_X_CLIENT_ID: 'dev-gcp:team:api' });
      expect(apiFile).toMatch(/^# Azure AD app dev-gcp:team:api, from [^\n]*\n(export [^\n]*\n)+# TokenX app dev-gcp:team:api, from /);
      expect(exportsOf(readFileSync(join(dir, 'web-idporten.env'), 'utf8').split('\n'))).toMatchObject({
        IDPORTEN_AUDIENCE: 'web-idporten',
      });
      for (const file of readdirSync(dir)) expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
      expect(lines).toContain(`# TokenX app dev-gcp:team:api: ${join(dir, 'dev-gcp.team.api.env')}`);
      expect(lines).toContain(`# ID-porten client web-idporten: ${join(dir, 'web-idporten.env')}`);
    } finally {
      await idp.close();
    }
  });

  it('--env-dir writes files a shell sources safely, whatever the names and values', async () => {
    const dir = tempDir();
    const marker = join(dir, 'sourced-a-command');
    const clientId = `a'\ntouch ${marker}\n'`;
    const config = writeConfig({ maskinporten: { clients: [{ clientId, orgno: '889640782', scopes: ['nav:a'] }] } });
    const { idp } = await start(['--config', config, '--env-dir', dir]);
    try {
      const [file] = readdirSync(dir).filter((name) => name.endsWith('.env'));
      expect(file).toMatch(/^[A-Za-z0-9._-]+\.env$/);
      const sourced = execFileSync('sh', ['-c', '. "$1" && printf %s "$MASKINPORTEN_CLIENT_ID"', 'sh', join(dir, file as string)], {
        encoding: 'utf8',
      });
      expect(sourced).toBe(clientId);
      expect(existsSync(marker)).toBe(false);
    } finally {
      await idp.close();
    }
  });

  it('--env-dir refuses two names that would share a file, before anything listens', async () => {
    const config = writeConfig({
      maskinporten: { clients: [{ clientId: 'dev-gcp.team.api', orgno: '889640782', scopes: ['nav:a'] }] },
      azure: { apps: [{ name: 'dev-gcp:team:api' }] },
    });
    await expect(runLocalIdpCli(['--config', config, '--env-dir', tempDir()], () => {})).rejects.toMatchObject({
      code: 'ERR_LOCAL_IDP_CONFIG',
      message: 'Maskinporten client dev-gcp.team.api and Azure AD app dev-gcp:team:api would share the env file dev-gcp.team.api.env',
    });
    const twice = writeConfig({ tokenx: { apps: [{ name: 'dev-gcp:team:api' }, { name: 'dev-gcp:team:api' }] } });
    await expect(runLocalIdpCli(['--config', twice, '--env-dir', tempDir()], () => {})).rejects.toMatchObject({
      message: 'TokenX app dev-gcp:team:api and TokenX app dev-gcp:team:api would share the env file dev-gcp.team.api.env',
    });
    const idporten = writeConfig({
      tokenx: { apps: [{ name: 'dev-gcp:team:api' }] },
      idporten: { clients: [{ clientId: 'dev-gcp.team.api' }] },
    });
    await expect(runLocalIdpCli(['--config', idporten, '--env-dir', tempDir()], () => {})).rejects.toMatchObject({
      message: 'TokenX app dev-gcp:team:api and ID-porten client dev-gcp.team.api would share the env file dev-gcp.team.api.env',
    });
  });
});

describe('envFileName', () => {
  it('keeps every name inside the directory', () => {
    expect(envFileName('dev-gcp:team:my-api')).toBe('dev-gcp.team.my-api.env');
    expect(envFileName('a6355a68-86b8-4344-8a81-0248cb461468')).toBe('a6355a68-86b8-4344-8a81-0248cb461468.env');
    expect(envFileName('../etc/passwd')).toBe('_._etc_passwd.env');
    expect(envFileName('.hidden')).toBe('_hidden.env');
  });
});
