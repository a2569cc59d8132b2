import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalIdp } from '@nav-auth/testing';
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../src/index.js';
import { capture } from './support/capture.js';

describe('nav-auth', () => {
  it('prints help for the program and for every command', async () => {
    for (const argv of [
      [],
      ['--help'],
      ['keygen', '--help'],
      ['jwks', 'serve', '--help'],
      ['scope', '--help'],
      ['token', '--help'],
      ['decode', '--help'],
      ['idp', '--help'],
      ['idp', 'mint', '--help'],
    ]) {
      const { io, out } = capture();
      expect(await runCli(argv, io), argv.join(' ')).toBe(EXIT.ok);
      expect(out.join('\n')).toMatch(/Usage|nav-auth/);
    }
  });

  it('refuses unknown commands and flags with exit code 2 and a pointer to --help', async () => {
    const unknown = capture();
    expect(await runCli(['frobnicate'], unknown.io)).toBe(EXIT.usage);
    expect(unknown.err.join('\n')).toMatch(/unknown command "frobnicate"[\s\S]*--help/);
    const flag = capture();
    expect(await runCli(['scope', '--colour'], flag.io)).toBe(EXIT.usage);
    const idpFlag = capture();
    expect(await runCli(['idp', '--colour'], idpFlag.io)).toBe(EXIT.usage);
    expect(idpFlag.err.join('\n')).toMatch(/Unknown option '--colour'[\s\S]*nav-auth idp --help/);
  });

  it('keygen writes a private JWK (mode 0600) and a public JWKS, and jwks serve serves it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nav-auth-cli-'));
    const { io, out } = capture();
    expect(await runCli(['keygen', '--alg', 'ES256', '--kid', 'k1', '--out', dir, '--json'], io)).toBe(EXIT.ok);
    const result = JSON.parse(out[0] as string);
    expect(result).toMatchObject({ alg: 'ES256', kid: 'k1' });
    expect(statSync(result.privateJwk).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(result.privateJwk, 'utf8'))).toHaveProperty('d');
    const jwksText = readFileSync(result.jwks, 'utf8');
    expect(jwksText).not.toContain('"d"');
    const served = capture();
    expect(await runCli(['jwks', 'serve', '--file', result.jwks, '--port', '0', '--json'], served.io)).toBe(EXIT.ok);
    try {
      const { url } = JSON.parse(served.out[0] as string);
      expect(((await (await fetch(url)).json()) as { keys: Array<{ kid: string }> }).keys[0]?.kid).toBe('k1');
    } finally {
      await served.stop();
    }
    expect(await runCli(['keygen', '--alg', 'HS256'], capture().io)).toBe(EXIT.usage);
  });

  it('scope names the scope and says why that separator', async () => {
    const colon = capture();
    await runCli(['scope', '--product', 'arbeid', '--name', 'some.scope.read'], colon.io);
    expect(colon.out.join('\n')).toBe('nav:arbeid:some.scope.read\n  separator ":": the name has no "/"');
    const slash = capture();
    await runCli(['scope', '--product', 'arbeid', '--name', 'some/scope.read', '--json'], slash.io);
    expect(JSON.parse(slash.out[0] as string)).toEqual({
      scope: 'nav:arbeid/some/scope.read',
      separator: '/',
      reason: 'the name contains "/"',
    });
    const legacy = capture();
    await runCli(
      ['scope', '--legacy', '--cluster', 'my-cluster', '--namespace', 'my-ns', '--app', 'my-app', '--subscope', 'my/scope.read', '--json'],
      legacy.io,
    );
    expect(JSON.parse(legacy.out[0] as string)).toEqual({ scope: 'mycluster:myns:myapp.my/scope.read' });
    const bad = capture();
    expect(await runCli(['scope', '--product', 'Arbeid', '--name', 'x'], bad.io)).toBe(EXIT.failed);
    expect(bad.err.join('')).toContain('ERR_SCOPE_NAME');
  });

  it('token gets Maskinporten and Azure AD tokens from the environment', async () => {
    const idp = await startLocalIdp();
    try {
      const client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:test/api'] });
      const mp = capture(client.env);
      expect(await runCli(['token', 'maskinporten', '--scope', 'nav:test/api', '--json'], mp.io)).toBe(EXIT.ok);
      expect(JSON.parse(mp.out[0] as string)).toMatchObject({ scopes: ['nav:test/api'] });
      const caller = await idp.registerAzureApp({ name: 'dev-gcp:team:caller' });
      await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
      const az = capture(caller.env);
      expect(await runCli(['token', 'azure', '--target', 'dev-gcp:team:api'], az.io)).toBe(EXIT.ok);
      expect((az.out[0] as string).split('.')).toHaveLength(3);
      const refused = capture(client.env);
      expect(await runCli(['token', 'maskinporten', '--scope', 'nav:not-granted'], refused.io)).toBe(EXIT.failed);
      expect(refused.err.join('')).toMatch(/ERR_TOKEN_ENDPOINT.*invalid_scope/);
      const missing = capture({});
      expect(await runCli(['token', 'azure', '--target', 'a:b:c', '--secrets-dir', '/nonexistent'], missing.io)).toBe(EXIT.failed);
      expect(missing.err.join('')).toContain('AZURE_APP_CLIENT_ID');
    } finally {
      await idp.close();
    }
  });

  it('decode shows header, claims and times, never the signature, and masks pid', async () => {
    const idp = await startLocalIdp();
    try {
      const token = await idp.mintToken('maskinporten', { scope: 'nav:a', pid: '01019012345' });
      const { io, out } = capture();
      expect(await runCli(['decode', '--json'], io, () => `Bearer ${token}\n`)).toBe(EXIT.ok);
      const decoded = JSON.parse(out[0] as string);
      expect(decoded).toMatchObject({ header: { alg: 'RS256' }, claims: { scope: 'nav:a', pid: '(masked)' }, verified: false });
      expect(decoded.times.exp.relative).toMatch(/^in /);
      expect(out.join('')).not.toContain(token.split('.')[2]);
      expect(out.join('')).not.toContain('01019012345');
      expect(await runCli(['decode', 'not-a-token'], capture().io)).toBe(EXIT.usage);
    } finally {
      await idp.close();
    }
  });

  it('idp starts the local identity provider and prints the variables to export', async () => {
    const { io, out, stop } = capture();
    expect(await runCli(['idp', '--port', '0'], io)).toBe(EXIT.ok);
    try {
      expect(out[0]).toMatch(/local IdP listening on http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      await stop();
    }
  });
});
