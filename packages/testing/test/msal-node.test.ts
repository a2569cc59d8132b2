// @azure/msal-node itself against the Azure AD emulator over real https: no patched discovery
// documents, no rewritten URLs, no custom network client. msal runs in a child process started
// with NODE_EXTRA_CA_CERTS (test/support/msal-node-client.mjs), the one way msal-node 7 trusts a CA.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, decodeProtectedHeader, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, type RegisteredAzureApp, startLocalIdp } from '../src/index.js';

type Credential =
  | { readonly secret: string }
  | { readonly assertionJwk: JWK }
  | { readonly certificate: { readonly privateKey: string; readonly thumbprint?: string; readonly thumbprintSha256?: string } };

type Call =
  | { readonly kind: 'clientCredential'; readonly scopes: readonly string[] }
  | { readonly kind: 'onBehalfOf'; readonly oboAssertion: string; readonly scopes: readonly string[] };

type CallResult =
  | { ok: true; accessToken: string; fromCache: boolean; tokenType: string; scopes: string[] }
  | { ok: false; name: string; errorCode: string; errorMessage: string };

interface MsalReport {
  results: CallResult[];
  assertionRequests: { clientId: string; tokenEndpoint: string }[];
  warnings: string[];
}

// Each test starts Node processes that load msal-node: more than vitest's default 5 s on a busy machine.
const CHILD_TIMEOUT_MS = 30_000;
const clientScript = fileURLToPath(new URL('./support/msal-node-client.mjs', import.meta.url));

let idp: LocalIdp;
let caDir: string;
let caFile: string;
let api: RegisteredAzureApp;
let downstream: RegisteredAzureApp;
let other: RegisteredAzureApp;
let secretClient: RegisteredAzureApp;
let assertionClient: RegisteredAzureApp;
let certificateClient: RegisteredAzureApp;

beforeAll(async () => {
  idp = await startLocalIdp({ https: true });
  caDir = await mkdtemp(join(tmpdir(), 'nav-auth-msal-'));
  caFile = join(caDir, 'local-idp-ca.pem');
  await writeFile(caFile, idp.tlsCaPem as string);
  api = await idp.registerAzureApp({ name: 'dev-gcp:team:api' });
  downstream = await idp.registerAzureApp({ name: 'dev-gcp:team:downstream', inbound: ['dev-gcp:team:api'] });
  other = await idp.registerAzureApp({ name: 'dev-gcp:team:other' });
  secretClient = await idp.registerAzureApp({ name: 'dev-gcp:team:secret-client', key: false, roles: { 'dev-gcp:team:api': ['read'] } });
  assertionClient = await idp.registerAzureApp({ name: 'dev-gcp:team:assertion-client', secret: false });
  certificateClient = await idp.registerAzureApp({
    name: 'dev-gcp:team:certificate-client',
    secret: false,
    key: false,
    certificate: true,
    roles: { 'dev-gcp:team:api': ['write'] },
  });
});
afterAll(async () => {
  await idp.close();
  await rm(caDir, { recursive: true, force: true });
});

/** Runs one ConfidentialClientApplication through `calls`, in a fresh Node process. */
function runMsal(
  clientId: string,
  credential: Credential,
  calls: readonly Call[],
  options: { trustCa?: boolean } = {},
): Promise<MsalReport> {
  const plan = {
    clientId,
    // Documented msal-node configuration: the tenant's authority, and its host as a known
    // authority so msal trusts it without asking login.microsoftonline.com (instance discovery).
    authority: idp.azure.authority,
    knownAuthorities: [new URL(idp.url).host],
    credential,
    calls,
  };
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  if (options.trustCa !== false) env.NODE_EXTRA_CA_CERTS = caFile;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [clientScript], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`msal-node client exited with ${code}: ${stderr}`));
      resolve(JSON.parse(stdout) as MsalReport);
    });
    child.stdin.end(JSON.stringify(plan));
  });
}

/** GETs JSON over https, trusting the IdP's CA for this request only (node:https `ca`). */
function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(url, { ca: idp.tlsCaPem }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

/** Verifies an access token like a resource server: signature from the JWKS, issuer, audience, RS256. */
async function verifyAccessToken(token: string, audience: string): Promise<JWTPayload> {
  const jwks = (await getJson(idp.azure.jwksUri)) as { keys: JWK[] };
  return (await jwtVerify(token, createLocalJWKSet(jwks), { issuer: idp.azure.issuer, audience, algorithms: ['RS256'] })).payload;
}

function succeeded(result: CallResult | undefined): Extract<CallResult, { ok: true }> {
  if (result?.ok !== true) throw new Error(`msal-node failed: ${JSON.stringify(result)}`);
  return result;
}

/** The form of the last token request a client sent. */
function lastTokenRequest(clientId: string) {
  const forms = idp.requests.filter((r) => r.endpoint === 'azure.token' && r.form?.client_id === clientId).map((r) => r.form ?? {});
  return forms[forms.length - 1] ?? {};
}

const scope = (app: RegisteredAzureApp) => `api://${app.name.replaceAll(':', '.')}/.default`;

describe('startLocalIdp({ https: true })', () => {
  it('serves https with a certificate for 127.0.0.1 and localhost, issued by the CA on the handle', async () => {
    expect(idp.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = new X509Certificate(idp.tlsCaPem as string);
    expect(ca.ca).toBe(true);
    const peer = await new Promise<X509Certificate>((resolve, reject) => {
      get(idp.azure.wellKnownUrl, { ca: idp.tlsCaPem }, (res) => {
        const certificate = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate();
        res.resume();
        if (certificate === undefined) reject(new Error('no peer certificate'));
        else resolve(certificate);
      }).on('error', reject);
    });
    expect(peer.ca).toBe(false);
    expect(peer.checkIssued(ca)).toBe(true);
    expect(peer.verify(ca.publicKey)).toBe(true);
    expect(peer.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(peer.checkHost('localhost')).toBe('localhost');
    expect(peer.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
  });

  it('is refused by a client that does not trust the CA', async () => {
    const code = await new Promise<string | undefined>((resolve) => {
      get(idp.azure.wellKnownUrl, (res) => {
        res.resume();
        resolve(undefined);
      }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    expect(code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('injects faults over https too: reset drops the TCP connection under the TLS session', async () => {
    idp.injectFault('azure.jwks', { type: 'reset' }, 1);
    const code = await new Promise<string | undefined>((resolve) => {
      get(idp.azure.jwksUri, { ca: idp.tlsCaPem }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    expect(code).toBe('ECONNRESET');
    expect(((await getJson(idp.azure.jwksUri)) as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it('keeps http the default, without a CA', async () => {
    const plain = await startLocalIdp();
    try {
      expect(plain.url).toMatch(/^http:\/\//);
      expect(plain.tlsCaPem).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('msal-node ConfidentialClientApplication: acquireTokenByClientCredential', { timeout: CHILD_TIMEOUT_MS }, () => {
  it('gets an app token with a client secret, and serves the second call from its cache', async () => {
    const call = { kind: 'clientCredential', scopes: [scope(api)] } as const;
    const report = await runMsal(secretClient.clientId, { secret: secretClient.clientSecret as string }, [call, call]);
    const [first, second] = report.results.map(succeeded);
    expect(first?.fromCache).toBe(false);
    expect(second?.fromCache).toBe(true);
    expect(await verifyAccessToken(first?.accessToken as string, api.clientId)).toMatchObject({
      azp: secretClient.clientId,
      azp_name: 'dev-gcp:team:secret-client',
      azpacr: '1',
      idtyp: 'app',
      roles: ['access_as_application', 'read'],
      tid: idp.azure.tenantId,
      ver: '2.0',
    });
    // What msal sent besides the grant: library telemetry Entra ignores, and so does the emulator.
    expect(lastTokenRequest(secretClient.clientId)).toMatchObject({
      grant_type: 'client_credentials',
      scope: scope(api),
      'x-client-SKU': 'msal.js.node',
      'x-client-VER': expect.any(String),
    });
  });

  it('gets an app token with a clientAssertion callback, which msal gives the discovered token endpoint', async () => {
    const report = await runMsal(assertionClient.clientId, { assertionJwk: assertionClient.privateJwk as JWK }, [
      { kind: 'clientCredential', scopes: [scope(api)] },
    ]);
    expect(report.assertionRequests).toEqual([{ clientId: assertionClient.clientId, tokenEndpoint: idp.azure.tokenEndpoint }]);
    const claims = await verifyAccessToken(succeeded(report.results[0]).accessToken, api.clientId);
    expect(claims).toMatchObject({ azp: assertionClient.clientId, azpacr: '2', idtyp: 'app', roles: ['access_as_application'] });
  });

  it('gets an app token with clientCertificate and its SHA-1 thumbprint: RS256 with x5t', async () => {
    const certificate = certificateClient.certificate;
    if (certificate?.privateKeyPem === undefined) throw new Error('no generated certificate');
    const report = await runMsal(
      certificateClient.clientId,
      { certificate: { privateKey: certificate.privateKeyPem, thumbprint: certificate.thumbprint } },
      [{ kind: 'clientCredential', scopes: [scope(api)] }],
    );
    const claims = await verifyAccessToken(succeeded(report.results[0]).accessToken, api.clientId);
    expect(claims).toMatchObject({ azp: certificateClient.clientId, azpacr: '2', roles: ['access_as_application', 'write'] });
    const header = decodeProtectedHeader(lastTokenRequest(certificateClient.clientId).client_assertion as string);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', x5t: Buffer.from(certificate.thumbprint, 'hex').toString('base64url') });
  });

  it('gets app tokens with clientCertificate and thumbprintSha256: PS256 with x5t#S256, one assertion for two resources', async () => {
    const certificate = certificateClient.certificate;
    if (certificate?.privateKeyPem === undefined) throw new Error('no generated certificate');
    const report = await runMsal(
      certificateClient.clientId,
      { certificate: { privateKey: certificate.privateKeyPem, thumbprintSha256: certificate.thumbprintSha256 } },
      [
        { kind: 'clientCredential', scopes: [scope(api)] },
        { kind: 'clientCredential', scopes: [scope(other)] },
      ],
    );
    const [forApi, forOther] = report.results.map(succeeded);
    expect((await verifyAccessToken(forApi?.accessToken as string, api.clientId)).roles).toEqual(['access_as_application', 'write']);
    expect((await verifyAccessToken(forOther?.accessToken as string, other.clientId)).roles).toEqual(['access_as_application']);
    const assertions = idp.requests
      .filter((r) => r.endpoint === 'azure.token' && r.form?.client_id === certificateClient.clientId)
      .slice(-2)
      .map((r) => r.form?.client_assertion);
    // msal-node caches its certificate assertion for 10 minutes: Entra accepts it again, so must the emulator.
    expect(assertions[0]).toBe(assertions[1]);
    expect(decodeProtectedHeader(assertions[0] as string)).toEqual({
      alg: 'PS256',
      typ: 'JWT',
      'x5t#S256': Buffer.from(certificate.thumbprintSha256, 'hex').toString('base64url'),
    });
  });

  it('fails as Entra does: a wrong secret, a certificate the app has not registered, a caller the target has not pre-authorized', async () => {
    const wrongSecret = await runMsal(secretClient.clientId, { secret: 'not-the-secret' }, [
      { kind: 'clientCredential', scopes: [scope(api)] },
    ]);
    expect(wrongSecret.results[0]).toMatchObject({ ok: false, errorCode: 'invalid_client' });

    const certificate = certificateClient.certificate;
    const unregistered = await idp.registerAzureApp({ name: 'dev-gcp:team:unregistered-certificate', certificate: true });
    if (certificate === undefined || unregistered.certificate?.privateKeyPem === undefined) throw new Error('no generated certificate');
    const wrongCertificate = await runMsal(
      certificateClient.clientId,
      { certificate: { privateKey: unregistered.certificate.privateKeyPem, thumbprintSha256: unregistered.certificate.thumbprintSha256 } },
      [{ kind: 'clientCredential', scopes: [scope(api)] }],
    );
    expect(wrongCertificate.results[0]).toMatchObject({
      ok: false,
      errorCode: 'invalid_client',
      errorMessage: expect.stringContaining('AADSTS700027'),
    });

    const notPreAuthorized = await runMsal(secretClient.clientId, { secret: secretClient.clientSecret as string }, [
      { kind: 'clientCredential', scopes: [scope(downstream)] },
    ]);
    expect(notPreAuthorized.results[0]).toMatchObject({
      ok: false,
      errorCode: 'invalid_grant',
      errorMessage: expect.stringContaining('AADSTS501051'),
    });
  });

  it('cannot reach the authority without the CA: TLS is verified, never skipped', async () => {
    const requestsBefore = idp.requests.length;
    const report = await runMsal(
      secretClient.clientId,
      { secret: secretClient.clientSecret as string },
      [{ kind: 'clientCredential', scopes: [scope(api)] }],
      {
        trustCa: false,
      },
    );
    expect(report.results[0]).toMatchObject({ ok: false, errorCode: 'endpoints_resolution_error' });
    // The TLS handshake fails before any HTTP request is read.
    expect(idp.requests.length).toBe(requestsBefore);
  });
});

describe('msal-node ConfidentialClientApplication: acquireTokenOnBehalfOf', { timeout: CHILD_TIMEOUT_MS }, () => {
  it('exchanges a user token for one to the downstream API, with the OIDC scopes msal adds, and caches it', async () => {
    const userToken = await idp.mintAzureUserToken({ audience: api.name, navIdent: 'Z990000', groups: ['g1'], name: 'Ola Nordmann' });
    const call = { kind: 'onBehalfOf', oboAssertion: userToken, scopes: [scope(downstream)] } as const;
    const report = await runMsal(api.clientId, { secret: api.clientSecret as string }, [call, call]);
    const [first, second] = report.results.map(succeeded);
    expect(second?.fromCache).toBe(true);
    // client_info in the answer keys msal's account; without it msal warns "No client info in response".
    expect(report.warnings).toEqual([]);
    const claims = await verifyAccessToken(first?.accessToken as string, downstream.clientId);
    expect(claims).toMatchObject({ azp: api.clientId, NAVident: 'Z990000', groups: ['g1'], name: 'Ola Nordmann', scp: 'defaultaccess' });
    expect(claims.idtyp).toBeUndefined();
    expect(lastTokenRequest(api.clientId)).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      scope: `${scope(downstream)} openid profile offline_access`,
      client_info: '1',
    });
  });

  it('works with a certificate too, and refuses a user token issued to another app', async () => {
    const certificate = certificateClient.certificate;
    if (certificate?.privateKeyPem === undefined) throw new Error('no generated certificate');
    const forCertificateClient = await idp.mintAzureUserToken({ audience: certificateClient.name, navIdent: 'Z990001' });
    const forSomeoneElse = await idp.mintAzureUserToken({ audience: other.name, navIdent: 'Z990001' });
    const report = await runMsal(
      certificateClient.clientId,
      { certificate: { privateKey: certificate.privateKeyPem, thumbprintSha256: certificate.thumbprintSha256 } },
      [
        { kind: 'onBehalfOf', oboAssertion: forCertificateClient, scopes: [scope(api)] },
        { kind: 'onBehalfOf', oboAssertion: forSomeoneElse, scopes: [scope(api)] },
      ],
    );
    const claims = await verifyAccessToken(succeeded(report.results[0]).accessToken, api.clientId);
    expect(claims).toMatchObject({ azp: certificateClient.clientId, azpacr: '2', NAVident: 'Z990001' });
    expect(report.results[1]).toMatchObject({
      ok: false,
      errorCode: 'invalid_grant',
      errorMessage: expect.stringContaining('AADSTS50013'),
    });
  });
});
