import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLocalIdpCli } from '../src/cli.js';

describe('runLocalIdpCli', () => {
  it('starts from a JSON config and prints the env an app needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nav-auth-idp-'));
    const config = join(dir, 'idp.json');
    writeFileSync(
      config,
      JSON.stringify({
        maskinporten: { clients: [{ clientId: 'demo-client', orgno: '889640782', scopes: ['nav:test/api'] }] },
        azure: { apps: [{ name: 'dev-gcp:demo:api', clientId: 'demo-api' }] },
        systemUsers: [{ id: 'a6355a68-86b8-4344-8a81-0248cb461468', systemId: 'demo', customerOrg: '313367002', vendorOrg: '889640782' }],
        subscriptionKey: 'demo-key',
      }),
    );
    const lines: string[] = [];
    const idp = await runLocalIdpCli(['--config', config], (line) => lines.push(line));
    try {
      const env = Object.fromEntries(
        lines
          .filter((l) => l.startsWith('export '))
          .map((l) => {
            const [, name, value] = /^export ([A-Z_]+)='(.*)'$/.exec(l) as RegExpExecArray;
            return [name, (value as string).replaceAll(`'\\''`, "'")];
          }),
      );
      expect(env).toMatchObject({
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

  it('refuses unknown flags', async () => {
    await expect(runLocalIdpCli(['--nope'], () => {})).rejects.toThrow();
  });
});
