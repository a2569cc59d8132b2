// The nav-auth-local-idp command in a real child process: its output, its env files, its mint
// endpoint, its exit codes and a clean stop on SIGTERM.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { LOCAL_IDP_BIN, runSource, spawnSource } from './support/spawn-source.js';

const SPAWN_TIMEOUT = 60_000;

describe('nav-auth-local-idp', () => {
  it(
    'starts from a config, writes env files, serves the mint endpoint and stops on SIGTERM',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nav-auth-bin-'));
      const config = join(dir, 'idp.json');
      writeFileSync(config, JSON.stringify({ azure: { apps: [{ name: 'dev-gcp:team:api', clientId: 'api' }] } }));
      const idp = spawnSource(LOCAL_IDP_BIN, ['--config', config, '--port', '0', '--env-dir', join(dir, 'env')]);
      try {
        const [, url] = await idp.waitFor(/^export NAV_AUTH_IDP_URL='(http:\/\/127\.0\.0\.1:\d+)'$/m);
        await idp.waitFor(/# Azure AD app dev-gcp:team:api: /);
        expect(existsSync(join(dir, 'env', 'dev-gcp.team.api.env'))).toBe(true);
        const response = await fetch(`${url}/_mint/azure-user`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ audience: 'dev-gcp:team:api', navIdent: 'Z990000' }),
        });
        const { token } = (await response.json()) as { token: string };
        expect(decodeJwt(token)).toMatchObject({ aud: 'api', NAVident: 'Z990000' });
      } finally {
        const { code, stderr } = await idp.stop();
        expect(stderr).toBe('');
        expect(code).toBe(0);
      }
    },
    SPAWN_TIMEOUT,
  );

  it(
    'answers --help with usage, refuses an unknown option with exit code 2 and a bad config with 1',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nav-auth-bin-'));
      const config = join(dir, 'idp.json');
      writeFileSync(config, JSON.stringify({ azure: { apps: [{ nmae: 'dev-gcp:team:api' }] } }));
      const [help, unknown, bad] = await Promise.all([
        runSource(LOCAL_IDP_BIN, ['--help']),
        runSource(LOCAL_IDP_BIN, ['--config', config, '--verbose']),
        runSource(LOCAL_IDP_BIN, ['--config', config]),
      ]);
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(/^Usage: nav-auth-local-idp /);
      expect(help.stdout).toContain('--env-dir <dir>');
      expect(unknown).toMatchObject({
        code: 2,
        stdout: '',
        stderr: `nav-auth-local-idp: Unknown option '--verbose'\nRun "nav-auth-local-idp --help" for usage.\n`,
      });
      expect(bad).toMatchObject({ code: 1, stdout: '' });
      expect(bad.stderr).toContain('unknown key "nmae" in azure.apps[0]');
    },
    SPAWN_TIMEOUT,
  );
});
