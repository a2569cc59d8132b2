// The README's terminal workflow and config example, kept true: the JSON block under "The config
// file" is the config this test starts the command with, and the opening shows start, mint, curl.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LocalIdpConfig, runLocalIdpCli } from '../src/index.js';
import { README_BLOCKS as blocks, README as readme, readmeConfig, readmeMintCommands } from './support/readme.js';

describe('packages/testing/README.md', () => {
  it('opens with the terminal workflow: start, mint, curl, before the vitest example', () => {
    const first = blocks[0];
    expect(first?.lang).toBe('sh');
    const steps = [
      'npx nav-auth-local-idp --config idp.json --env-dir .env.d',
      'nav-auth idp mint',
      'curl -H "Authorization: Bearer $TOKEN"',
    ];
    const at = steps.map((step) => first?.body.indexOf(step) ?? -1);
    expect(at.every((index) => index >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(blocks.findIndex((block) => block.lang === 'ts')).toBeGreaterThan(0);
    // packages/cli/test/idp-mint.test.ts runs each of these against this README's config.
    expect(readmeMintCommands().map((args) => args[2])).toEqual(
      expect.arrayContaining(['azure-user', 'azure-app', 'maskinporten', 'idporten', 'tokenx']),
    );
  });

  // Starts the local IdP from the README's config, which generates an RSA key per client: seconds on a busy machine.
  it('documents a complete config example that the command starts with', { timeout: 30_000 }, async () => {
    const config = JSON.parse(readmeConfig()) as Required<LocalIdpConfig>;
    expect(Object.keys(config).sort()).toEqual(
      ['azure', 'idporten', 'maskinporten', 'policies', 'port', 'subscriptionKey', 'systemUsers', 'tokenLifetimeSeconds', 'tokenx'].sort(),
    );
    expect(config.maskinporten.clients?.some((client) => client.delegatedBy !== undefined)).toBe(true);
    const keys = [
      'port',
      'tokenLifetimeSeconds',
      'subscriptionKey',
      'maskinporten.clients[]',
      'azure.apps[]',
      'tokenx.apps[]',
      'idporten.clients[]',
    ];
    for (const key of [...keys, 'systemUsers[]']) {
      expect(readme).toContain(`| \`${key}\` |`);
    }

    const dir = mkdtempSync(join(tmpdir(), 'nav-auth-readme-'));
    const file = join(dir, 'idp.json');
    writeFileSync(file, readmeConfig());
    const envDir = join(dir, '.env.d');
    const lines: string[] = [];
    // --port 0: the example's fixed port may be taken on this machine.
    const idp = await runLocalIdpCli(['--config', file, '--port', '0', '--env-dir', envDir], (line) => lines.push(line));
    try {
      expect(idp).toBeDefined();
      // The opening's `source .env.d/dev-gcp.team.my-api.env` is a file this config writes.
      expect(readme).toContain('source .env.d/dev-gcp.team.my-api.env');
      expect(readdirSync(envDir).sort()).toEqual([
        'dev-gcp.team.my-api.env',
        'dev-gcp.team.my-frontend.env',
        'my-client.env',
        'my-frontend-idporten.env',
      ]);
      // One file per NAIS app: its Azure AD and its TokenX variables, as NAIS injects both.
      const api = readFileSync(join(envDir, 'dev-gcp.team.my-api.env'), 'utf8');
      expect(api).toContain("export AZURE_APP_CLIENT_ID='my-api-client-id'");
      expect(api).toContain("export TOKEN_X_CLIENT_ID='dev-gcp:team:my-api'");
      expect(readFileSync(join(envDir, 'my-frontend-idporten.env'), 'utf8')).toContain("export IDPORTEN_AUDIENCE='my-frontend-idporten'");
      expect(lines.join('\n')).toContain('Ocp-Apim-Subscription-Key: local-pdp-key');
      expect(lines).toContain('# system user a6355a68-86b8-4344-8a81-0248cb461468: customer 313367002, vendor 889640782');
    } finally {
      await idp?.close();
    }
  });
});
