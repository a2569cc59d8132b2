import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMaskinportenConfig } from '@nav-auth/core';
import { startLocalIdp } from '@nav-auth/testing';
import { EnvHttpProxyAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { createMaskinportenClient, defaultDispatcher, loadAzureConfig, loadMaskinportenConfig } from '../src/index.js';

describe('loadMaskinportenConfig and loadAzureConfig', () => {
  it('reads the NAIS secret files, with the environment winning over them', async () => {
    const idp = await startLocalIdp();
    try {
      const client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a'] });
      const dir = mkdtempSync(join(tmpdir(), 'maskinporten-'));
      for (const [name, value] of Object.entries(client.env)) writeFileSync(join(dir, name), `${value}\n`);
      const fromFiles = loadMaskinportenConfig({ env: {}, secretsDir: dir });
      expect(fromFiles).toMatchObject({ clientId: client.clientId, issuer: idp.maskinporten.issuer, scopes: ['nav:a'] });
      const overridden = loadMaskinportenConfig({ env: { MASKINPORTEN_CLIENT_ID: 'from-env' }, secretsDir: dir });
      expect(overridden.clientId).toBe('from-env');
    } finally {
      await idp.close();
    }
  });

  it('names every missing variable when neither environment nor files have them', () => {
    expect(() => loadAzureConfig({ env: {}, secretsDir: join(tmpdir(), 'no-such-dir') })).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        problems: expect.arrayContaining([expect.objectContaining({ variable: 'AZURE_APP_CLIENT_ID' })]),
      }),
    );
  });
});

describe('proxies', () => {
  it('uses undici proxy agent only when a proxy is configured', () => {
    expect(defaultDispatcher({})).toBeUndefined();
    expect(defaultDispatcher({ HTTPS_PROXY: 'http://proxy.local:8088' })).toBeInstanceOf(EnvHttpProxyAgent);
  });

  it('sends token requests through the web proxy, and not for NO_PROXY hosts', async () => {
    // A forward proxy that tunnels with CONNECT, as undici's ProxyAgent asks it to.
    let proxied = 0;
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, clientSocket, head) => {
      proxied++;
      const [host, port] = String(req.url).split(':') as [string, string];
      const upstream = connect(Number(port), host, () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket);
        clientSocket.pipe(upstream);
      });
      upstream.on('error', () => clientSocket.destroy());
      clientSocket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const idp = await startLocalIdp();
    try {
      const client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['nav:a'] });
      const config = parseMaskinportenConfig(client.env);
      const viaProxy = createMaskinportenClient({ config, dispatcher: new EnvHttpProxyAgent({ httpProxy: proxyUrl, noProxy: '' }) });
      await viaProxy.getToken('nav:a');
      expect(proxied).toBe(1);
      const direct = createMaskinportenClient({ config, dispatcher: new EnvHttpProxyAgent({ httpProxy: proxyUrl, noProxy: '127.0.0.1' }) });
      await direct.getToken('nav:a');
      expect(proxied).toBe(1);
    } finally {
      await idp.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
