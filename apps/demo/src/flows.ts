// Every flow of the demo, as one function: src/demo.ts prints it, test/privacy.test.ts runs it
// with OpenTelemetry's in-memory exporters and greps every export for the secrets it returns.
import { exposedScopeName, parseAzureConfig, parseMaskinportenConfig } from '@nav-auth/core';
import { createAzureClient, createMaskinportenClient } from '@nav-auth/node';
import { type LocalIdp, startFakeTexas, startLocalIdp } from '@nav-auth/testing';
import { startAppA, startAppB } from '@nav-auth-apps/citizen-chain/services';
import { appModule } from '@nav-auth-apps/nest12-esm/app';
import { startApiA, startApiB } from '@nav-auth-apps/obo-chain/services';
import { NestFactory } from '@nestjs/core';

/** One request of the demo: what was sent, what came back, what was expected. */
export interface DemoStep {
  readonly name: string;
  readonly request: string;
  readonly expected: number;
  readonly status: number;
  /** The `WWW-Authenticate` challenge of a refusal. */
  readonly challenge: string | undefined;
  /** The answer's body, whole. */
  readonly body: string;
}

/** How the demo reports as it goes. */
export interface DemoOutput {
  /** A line of narration. */
  readonly log: (line: string) => void;
  /** Called before a step runs. */
  readonly stepStarted?: (name: string) => void;
  /** Called when a step has its answer. */
  readonly stepEnded: (step: DemoStep) => void;
  /** How a name or value stands out in a line (default: as it is). */
  readonly highlight?: (text: string) => string;
}

/** What the demo ran, and every secret and personal id that went over the wire in it. */
export interface DemoRun {
  readonly steps: readonly DemoStep[];
  /** Tokens, assertions, client secrets, private key parts, the subscription key and personal ids: none may appear in a log, span or metric. */
  readonly secrets: readonly string[];
}

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const PERSONAL_IDS = ['01017012345', 'Z990042'];

/** Every secret the local IdP saw or issued, and those of the registrations' environments. */
function secretsOf(idp: LocalIdp, environments: readonly Readonly<Record<string, string>>[]): string[] {
  const found = new Set<string>([...PERSONAL_IDS, ...idp.issuedTokens]);
  for (const request of idp.requests) {
    for (const text of [request.body, ...Object.values(request.headers)]) for (const [jwt] of text.matchAll(JWT)) found.add(jwt);
    if (request.form?.client_secret !== undefined) found.add(request.form.client_secret);
    const subscriptionKey = request.headers['ocp-apim-subscription-key'];
    if (subscriptionKey !== undefined) found.add(subscriptionKey);
  }
  for (const env of environments) {
    for (const [name, value] of Object.entries(env)) {
      if (name.endsWith('_SECRET')) found.add(value);
      if (name.endsWith('_JWK')) for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) found.add(String(JSON.parse(value)[part]));
    }
  }
  return [...found].filter((secret) => secret !== 'undefined');
}

/** Runs every flow of the demo against servers on 127.0.0.1 it starts and stops itself. */
export async function runDemo(output: DemoOutput): Promise<DemoRun> {
  const { log } = output;
  const highlight = output.highlight ?? ((text: string) => text);
  const steps: DemoStep[] = [];
  const step = async (name: string, request: string, expected: number, run: () => Promise<Response>): Promise<void> => {
    output.stepStarted?.(name);
    const response = await run();
    const done = {
      name,
      request,
      expected,
      status: response.status,
      challenge: response.headers.get('www-authenticate') ?? undefined,
      body: await response.text(),
    };
    steps.push(done);
    output.stepEnded(done);
  };
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  log('▸ starting the local identity provider (Maskinporten, Azure AD, Altinn PDP, ID-porten, TokenX)');
  const idp = await startLocalIdp({ subscriptionKey: 'demo-subscription-key' });

  // What NAV exposes. NAIS names it nav:<product><sep><name>; sep is "/" only when the name has one.
  const scope = exposedScopeName({ product: 'arbeid', name: 'arbeidsforhold.read' });
  const audience = 'https://arbeidsforhold.api.nav.demo/';
  log(`▸ NAV exposes ${highlight(scope)} (separator ":" because the name has no "/"), audience-restricted to ${audience}`);

  // Registrations, as the platform would make them.
  const navApi = await idp.registerAzureApp({ name: 'dev-gcp:team:nest12-api' });
  const profileApi = await idp.registerAzureApp({ name: 'dev-gcp:team:profile-api' });
  const batchCaller = await idp.registerAzureApp({ name: 'dev-gcp:team:batch-job' });
  const navPdpClient = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: ['altinn:authorization/authorize'] });
  const vendor = await idp.registerMaskinportenClient({ orgno: '974760673', scopes: [scope] });
  const systemUser = idp.registerSystemUser({ systemId: '974760673_lonnssystem', customerOrg: '313367002', vendorOrg: '974760673' });
  idp.registerSystemUser({ systemId: '974760673_lonnssystem', customerOrg: '923609016', vendorOrg: '974760673' });
  idp.addPdpPolicy({ systemUserId: systemUser.id, resource: 'nav-krav', action: 'read', org: '313367002' });

  log('▸ starting the NestJS API (apps/nest12-esm) with NavAuthModule');
  const nest = await NestFactory.create(
    appModule({
      env: { ...navApi.env, ...navPdpClient.env },
      secretsDirs: { azure: '/nonexistent', maskinporten: '/nonexistent' },
      maskinporten: { audience },
      pdp: { baseUrl: `${idp.url}/altinn`, subscriptionKey: 'demo-subscription-key' },
    }),
    { logger: false },
  );
  await nest.listen(0, '127.0.0.1');
  const api = (await nest.getUrl()).replace('[::1]', '127.0.0.1');

  log('▸ starting the on-behalf-of chain (apps/obo-chain): API A calls API B');
  const apiAApp = await idp.registerAzureApp({ name: 'dev-gcp:team:api-a' });
  const apiBApp = await idp.registerAzureApp({ name: 'dev-gcp:team:api-b', inbound: ['dev-gcp:team:api-a'] });
  const apiB = await startApiB(apiBApp.env);
  const apiA = await startApiA(apiAApp.env, { url: apiB.url, name: apiBApp.name });

  log('▸ starting the citizen chain (apps/citizen-chain): app A exchanges with TokenX to call app B');
  const citizenAppA = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-a' });
  const citizenAppB = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-b', inbound: ['dev-gcp:team:app-a'] });
  const citizenAppC = await idp.registerTokenXApp({ name: 'dev-gcp:team:app-c' });
  const login = idp.registerIdportenClient({ clientId: 'dev-gcp:team:app-a-idporten' });
  const appB = await startAppB(citizenAppB.env, ['dev-gcp:team:app-a']);
  const appA = await startAppA({ ...citizenAppA.env, ...login.env }, { url: appB.url, name: citizenAppB.clientId });
  // A second A whose target has no inbound access policy for it: TokenX refuses the exchange.
  const appAToC = await startAppA({ ...citizenAppA.env, ...login.env }, { url: appB.url, name: citizenAppC.clientId });

  log('\n▸ a vendor consumes NAV with Maskinporten');
  log("  (the vendor, org 974760673, asks Maskinporten for a token with NAV's scope; NAV's API checks scope and audience,");
  log('   and for the payroll system acting for a customer, asks the Altinn PDP whether that system user may read)');
  const maskinporten = createMaskinportenClient({ config: parseMaskinportenConfig(vendor.env) });
  await step('plain token (no audience) is refused', `GET /external/arbeidsforhold, scope ${scope}`, 401, async () =>
    fetch(`${api}/external/arbeidsforhold`, bearer((await maskinporten.getToken(scope)).token)),
  );
  await step('audience-restricted token is accepted', `GET /external/arbeidsforhold, resource ${audience}`, 200, async () =>
    fetch(`${api}/external/arbeidsforhold`, bearer((await maskinporten.getToken(scope, { resource: audience })).token)),
  );
  await step('system user for 313367002: PDP permits', 'GET /external/krav as the system user', 200, async () =>
    fetch(`${api}/external/krav`, bearer((await maskinporten.getToken(scope, { resource: audience, systemUserOrg: '313367002' })).token)),
  );
  await step('system user for 923609016: PDP denies', 'GET /external/krav as another system user', 403, async () =>
    fetch(`${api}/external/krav`, bearer((await maskinporten.getToken(scope, { resource: audience, systemUserOrg: '923609016' })).token)),
  );
  await step('wrong scope is refused', 'GET /external/arbeidsforhold with nav:arbeid:other', 403, async () =>
    fetch(
      `${api}/external/arbeidsforhold`,
      bearer(await idp.mintMaskinportenToken({ consumerOrg: '974760673', scopes: ['nav:arbeid:other'], audience })),
    ),
  );
  await step('expired token is refused', 'GET /external/arbeidsforhold with an expired token', 401, async () =>
    fetch(
      `${api}/external/arbeidsforhold`,
      bearer(
        await idp.mintMaskinportenToken({
          consumerOrg: '974760673',
          scopes: [scope],
          audience,
          claims: { exp: Math.floor(Date.now() / 1000) - 60 },
        }),
      ),
    ),
  );

  log('\n▸ NAV apps and employees with Azure AD');
  log("  (an app calls another with its own token; an employee's token is passed on on-behalf-of, so API B sees the employee)");
  const batch = createAzureClient({ config: parseAzureConfig(batchCaller.env) });
  await step('app token with the default role', 'GET /internal/batch as dev-gcp:team:batch-job', 200, async () =>
    fetch(`${api}/internal/batch`, bearer((await batch.clientCredentials('dev-gcp:team:nest12-api')).token)),
  );
  const employee = await idp.mintAzureUserToken({ audience: navApi.name, navIdent: 'Z990042', groups: ['0000-ga-demo'] });
  await step('employee token where an app is required', 'GET /internal/batch as Z990042', 403, async () =>
    fetch(`${api}/internal/batch`, bearer(employee)),
  );
  await step('employee token with scope defaultaccess', 'GET /internal/me as Z990042', 200, async () =>
    fetch(`${api}/internal/me`, bearer(employee)),
  );
  await step('on-behalf-of inside the NestJS API', 'GET /internal/profile (OBO to profile-api)', 200, async () =>
    fetch(`${api}/internal/profile`, bearer(employee)),
  );
  const forA = await idp.mintAzureUserToken({ audience: apiAApp.name, navIdent: 'Z990042' });
  await step('user -> API A -> API B on-behalf-of', 'GET API A with the user token', 200, async () => fetch(apiA.url, bearer(forA)));
  await step('a token for API A is refused by API B', 'GET API B with the token for A', 401, async () => fetch(apiB.url, bearer(forA)));

  log('\n▸ a citizen with ID-porten, and TokenX between apps');
  log("  (app A accepts the citizen's ID-porten token and exchanges it with TokenX for one app B accepts; B requires level high)");
  const citizen = (acr: string) => idp.mintIdportenToken({ audience: login.clientId, pid: '01017012345', acr });
  await step('citizen at level high: A -> TokenX -> B', 'GET app A with an ID-porten token (idporten-loa-high)', 200, async () =>
    fetch(appA.url, bearer(await citizen('idporten-loa-high'))),
  );
  await step('level substantial where B requires high (step-up)', 'GET app A with idporten-loa-substantial', 401, async () =>
    fetch(appA.url, bearer(await citizen('idporten-loa-substantial'))),
  );
  await step('a TokenX token for A is refused by B', 'GET app B with a TokenX token whose aud is app A', 401, async () =>
    fetch(
      appB.url,
      bearer(await idp.mintTokenXToken({ audience: 'dev-gcp:team:app-a', clientId: 'dev-gcp:team:app-x', pid: '01017012345' })),
    ),
  );
  await step('exchange refused without an access policy', 'GET app A wired to app C, which has no inbound rule for A', 502, async () =>
    fetch(appAToC.url, bearer(await citizen('idporten-loa-high'))),
  );

  log('\n▸ the same clients and services with Texas on (NAIS_TOKEN_* set, no private keys in the app)');
  log("  (Texas, the NAIS sidecar, holds the credentials and fetches tokens; the app's code is the same)");
  const texas = await startFakeTexas({
    env: { ...vendor.env, ...batchCaller.env, MASKINPORTEN_ENABLED: 'true', AZURE_ENABLED: 'true' },
  });
  const texasForApiA = await startFakeTexas({ env: { ...apiAApp.env, AZURE_ENABLED: 'true' } });
  const withoutKeys = (env: Readonly<Record<string, string>>) => {
    const { MASKINPORTEN_CLIENT_JWK: _m, AZURE_APP_JWK: _a, AZURE_APP_CLIENT_SECRET: _s, ...rest } = env;
    return rest;
  };
  const maskinportenViaTexas = createMaskinportenClient({ env: { ...withoutKeys(vendor.env), ...texas.env } });
  const batchViaTexas = createAzureClient({ env: { ...withoutKeys(batchCaller.env), ...texas.env } });
  const apiAViaTexas = await startApiA({ ...withoutKeys(apiAApp.env), ...texasForApiA.env }, { url: apiB.url, name: apiBApp.name });
  const modes = [
    ['Maskinporten client (before)', maskinporten.mode],
    ['Maskinporten client (Texas on)', maskinportenViaTexas.mode],
    ['Azure client (before)', `client credentials ${batch.modes.clientCredentials}, on-behalf-of ${batch.modes.onBehalfOf}`],
    [
      'Azure client (Texas on)',
      `client credentials ${batchViaTexas.modes.clientCredentials}, on-behalf-of ${batchViaTexas.modes.onBehalfOf}`,
    ],
  ];
  for (const [client, mode] of modes) log(`  · ${client}: ${highlight(String(mode))}`);
  await step(
    'audience-restricted token through Texas',
    `GET /external/arbeidsforhold, via ${texas.env.NAIS_TOKEN_ENDPOINT}`,
    200,
    async () => fetch(`${api}/external/arbeidsforhold`, bearer((await maskinportenViaTexas.getToken(scope, { resource: audience })).token)),
  );
  await step('app token through Texas', 'GET /internal/batch with a token from Texas', 200, async () =>
    fetch(`${api}/internal/batch`, bearer((await batchViaTexas.clientCredentials('dev-gcp:team:nest12-api')).token)),
  );
  await step('user -> API A -> API B, on-behalf-of through Texas', 'GET API A (Texas on) with the user token', 200, async () =>
    fetch(apiAViaTexas.url, bearer(forA)),
  );
  await apiAViaTexas.close();
  await texas.close();
  await texasForApiA.close();
  await nest.close();
  await appA.close();
  await appAToC.close();
  await appB.close();
  await apiA.close();
  await apiB.close();
  const secrets = secretsOf(
    idp,
    [navApi, profileApi, batchCaller, navPdpClient, vendor, apiAApp, apiBApp, citizenAppA, citizenAppB, citizenAppC, login].map(
      (registration) => registration.env,
    ),
  );
  await idp.close();

  return { steps, secrets };
}
