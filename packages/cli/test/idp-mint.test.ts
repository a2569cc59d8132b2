// nav-auth idp mint against a running local IdP started from the testing README's config, over
// real HTTP; the tokens are checked with @nav-auth/node's validators, as a NAIS app would.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAzureTokenValidator, createMaskinportenTokenValidator, createTokenValidator } from '@nav-auth/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeConfig, readmeMintCommands } from '../../testing/test/support/readme.js';
import { runSource, spawnSource } from '../../testing/test/support/spawn-source.js';
import { EXIT, runCli } from '../src/index.js';
import { capture } from './support/capture.js';

const SYSTEM_USER = 'a6355a68-86b8-4344-8a81-0248cb461468';
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The variables of an env file the IdP wrote (`export NAME='value'` lines). */
function envFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        const match = /^export ([A-Z_]+)='(.*)'$/.exec(line);
        return match === null ? [] : [[match[1], (match[2] as string).replaceAll(`'\\''`, "'")]];
      }),
  );
}

let dir: string;
let idpUrl: string;
let stopIdp: () => Promise<unknown>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nav-auth-mint-'));
  writeFileSync(join(dir, 'idp.json'), readmeConfig());
  const idp = capture();
  const code = await runCli(['idp', '--config', join(dir, 'idp.json'), '--port', '0', '--env-dir', join(dir, 'env')], idp.io);
  expect(code, idp.err.join('\n')).toBe(EXIT.ok);
  idpUrl = (/^export NAV_AUTH_IDP_URL='(.*)'$/m.exec(idp.out.join('\n')) as RegExpExecArray)[1] as string;
  stopIdp = idp.stop;
});
afterAll(() => stopIdp());

/** Runs `nav-auth idp mint ...` in-process against the IdP (NAV_AUTH_IDP_URL) and returns what it wrote. */
async function mint(...args: string[]) {
  const run = capture({ NAV_AUTH_IDP_URL: idpUrl });
  const code = await runCli(['idp', 'mint', ...args], run.io);
  return { code, out: run.out.join('\n'), err: run.err.join('\n') };
}

async function token(...args: string[]): Promise<string> {
  const result = await mint(...args);
  expect(result, result.err).toMatchObject({ code: EXIT.ok, err: '' });
  expect(result.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  return result.out;
}

const apiValidator = (kind?: 'app' | 'user') =>
  createAzureTokenValidator({ env: envFile(join(dir, 'env', 'dev-gcp.team.my-api.env')), ...(kind === undefined ? {} : { kind }) });

const maskinportenValidator = (options: { audience?: string; requireSystemUser?: boolean } = {}) =>
  createMaskinportenTokenValidator({ env: envFile(join(dir, 'env', 'my-client.env')), requiredScopes: ['nav:test/api'], ...options });

/** A validator of one issuer's tokens for one audience, from the env file NAIS would give the app. */
const citizenValidator = (file: string, prefix: 'IDPORTEN' | 'TOKEN_X') => {
  const env = envFile(join(dir, 'env', file));
  return createTokenValidator({
    profile: 'generic',
    issuer: env[`${prefix}_ISSUER`] as string,
    jwksUri: env[`${prefix}_JWKS_URI`] as string,
    audience: env[prefix === 'IDPORTEN' ? 'IDPORTEN_AUDIENCE' : 'TOKEN_X_CLIENT_ID'] as string,
    algorithms: ['RS256'],
  });
};

describe('nav-auth idp mint', () => {
  it('azure-user: prints only a token the audience validates, with NAVident, groups and scp', async () => {
    const minted = await token(
      'azure-user',
      '--audience',
      'dev-gcp:team:my-api',
      '--nav-ident',
      'Z990000',
      '--groups',
      'g1,g2',
      '--scp',
      'defaultaccess',
    );
    const claims = await apiValidator('user').validate(minted);
    expect(claims).toMatchObject({ kind: 'user', navIdent: 'Z990000', groups: ['g1', 'g2'], scopes: ['defaultaccess'] });
    expect(claims.audience).toEqual(['my-api-client-id']);
  });

  it('azure-app: an app token with the roles the config grants the caller, or exactly --roles', async () => {
    const granted = await apiValidator('app').validate(
      await token('azure-app', '--caller', 'dev-gcp:team:my-frontend', '--audience', 'dev-gcp:team:my-api'),
    );
    expect(granted).toMatchObject({ kind: 'app', clientName: 'dev-gcp:team:my-frontend', roles: ['access_as_application', 'read'] });
    const asked = await apiValidator('app').validate(
      await token('azure-app', '--caller', 'dev-gcp:team:my-frontend', '--audience', 'my-api-client-id', '--roles', 'read,write'),
    );
    expect(asked.roles).toEqual(['read', 'write']);
  });

  it('maskinporten: for a consumer with an audience, and for a registered system user', async () => {
    const audience = 'https://my-api.example.no';
    const restricted = await maskinportenValidator({ audience }).validate(
      await token('maskinporten', '--scopes', 'nav:test/api', '--consumer-org', '313367002', '--audience', audience),
    );
    expect(restricted).toMatchObject({ consumerOrg: '313367002', scopes: ['nav:test/api'], audience: [audience] });
    const systemUser = await maskinportenValidator({ requireSystemUser: true }).validate(
      await token('maskinporten', '--scopes', 'nav:test/api', '--system-user', SYSTEM_USER),
    );
    expect(systemUser.consumerOrg).toBe('889640782');
    expect(systemUser.systemUser).toMatchObject({ id: SYSTEM_USER });
  });

  it('idporten: a citizen token the ID-porten client validates, with --pid and --acr', async () => {
    const minted = await token(
      'idporten',
      '--audience',
      'my-frontend-idporten',
      '--pid',
      '01819012446',
      '--acr',
      'idporten-loa-substantial',
    );
    const claims = await citizenValidator('my-frontend-idporten.env', 'IDPORTEN').validate(minted);
    expect(claims.payload).toMatchObject({
      pid: '01819012446',
      acr: 'idporten-loa-substantial',
      amr: ['MinID'],
      client_id: 'my-frontend-idporten',
    });
  });

  it('tokenx: a TokenX token the target app validates, from --client-id, with acr as tokendings maps it', async () => {
    const validator = citizenValidator('dev-gcp.team.my-api.env', 'TOKEN_X');
    const level4 = await validator.validate(
      await token('tokenx', '--audience', 'dev-gcp:team:my-api', '--client-id', 'dev-gcp:team:my-frontend'),
    );
    expect(level4.payload).toMatchObject({ client_id: 'dev-gcp:team:my-frontend', acr: 'Level4', pid: '01819012365' });
    const level3 = await validator.validate(
      await token(
        'tokenx',
        '--audience',
        'dev-gcp:team:my-api',
        '--client-id',
        'dev-gcp:team:my-frontend',
        '--acr',
        'idporten-loa-substantial',
      ),
    );
    expect(level3.payload.acr).toBe('Level3');
    await expect(
      validator.validate(
        await token('tokenx', '--audience', 'dev-gcp:team:my-api', '--client-id', 'dev-gcp:team:my-frontend', '--expired'),
      ),
    ).rejects.toMatchObject({ code: 'ERR_CLAIM_VALIDATION', claim: 'exp', reason: 'expired' });
  });

  it('--expired is refused as expired and --unpublished-key as unknown_key', async () => {
    await expect(
      apiValidator().validate(await token('azure-user', '--audience', 'dev-gcp:team:my-api', '--expired')),
    ).rejects.toMatchObject({ code: 'ERR_CLAIM_VALIDATION', claim: 'exp', reason: 'expired' });
    await expect(
      apiValidator().validate(await token('azure-user', '--audience', 'dev-gcp:team:my-api', '--unpublished-key')),
    ).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID', reason: 'unknown_key' });
    await expect(
      maskinportenValidator().validate(await token('maskinporten', '--scopes', 'nav:test/api', '--consumer-org', '313367002', '--expired')),
    ).rejects.toMatchObject({ code: 'ERR_CLAIM_VALIDATION', reason: 'expired' });
    await expect(
      apiValidator().validate(
        await token('azure-app', '--caller', 'dev-gcp:team:my-frontend', '--audience', 'dev-gcp:team:my-api', '--unpublished-key'),
      ),
    ).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID', reason: 'unknown_key' });
  });

  it('--json prints {"token"}', async () => {
    const result = await mint('azure-user', '--audience', 'dev-gcp:team:my-api', '--json');
    expect(JSON.parse(result.out)).toEqual({ token: expect.stringMatching(/^ey/) });
  });

  it('runs every mint command the testing README shows', async () => {
    const commands = readmeMintCommands();
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const args of commands) {
      const run = capture({ NAV_AUTH_IDP_URL: idpUrl });
      expect(await runCli(args, run.io), `${args.join(' ')}: ${run.err.join('\n')}`).toBe(EXIT.ok);
    }
  });

  it('finds the IdP by --idp or NAV_AUTH_IDP_URL, and says what is wrong when it cannot', async () => {
    const byFlag = capture({});
    expect(await runCli(['idp', 'mint', 'azure-user', '--audience', 'dev-gcp:team:my-api', '--idp', idpUrl], byFlag.io)).toBe(EXIT.ok);
    const none = capture({});
    expect(await runCli(['idp', 'mint', 'azure-user', '--audience', 'dev-gcp:team:my-api'], none.io)).toBe(EXIT.usage);
    expect(none.err.join('\n')).toMatch(/no local IdP: pass --idp .* or set NAV_AUTH_IDP_URL[\s\S]*nav-auth idp mint --help/);
    const remote = capture({ NAV_AUTH_IDP_URL: 'https://idp.example.no' });
    expect(await runCli(['idp', 'mint', 'azure-user', '--audience', 'dev-gcp:team:my-api'], remote.io)).toBe(EXIT.usage);
    expect(remote.err.join('\n')).toContain('must be http://127.0.0.1:<port>');
    const closed = capture({});
    expect(await runCli(['idp', 'mint', 'azure-user', '--audience', 'dev-gcp:team:my-api', '--idp', 'http://127.0.0.1:9'], closed.io)).toBe(
      EXIT.failed,
    );
    expect(closed.err.join('\n')).toBe('nav-auth: cannot reach the local IdP at http://127.0.0.1:9 (is nav-auth-local-idp running?)');
  });

  it('refuses missing and unknown flags with exit code 2 and a refused mint with 1, on stderr only and without the values', async () => {
    for (const args of [
      ['azure-user'],
      ['azure-user', '--audience', 'dev-gcp:team:my-api', '--roles', 'read'],
      ['azure-app', '--audience', 'dev-gcp:team:my-api'],
      ['maskinporten', '--scopes', 'nav:test/api'],
      ['maskinporten', '--consumer-org', '313367002'],
      ['entra-user', '--audience', 'dev-gcp:team:my-api'],
      ['azure-user', '--audience', 'dev-gcp:team:my-api', '--groups', 'g1', 'g2'],
      ['idporten', '--pid', '01819012365'],
      ['idporten', '--audience', 'my-frontend-idporten', '--client-id', 'dev-gcp:team:my-frontend'],
      ['tokenx', '--audience', 'dev-gcp:team:my-api'],
    ]) {
      const result = await mint(...args);
      expect(result.code, args.join(' ')).toBe(EXIT.usage);
      expect(result.out).toBe('');
      expect(result.err).toMatch(/^nav-auth: .+\nRun "nav-auth idp mint --help" for usage\.$/);
    }
    const refused = await mint('azure-user', '--audience', 'dev-gcp:team:nobody', '--nav-ident', 'Z990000');
    expect(refused).toMatchObject({
      code: EXIT.failed,
      out: '',
      err: 'nav-auth: the local IdP refused (400): no Azure app dev-gcp:team:nobody is registered',
    });
    const personal = await mint('maskinporten', '--scopes', 'nav:test/api', '--consumer-org', '01019012345');
    expect(personal.code).toBe(EXIT.failed);
    expect(personal.err).not.toContain('01019012345');
    const pid = await mint('idporten', '--audience', 'my-frontend-idporten', '--pid', '0101901234');
    expect(pid).toMatchObject({ code: EXIT.failed, out: '' });
    expect(pid.err).toBe('nav-auth: the local IdP refused (400): "pid" must be 11 digits (a fødselsnummer or d-nummer)');
  });

  it('prints its usage for --help', async () => {
    for (const args of [[], ['--help'], ['azure-user', '--help']]) {
      const result = await mint(...args);
      expect(result.code).toBe(EXIT.ok);
      expect(result.out).toMatch(/^Usage: nav-auth idp mint azure-user --audience/);
      expect(result.out).toContain('--unpublished-key');
      expect(result.out).toContain('nav-auth idp mint idporten --audience');
      expect(result.out).toContain('nav-auth idp mint tokenx --audience');
    }
  });
});

describe('nav-auth idp mint, in real processes', () => {
  it('TOKEN=$(nav-auth idp mint ...) gets just the token; errors go to stderr with a non-zero exit', async () => {
    const env = join(dir, 'env-processes');
    const idp = spawnSource(MAIN, ['idp', '--config', join(dir, 'idp.json'), '--port', '0', '--env-dir', env]);
    try {
      const [, url] = await idp.waitFor(/^export NAV_AUTH_IDP_URL='(http:\/\/127\.0\.0\.1:\d+)'$/m);
      await idp.waitFor(/# Azure AD app dev-gcp:team:my-frontend: /);
      const [ok, refused] = await Promise.all([
        runSource(MAIN, ['idp', 'mint', 'azure-user', '--audience', 'dev-gcp:team:my-api', '--nav-ident', 'Z990000'], {
          NAV_AUTH_IDP_URL: url,
        }),
        runSource(MAIN, ['idp', 'mint', 'azure-user', '--audience', 'dev-gcp:team:nobody'], { NAV_AUTH_IDP_URL: url }),
      ]);
      expect(ok).toMatchObject({ code: 0, stderr: '' });
      expect(ok.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const validator = createAzureTokenValidator({ env: envFile(join(env, 'dev-gcp.team.my-api.env')) });
      expect(await validator.validate(ok.stdout.trim())).toMatchObject({ navIdent: 'Z990000' });
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toBe('nav-auth: the local IdP refused (400): no Azure app dev-gcp:team:nobody is registered\n');
    } finally {
      expect((await idp.stop()).code).toBe(0);
    }
  }, 60_000);
});
