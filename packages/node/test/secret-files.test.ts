// NAIS secret files that are not regular files, or too large: a ConfigError naming the file, never a hang or a raw EISDIR.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAzureConfig, loadMaskinportenValidationConfig } from '../src/index.js';

const AZURE_FILES: Record<string, string> = {
  AZURE_APP_CLIENT_ID: 'client-id-from-file',
  AZURE_APP_CLIENT_SECRET: 'secret-from-file',
  AZURE_OPENID_CONFIG_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
  AZURE_OPENID_CONFIG_TOKEN_ENDPOINT: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
  AZURE_OPENID_CONFIG_JWKS_URI: 'https://login.microsoftonline.com/tenant/discovery/v2.0/keys',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nais-secrets-'));
  for (const [name, value] of Object.entries(AZURE_FILES)) writeFileSync(join(dir, name), `${value}\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The error `load` throws, which the test expects to be a ConfigError. */
function configError(load: () => unknown): { code?: string; message: string; problems: { variable: string; reason: string }[] } {
  try {
    load();
  } catch (error) {
    return error as ReturnType<typeof configError>;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

/** Asserts a ConfigError that names `variable` and its file `path`, and returns it. */
function expectRefused(load: () => unknown, variable: string, path: string, reason: RegExp) {
  const error = configError(load);
  expect(error.code).toBe('ERR_CONFIG');
  expect(error.message).toContain(path);
  expect(error.message).not.toMatch(/EISDIR|ENXIO|EAGAIN/);
  const problem = error.problems.find((p) => p.variable === variable);
  expect(problem?.reason).toContain(path);
  expect(problem?.reason).toMatch(reason);
  // A refused file is not reported a second time as missing.
  expect(error.problems.filter((p) => p.variable === variable)).toHaveLength(1);
  return error;
}

const azure = () => loadAzureConfig({ env: {}, secretsDir: dir });

describe('loadAzureConfig with NAIS secret files', () => {
  it('reads a folder of regular files', () => {
    expect(azure()).toMatchObject({ clientId: 'client-id-from-file', issuer: AZURE_FILES.AZURE_OPENID_CONFIG_ISSUER });
  });

  it('refuses a secret file that is a directory, naming the file (never a raw EISDIR)', () => {
    const path = join(dir, 'AZURE_APP_CLIENT_ID');
    rmSync(path);
    mkdirSync(path);
    expectRefused(azure, 'AZURE_APP_CLIENT_ID', path, /is a directory, not a regular file/);
  });

  it('refuses a FIFO without blocking on it', (ctx) => {
    if (!hasMkfifo) ctx.skip('mkfifo is not available here, so the FIFO case is not tested');
    const path = join(dir, 'AZURE_APP_CLIENT_SECRET');
    rmSync(path);
    execFileSync('mkfifo', [path]);
    // A writer that closes after 3 s: should the loader ever read the FIFO, this test fails
    // on time and content instead of hanging the run forever.
    const writer = spawn('sh', ['-c', 'sleep 3 > "$1"', 'sh', path], { stdio: 'ignore' });
    try {
      const started = performance.now();
      expectRefused(azure, 'AZURE_APP_CLIENT_SECRET', path, /is a FIFO, not a regular file/);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      writer.kill();
    }
  });

  it('refuses a device behind a symlink named like a secret (/dev/zero), without reading it', (ctx) => {
    if (!existsSync('/dev/zero')) ctx.skip('/dev/zero does not exist here');
    const path = join(dir, 'AZURE_APP_CLIENT_SECRET');
    rmSync(path);
    symlinkSync('/dev/zero', path);
    expectRefused(azure, 'AZURE_APP_CLIENT_SECRET', path, /is a device, not a regular file/);
  });

  it('refuses a file of 64 KiB + 1 bytes without putting its content in the error, and reads one of exactly 64 KiB', () => {
    const path = join(dir, 'AZURE_APP_CLIENT_SECRET');
    const marker = 'secret-content-marker';
    writeFileSync(path, marker.padEnd(64 * 1024 + 1, 'x'));
    const error = expectRefused(azure, 'AZURE_APP_CLIENT_SECRET', path, /is larger than 65536 bytes/);
    expect(JSON.stringify({ message: error.message, problems: error.problems })).not.toContain(marker);
    writeFileSync(path, marker.padEnd(64 * 1024, 'x'));
    expect(azure().clientSecret).toHaveLength(64 * 1024);
  });

  it('follows the ..data symlinks of a Kubernetes secret volume to regular files', () => {
    const volume = mkdtempSync(join(tmpdir(), 'nais-volume-'));
    try {
      const version = '..2025_01_01_00_00_00.000000001';
      mkdirSync(join(volume, version));
      for (const [name, value] of Object.entries(AZURE_FILES)) {
        writeFileSync(join(volume, version, name), value);
        symlinkSync(join('..data', name), join(volume, name));
      }
      symlinkSync(version, join(volume, '..data'));
      expect(loadAzureConfig({ env: {}, secretsDir: volume })).toMatchObject({
        clientId: 'client-id-from-file',
        jwksUri: AZURE_FILES.AZURE_OPENID_CONFIG_JWKS_URI,
      });
    } finally {
      rmSync(volume, { recursive: true, force: true });
    }
  });

  it('names every refused file and every missing variable in one ConfigError', () => {
    const id = join(dir, 'AZURE_APP_CLIENT_ID');
    rmSync(id);
    mkdirSync(id);
    const issuer = join(dir, 'AZURE_OPENID_CONFIG_ISSUER');
    writeFileSync(issuer, 'x'.repeat(64 * 1024 + 1));
    rmSync(join(dir, 'AZURE_OPENID_CONFIG_JWKS_URI'));
    const error = expectRefused(azure, 'AZURE_APP_CLIENT_ID', id, /is a directory/);
    expect(error.message).toContain(issuer);
    expect(error.problems.map((p) => p.variable)).toEqual([
      'AZURE_APP_CLIENT_ID',
      'AZURE_OPENID_CONFIG_ISSUER',
      'AZURE_OPENID_CONFIG_JWKS_URI',
    ]);
    expect(error.problems.at(-1)?.reason).toBe('is missing');
  });

  it('leaves a file alone when the environment sets its variable', () => {
    const id = join(dir, 'AZURE_APP_CLIENT_ID');
    rmSync(id);
    mkdirSync(id);
    expect(loadAzureConfig({ env: { AZURE_APP_CLIENT_ID: 'from-env' }, secretsDir: dir }).clientId).toBe('from-env');
  });
});

describe('loadMaskinportenValidationConfig with NAIS secret files', () => {
  it('reads only the issuer and JWKS URI files, not the client key', () => {
    writeFileSync(join(dir, 'MASKINPORTEN_ISSUER'), 'https://maskinporten.no/');
    writeFileSync(join(dir, 'MASKINPORTEN_JWKS_URI'), 'https://maskinporten.no/jwk');
    mkdirSync(join(dir, 'MASKINPORTEN_CLIENT_JWK'));
    expect(loadMaskinportenValidationConfig({ env: {}, secretsDir: dir })).toEqual({
      issuer: 'https://maskinporten.no/',
      jwksUri: 'https://maskinporten.no/jwk',
    });
  });
});
