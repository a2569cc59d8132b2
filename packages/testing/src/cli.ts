import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type LocalIdp, startLocalIdp } from './local-idp.js';
import type { PdpObligation } from './registry.js';

/** The JSON config of the `nav-auth-local-idp` command. */
export interface LocalIdpConfig {
  readonly port?: number;
  readonly tokenLifetimeSeconds?: number;
  readonly subscriptionKey?: string;
  readonly maskinporten?: {
    readonly clients?: ReadonlyArray<{ clientId?: string; orgno: string; scopes: string[]; delegatedBy?: string[] }>;
  };
  readonly azure?: {
    readonly apps?: ReadonlyArray<{ name: string; clientId?: string; roles?: Record<string, string[]>; inbound?: string[] }>;
  };
  readonly systemUsers?: ReadonlyArray<{ id?: string; systemId: string; customerOrg: string; vendorOrg: string }>;
  readonly policies?: ReadonlyArray<{
    systemUserId: string;
    resource: string;
    action: string;
    org: string;
    decision?: 'Permit' | 'Deny';
    obligations?: PdpObligation[];
  }>;
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * Starts the local IdP from command-line arguments (`--config file.json`, `--port N`),
 * registers what the config lists and prints, as shell `export` lines, the `MASKINPORTEN_*`
 * and `AZURE_*` variables each registered app needs. Returns the running IdP.
 */
export async function runLocalIdpCli(argv: readonly string[], print: (line: string) => void): Promise<LocalIdp> {
  const { values } = parseArgs({ args: [...argv], options: { config: { type: 'string' }, port: { type: 'string' } }, strict: true });
  const config: LocalIdpConfig = values.config === undefined ? {} : JSON.parse(readFileSync(values.config, 'utf8'));
  const port = values.port === undefined ? config.port : Number(values.port);
  const idp = await startLocalIdp({
    ...(port === undefined ? {} : { port }),
    ...(config.tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds: config.tokenLifetimeSeconds }),
    ...(config.subscriptionKey === undefined ? {} : { subscriptionKey: config.subscriptionKey }),
  });
  print(`# nav-auth local IdP listening on ${idp.url} (test keys only: never use these values outside tests)`);
  print(`# Altinn PDP: ${idp.altinn.pdpUrl} (Ocp-Apim-Subscription-Key: ${idp.altinn.subscriptionKey})`);
  const printEnv = (title: string, env: Readonly<Record<string, string>>) => {
    print(`# ${title}`);
    for (const [name, value] of Object.entries(env)) print(`export ${name}=${shellQuote(value)}`);
  };
  for (const client of config.maskinporten?.clients ?? []) {
    const registered = await idp.registerMaskinportenClient(client);
    printEnv(`Maskinporten client ${registered.clientId} (org ${client.orgno})`, registered.env);
  }
  for (const app of config.azure?.apps ?? []) {
    const registered = await idp.registerAzureApp(app);
    printEnv(`Azure AD app ${app.name}`, registered.env);
  }
  for (const systemUser of config.systemUsers ?? []) {
    const registered = idp.registerSystemUser(systemUser);
    print(`# system user ${registered.id}: customer ${registered.customerOrg}, vendor ${registered.vendorOrg}`);
  }
  for (const policy of config.policies ?? []) idp.addPdpPolicy(policy);
  return idp;
}
