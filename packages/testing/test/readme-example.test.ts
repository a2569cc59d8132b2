// The README's example, kept true: a user's suite starts the IdP, registers an app, and tests
// a guarded route. The "user's app" here is a small node:http server that checks Azure AD
// tokens with jose against the environment the IdP handed out.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalIdp, startLocalIdp } from '../src/index.js';

function createApp(env: Readonly<Record<string, string>>): Server {
  const jwks = createRemoteJWKSet(new URL(env.AZURE_OPENID_CONFIG_JWKS_URI as string));
  return createServer(async (req, res) => {
    try {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const { payload } = await jwtVerify(token, jwks, {
        issuer: env.AZURE_OPENID_CONFIG_ISSUER as string,
        audience: env.AZURE_APP_CLIENT_ID as string,
      });
      res.writeHead(200).end(JSON.stringify({ navIdent: payload.NAVident }));
    } catch {
      res.writeHead(401).end();
    }
  });
}

let idp: LocalIdp;
let app: Server;
let url: string;
beforeAll(async () => {
  idp = await startLocalIdp();
  const api = await idp.registerAzureApp({ name: 'dev-gcp:team:my-api' });
  app = createApp(api.env).listen(0, '127.0.0.1');
  await new Promise((resolve) => app.once('listening', resolve));
  url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/me`;
});
afterAll(async () => {
  await idp.close();
  await new Promise((resolve) => app.close(resolve));
});

it('lets a NAV employee in', async () => {
  const token = await idp.mintAzureUserToken({ audience: 'dev-gcp:team:my-api', navIdent: 'Z990000' });
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ navIdent: 'Z990000' });
});

it('keeps out a token signed by a key the IdP never published', async () => {
  const forged = await idp.mintToken('azure', { aud: 'dev-gcp:team:my-api' }, { unpublishedKey: true });
  expect((await fetch(url, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
});
