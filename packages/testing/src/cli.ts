import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  readonly tokenx?: {
    readonly apps?: ReadonlyArray<{ name: string; inbound?: string[] }>;
  };
  readonly idporten?: {
    readonly clients?: ReadonlyArray<{ clientId?: string }>;
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

/** The usage text of `nav-auth-local-idp --help`. */
export const LOCAL_IDP_USAGE = `Usage: nav-auth-local-idp [--config <file.json>] [--port <port>] [--env-dir <dir>]

Starts a local Maskinporten, Azure AD, generic authorization server, Altinn PDP, ID-porten and
TokenX on 127.0.0.1, registers the clients and apps the config lists and prints the variables
each one needs.
Stop it with Ctrl-C. Its keys are generated for the run: for tests and local development only.

Options:
  --config <file>   the JSON config below; without it, nothing is registered
  --port <port>     TCP port on 127.0.0.1 (default: the config's "port", else a free one)
  --env-dir <dir>   write each client's and app's variables to <dir>/<name>.env (mode 0600) and
                    print only a summary; <name> is the Maskinporten or ID-porten clientId, or
                    the app name with ':' as '.' (an Azure AD app and a TokenX app of the same
                    name share one file, as NAIS gives one app both), other characters outside
                    [A-Za-z0-9._-] as '_' (give clients a clientId for a name that stays the
                    same between runs)
  --help            show this text

Config (every key optional; unknown keys are refused):
  port, tokenLifetimeSeconds, subscriptionKey   (subscriptionKey: the PDP's Ocp-Apim-Subscription-Key)
  maskinporten.clients[]  { "clientId"?, "orgno", "scopes": [...], "delegatedBy"?: [orgno, ...] }
  azure.apps[]            { "name": "cluster:namespace:app", "clientId"?, "roles"?: { "<app name>": [role, ...] },
                            "inbound"?: [app name, ...] }
  tokenx.apps[]           { "name": "cluster:namespace:app", "inbound"?: [app name, ...] }   (inbound: the apps
                            that may exchange tokens for this one; default none)
  idporten.clients[]      { "clientId"? }   (IDPORTEN_AUDIENCE; default a new UUID each run)
  systemUsers[]           { "id"?, "systemId", "customerOrg", "vendorOrg" }
  policies[]              { "systemUserId", "resource", "action", "org", "decision"?: "Permit" | "Deny",
                            "obligations"?: [{ "id", "category", "value", "attributeId"?, "dataType"? }] }

Example:
  npx nav-auth-local-idp --config idp.json --env-dir .env.d
  # in another terminal: your app, and a token for it (nav-auth is in @nav-auth/cli)
  source .env.d/dev-gcp.team.my-api.env && npm start
  export NAV_AUTH_IDP_URL=http://127.0.0.1:8080   # printed at start
  TOKEN=$(npx nav-auth idp mint azure-user --audience dev-gcp:team:my-api --nav-ident Z990000)
  curl -H "Authorization: Bearer $TOKEN" http://localhost:3000/api/me`;

/** The codes {@link runLocalIdpCli} rejects with when it will not start. */
type LocalIdpCliErrorCode = 'ERR_LOCAL_IDP_USAGE' | 'ERR_LOCAL_IDP_CONFIG';

class LocalIdpCliError extends Error {
  constructor(
    readonly code: LocalIdpCliErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LocalIdpCliError';
  }
}

const usage = (message: string) => new LocalIdpCliError('ERR_LOCAL_IDP_USAGE', message);

// A tiny strict schema for the config: a typo ("delegatedby") should fail loudly, not be ignored.
type Check = ((value: unknown, at: string) => void) & { readonly optional?: true };

const configError = (message: string) => new LocalIdpCliError('ERR_LOCAL_IDP_CONFIG', message);
const text: Check = (value, at) => {
  if (typeof value !== 'string' || value === '') throw configError(`${at} must be a non-empty string`);
};
const texts: Check = (value, at) => {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw configError(`${at} must be an array of non-empty strings`);
  }
};
const integer =
  (min: number, max: number): Check =>
  (value, at) => {
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      throw configError(`${at} must be an integer from ${min} to ${max}`);
    }
  };
const oneOf =
  (...values: readonly string[]): Check =>
  (value, at) => {
    if (!values.includes(value as string)) throw configError(`${at} must be one of ${values.join(', ')}`);
  };
const optional = (check: Check): Check => Object.assign((value: unknown, at: string) => check(value, at), { optional: true as const });
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const object =
  (fields: Readonly<Record<string, Check>>): Check =>
  (value, at) => {
    if (!isObject(value)) throw configError(`${at || 'the config'} must be an object`);
    const unknown = Object.keys(value).find((key) => !Object.hasOwn(fields, key));
    if (unknown !== undefined) {
      throw configError(`unknown key "${unknown}" in ${at || 'the config'} (it takes ${Object.keys(fields).join(', ')})`);
    }
    for (const [key, check] of Object.entries(fields)) {
      const path = at === '' ? key : `${at}.${key}`;
      if (value[key] !== undefined) check(value[key], path);
      else if (!check.optional) throw configError(`${path} is required`);
    }
  };
const array =
  (item: Check): Check =>
  (value, at) => {
    if (!Array.isArray(value)) throw configError(`${at} must be an array`);
    for (const [index, entry] of value.entries()) item(entry, `${at}[${index}]`);
  };
const roles: Check = (value, at) => {
  if (!isObject(value)) throw configError(`${at} must be an object of app name to roles`);
  for (const [app, list] of Object.entries(value)) texts(list, `${at}["${app}"]`);
};

const CONFIG_SCHEMA = object({
  port: optional(integer(0, 65535)),
  tokenLifetimeSeconds: optional(integer(1, 86400)),
  subscriptionKey: optional(text),
  maskinporten: optional(
    object({ clients: optional(array(object({ clientId: optional(text), orgno: text, scopes: texts, delegatedBy: optional(texts) }))) }),
  ),
  azure: optional(
    object({ apps: optional(array(object({ name: text, clientId: optional(text), roles: optional(roles), inbound: optional(texts) }))) }),
  ),
  tokenx: optional(object({ apps: optional(array(object({ name: text, inbound: optional(texts) }))) })),
  idporten: optional(object({ clients: optional(array(object({ clientId: optional(text) }))) })),
  systemUsers: optional(array(object({ id: optional(text), systemId: text, customerOrg: text, vendorOrg: text }))),
  policies: optional(
    array(
      object({
        systemUserId: text,
        resource: text,
        action: text,
        org: text,
        decision: optional(oneOf('Permit', 'Deny')),
        obligations: optional(
          array(object({ id: text, category: text, value: text, attributeId: optional(text), dataType: optional(text) })),
        ),
      }),
    ),
  ),
});

function readConfig(file: string): LocalIdpConfig {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw configError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw configError(`${file} is not JSON: ${(error as Error).message}`);
  }
  try {
    CONFIG_SCHEMA(parsed, '');
  } catch (error) {
    throw configError(`${file}: ${(error as Error).message}`);
  }
  return parsed as LocalIdpConfig;
}

function parsePort(value: string): number {
  const port = /^[0-9]{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw usage('--port must be a number from 0 to 65535');
  return port;
}

/** Who an env file is written for: a NAIS app's name (`app`) lets its Azure AD and TokenX variables share one. */
interface EnvFileOwner {
  readonly name: string;
  readonly title: string;
  readonly kind: 'maskinporten' | 'azure' | 'tokenx' | 'idporten';
  readonly app?: string;
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The env file name of a client or app: `:` (the separator of NAIS app names) becomes `.`,
 * anything else outside `[A-Za-z0-9._-]` becomes `_`, so a name can never leave the directory.
 */
export function envFileName(name: string): string {
  return `${name
    .replaceAll(':', '.')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\./, '_')}.env`;
}

/**
 * Starts the local IdP from command-line arguments (`--config file.json`, `--port N`,
 * `--env-dir DIR`), registers what the config lists and prints, as shell `export` lines, the
 * `MASKINPORTEN_*`, `AZURE_*`, `TOKEN_X_*` and `IDPORTEN_*` variables each registered client
 * and app needs (or, with `--env-dir`, writes them to one file per app and prints a summary),
 * and `NAV_AUTH_IDP_URL` for `nav-auth idp mint`. Resolves to the running IdP, or to
 * `undefined` after `--help`.
 * Rejects with `code` `ERR_LOCAL_IDP_USAGE` for a wrong command line and `ERR_LOCAL_IDP_CONFIG`
 * for a wrong config (an IdP it had started for it is stopped again).
 */
export async function runLocalIdpCli(argv: readonly string[], print: (line: string) => void): Promise<LocalIdp | undefined> {
  let values: { config?: string; port?: string; 'env-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string' }, port: { type: 'string' }, 'env-dir': { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    // node:util's messages are clear; only its advice on '--' does not apply here.
    throw usage((error as Error).message.split('. To specify a positional')[0] as string);
  }
  if (values.help) {
    print(LOCAL_IDP_USAGE);
    return undefined;
  }
  const config: LocalIdpConfig = values.config === undefined ? {} : readConfig(values.config);
  const port = values.port === undefined ? config.port : parsePort(values.port);
  const envDir = values['env-dir'];

  // Every client and app gets its own file, except that an Azure AD app and a TokenX app of the
  // same name are one NAIS app, which NAIS gives both sets of variables: those share a file.
  // Name them all before anything listens.
  const clients = (config.maskinporten?.clients ?? []).map((client) => ({ ...client, clientId: client.clientId ?? randomUUID() }));
  const apps = config.azure?.apps ?? [];
  const tokenxApps = config.tokenx?.apps ?? [];
  const idportenClients = (config.idporten?.clients ?? []).map((client) => ({ clientId: client.clientId ?? randomUUID() }));
  const owners: readonly EnvFileOwner[] = [
    ...clients.map((c): EnvFileOwner => ({ name: c.clientId, title: `Maskinporten client ${c.clientId}`, kind: 'maskinporten' })),
    ...apps.map((a): EnvFileOwner => ({ name: a.name, title: `Azure AD app ${a.name}`, kind: 'azure', app: a.name })),
    ...tokenxApps.map((a): EnvFileOwner => ({ name: a.name, title: `TokenX app ${a.name}`, kind: 'tokenx', app: a.name })),
    ...idportenClients.map((c): EnvFileOwner => ({ name: c.clientId, title: `ID-porten client ${c.clientId}`, kind: 'idporten' })),
  ];
  const fileOwners = new Map<string, EnvFileOwner[]>();
  for (const owner of envDir === undefined ? [] : owners) {
    const file = envFileName(owner.name);
    const others = fileOwners.get(file) ?? [];
    const clash = others.find((other) => other.app === undefined || other.app !== owner.app || other.kind === owner.kind);
    if (clash !== undefined) throw configError(`${clash.title} and ${owner.title} would share the env file ${file}`);
    fileOwners.set(file, [...others, owner]);
  }

  const idp = await startLocalIdp({
    ...(port === undefined ? {} : { port }),
    ...(config.tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds: config.tokenLifetimeSeconds }),
    ...(config.subscriptionKey === undefined ? {} : { subscriptionKey: config.subscriptionKey }),
  });
  try {
    print(`# nav-auth local IdP listening on ${idp.url} (test keys only: never use these values outside tests)`);
    print(`# Altinn PDP: ${idp.altinn.pdpUrl} (Ocp-Apim-Subscription-Key: ${idp.altinn.subscriptionKey})`);
    print(`# mint tokens with: nav-auth idp mint azure-user|azure-app|maskinporten|idporten|tokenx ... (nav-auth idp mint --help)`);
    print(`export NAV_AUTH_IDP_URL=${shellQuote(idp.url)}`);
    if (envDir !== undefined) mkdirSync(envDir, { recursive: true, mode: 0o700 });
    const written = new Map<string, string>();
    const emit = (rawTitle: string, name: string, env: Readonly<Record<string, string>>) => {
      // A comment line stays one line, even for a client id with a line break in it.
      const title = [...rawTitle].map((char) => (char < ' ' || char === '\u007f' ? ' ' : char)).join('');
      const lines = Object.entries(env).map(([key, value]) => `export ${key}=${shellQuote(value)}`);
      if (envDir === undefined) {
        print(`# ${title}`);
        for (const line of lines) print(line);
        return;
      }
      const file = join(envDir, envFileName(name));
      const content = `${written.get(file) ?? ''}# ${title}, from the nav-auth local IdP at ${idp.url} (test keys only)\n${lines.join('\n')}\n`;
      written.set(file, content);
      writeFileSync(file, content, { mode: 0o600 });
      chmodSync(file, 0o600); // the mode above applies only to a new file
      print(`# ${title}: ${file}`);
    };
    // The handle refuses what it cannot register with a TypeError: say where in the config.
    const at = async (where: string, register: () => Promise<void> | void) => {
      try {
        await register();
      } catch (error) {
        throw error instanceof TypeError ? configError(`${values.config}: ${where}: ${error.message}`) : error;
      }
    };
    for (const [index, client] of clients.entries()) {
      await at(`maskinporten.clients[${index}]`, async () => {
        const registered = await idp.registerMaskinportenClient(client);
        emit(`Maskinporten client ${registered.clientId} (org ${client.orgno})`, registered.clientId, registered.env);
      });
    }
    for (const [index, app] of apps.entries()) {
      await at(`azure.apps[${index}]`, async () => {
        const registered = await idp.registerAzureApp(app);
        emit(`Azure AD app ${app.name}`, app.name, registered.env);
      });
    }
    for (const [index, app] of tokenxApps.entries()) {
      await at(`tokenx.apps[${index}]`, async () => {
        const registered = await idp.registerTokenXApp(app);
        emit(`TokenX app ${app.name}`, app.name, registered.env);
      });
    }
    for (const [index, client] of idportenClients.entries()) {
      await at(`idporten.clients[${index}]`, () => {
        const registered = idp.registerIdportenClient(client);
        emit(`ID-porten client ${registered.clientId}`, registered.clientId, registered.env);
      });
    }
    for (const [index, systemUser] of (config.systemUsers ?? []).entries()) {
      await at(`systemUsers[${index}]`, () => {
        const registered = idp.registerSystemUser(systemUser);
        print(`# system user ${registered.id}: customer ${registered.customerOrg}, vendor ${registered.vendorOrg}`);
      });
    }
    for (const policy of config.policies ?? []) idp.addPdpPolicy(policy);
    return idp;
  } catch (error) {
    await idp.close();
    throw error;
  }
}
