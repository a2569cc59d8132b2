import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import {
  buildJwks,
  exposedScopeName,
  isNavAuthError,
  type Jwks,
  legacyScopeName,
  parseExposedScopeName,
  type SigningAlgorithm,
} from '@nav-auth/core';
import {
  createAzureClient,
  createJwksHandler,
  createMaskinportenClient,
  generateClientKey,
  loadAzureConfig,
  loadMaskinportenConfig,
} from '@nav-auth/node';
import { runLocalIdpCli } from '@nav-auth/testing';

/** Where the CLI writes; tests capture it. */
export interface CliIo {
  /** Writes a line of normal output (stdout). */
  readonly out: (text: string) => void;
  /** Writes a line of diagnostics (stderr). */
  readonly err: (text: string) => void;
  /** The environment the CLI reads its variables from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called with a running server (jwks serve, idp) so callers can stop it. */
  readonly onServer?: (close: () => Promise<void>) => void;
}

/** Exit codes: 0 done, 1 the operation failed, 2 the command line is wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `nav-auth: tokens and keys for NAV's identity providers

Usage: nav-auth <command> [options]

Commands:
  keygen          generate a signing key: a private JWK and the public JWKS to serve
  jwks serve      serve a JWKS file over HTTP
  scope           the Maskinporten scope NAIS provisions for a product and name
  token           get a token: nav-auth token maskinporten|azure
  decode          show a JWT's header and claims (never verified)
  idp             start the local identity provider and print the variables to export
  idp mint        mint a token at a running local identity provider, for curl

Every command takes --help; most take --json.`,
  keygen: `Usage: nav-auth keygen [--alg PS256|RS256|ES256] [--kid <kid>] [--out <dir>] [--json]

Writes <dir>/private-jwk.json (mode 0600: keep it secret) and <dir>/jwks.json (publish it).
The kid defaults to the key's RFC 7638 thumbprint. Maskinporten wants RS256.`,
  'jwks serve': `Usage: nav-auth jwks serve [--file jwks.json] [--port 3000] [--max-age 300]

Serves the JWKS at /.well-known/jwks (public members only), re-reading the file on each request.`,
  scope: `Usage: nav-auth scope --product <product> --name <name> [--separator : | /] [--json]
       nav-auth scope --parse <scope> [--json]
       nav-auth scope --legacy --cluster <c> --namespace <ns> --app <app> --subscope <s> [--json]

Prints the scope NAIS provisions for an exposed Maskinporten scope, and why that separator.`,
  token: `Usage: nav-auth token maskinporten --scope <scope> [--scope ...] [--resource <uri>] [--system-user-org <orgno>] [--consumer-org <orgno>] [--json]
       nav-auth token azure --target <cluster:namespace:app | api://.../.default> [--json]

Reads MASKINPORTEN_* / AZURE_* from the environment, else from --secrets-dir (default: the NAIS mount).
Prints the access token, or with --json the token, expiry and scopes.`,
  decode: `Usage: nav-auth decode [<token>] [--json]

Shows the header and claims of a JWT (read from the argument or standard input) with exp, nbf and
iat as dates and relative times. Nothing is verified; the signature is never shown, pid is masked.`,
  idp: `Usage: nav-auth idp [--port <port>] [--config <file.json>] [--env-dir <dir>]
       nav-auth idp mint azure-user|azure-app|maskinporten|idporten|tokenx ...   (nav-auth idp mint --help)

Starts the local Maskinporten, Azure AD, generic authorization server, Altinn PDP, ID-porten and
TokenX on 127.0.0.1 and prints 'export' lines for every app in the config, or with --env-dir
writes them to one <dir>/<name>.env per app (mode 0600). It prints NAV_AUTH_IDP_URL for
'nav-auth idp mint'.
The same as nav-auth-local-idp (nav-auth-local-idp --help describes the config). Stop it with Ctrl-C.`,
  'idp mint': `Usage: nav-auth idp mint azure-user --audience <app> [--nav-ident <ident>] [--groups <g1,g2>] [--scp <scope,...>] [--name <name>]
       nav-auth idp mint azure-app --caller <app> --audience <app> [--roles <r1,r2>]
       nav-auth idp mint maskinporten --scopes <s1,s2> (--consumer-org <orgno> | --system-user <id>) [--audience <aud>]
       nav-auth idp mint idporten --audience <client id> [--pid <fnr>] [--acr idporten-loa-high|idporten-loa-substantial]
       nav-auth idp mint tokenx --audience <cluster:namespace:app> --client-id <cluster:namespace:app> [--pid <fnr>] [--acr Level4|Level3]

Mints a token at a running local IdP and prints only the token: TOKEN=$(nav-auth idp mint ...).
<app> is a registered Azure AD app, by name (cluster:namespace:app) or client id. Lists take commas
or the flag repeated. azure-user: a user's token as after login (scp defaults to defaultaccess).
azure-app: an app token from --caller, whose roles are the ones the config grants, or --roles.
maskinporten: consumer is --consumer-org, else the system user's vendor.
idporten: a citizen's access token for an ID-porten client (IDPORTEN_AUDIENCE), as the login
proxy forwards it; --pid defaults to a synthetic fødselsnummer, --acr to idporten-loa-high.
tokenx: a TokenX token for --audience (cluster:namespace:app), as if --client-id exchanged a
citizen's ID-porten token; --acr defaults to Level4.

Every kind also takes:
  --expired           exp 10 minutes ago, so validators refuse it as expired
  --unpublished-key   signed by a key the JWKS does not hold, so validators refuse it (unknown key)
  --idp <url>         the IdP, http://127.0.0.1:<port> (default: $NAV_AUTH_IDP_URL, printed at its start)
  --json              print {"token": ...}

Errors go to standard error, with exit code 1 (the IdP refused, or is not running) or 2.`,
};

const ALGORITHMS: readonly string[] = ['PS256', 'RS256', 'ES256'];

type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): { values: ParsedValues; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    });
    return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function relative(seconds: number, nowSeconds: number): string {
  const delta = Math.round(seconds - nowSeconds);
  const size = Math.abs(delta);
  const text = size < 120 ? `${size} s` : size < 7200 ? `${Math.round(size / 60)} min` : `${Math.round(size / 3600)} h`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

const PERSONAL_CLAIMS = new Set(['pid']);

async function keygen(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { alg: { type: 'string' }, kid: { type: 'string' }, out: { type: 'string' } });
  if (values.help) return help('keygen', io);
  const alg = (values.alg as string | undefined) ?? 'PS256';
  if (!ALGORITHMS.includes(alg)) throw new UsageError(`--alg must be one of ${ALGORITHMS.join(', ')}`);
  const dir = resolve((values.out as string | undefined) ?? '.');
  const { privateJwk, publicJwk } = await generateClientKey({
    alg: alg as SigningAlgorithm,
    ...(values.kid === undefined ? {} : { kid: values.kid as string }),
  });
  mkdirSync(dir, { recursive: true });
  const privatePath = join(dir, 'private-jwk.json');
  const jwksPath = join(dir, 'jwks.json');
  writeFileSync(privatePath, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
  chmodSync(privatePath, 0o600);
  writeFileSync(jwksPath, `${JSON.stringify(buildJwks([publicJwk]), null, 2)}\n`);
  const result = { alg, kid: publicJwk.kid, privateJwk: privatePath, jwks: jwksPath };
  io.out(
    values.json
      ? JSON.stringify(result)
      : `generated ${alg} key ${publicJwk.kid}\n  private JWK (keep secret): ${privatePath}\n  public JWKS (publish):     ${jwksPath}`,
  );
  return EXIT.ok;
}

async function jwksServe(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { file: { type: 'string' }, port: { type: 'string' }, 'max-age': { type: 'string' } });
  if (values.help) return help('jwks serve', io);
  const file = resolve((values.file as string | undefined) ?? 'jwks.json');
  const read = (): Jwks => JSON.parse(readFileSync(file, 'utf8')) as Jwks;
  buildJwks(read().keys); // refuse a broken or private key set before serving it
  const handler = createJwksHandler(read, { maxAgeSeconds: Number((values['max-age'] as string | undefined) ?? 300) });
  const server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks') response.writeHead(404).end();
    else handler(request, response);
  });
  await new Promise<void>((resolveListen) =>
    server.listen(Number((values.port as string | undefined) ?? 3000), '127.0.0.1', resolveListen),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks`;
  io.out(values.json ? JSON.stringify({ url }) : `serving ${file} at ${url}`);
  io.onServer?.(() => new Promise((done) => server.close(() => done())));
  return EXIT.ok;
}

function scope(args: string[], io: CliIo): number {
  const { values } = parse(args, {
    product: { type: 'string' },
    name: { type: 'string' },
    separator: { type: 'string' },
    parse: { type: 'string' },
    legacy: { type: 'boolean' },
    cluster: { type: 'string' },
    namespace: { type: 'string' },
    app: { type: 'string' },
    subscope: { type: 'string' },
  });
  if (values.help) return help('scope', io);
  if (values.parse !== undefined) {
    const parts = parseExposedScopeName(values.parse as string);
    io.out(
      values.json
        ? JSON.stringify(parts)
        : `prefix ${parts.prefix}, product ${parts.product}, separator "${parts.separator}", name ${parts.name}`,
    );
    return EXIT.ok;
  }
  if (values.legacy) {
    const { cluster, namespace, app, subscope: sub } = values as Record<string, string | undefined>;
    if (!cluster || !namespace || !app || !sub) throw new UsageError('--legacy needs --cluster, --namespace, --app and --subscope');
    const name = legacyScopeName({ cluster, namespace, app, subscope: sub });
    io.out(
      values.json
        ? JSON.stringify({ scope: name })
        : `${name}\n  (legacy IaC description: dashes in cluster, namespace and app are joined)`,
    );
    return EXIT.ok;
  }
  const { product, name } = values as Record<string, string | undefined>;
  if (product === undefined || name === undefined) throw new UsageError('scope needs --product and --name (or --parse, or --legacy)');
  const separator = values.separator as ':' | '/' | undefined;
  const result = exposedScopeName({ product, name, ...(separator === undefined ? {} : { separator }) });
  const used = parseExposedScopeName(result).separator;
  const why = separator !== undefined ? 'given with --separator' : name.includes('/') ? 'the name contains "/"' : 'the name has no "/"';
  io.out(values.json ? JSON.stringify({ scope: result, separator: used, reason: why }) : `${result}\n  separator "${used}": ${why}`);
  return EXIT.ok;
}

async function token(args: string[], io: CliIo): Promise<number> {
  const [provider, ...rest] = args;
  const { values } = parse(rest, {
    scope: { type: 'string', multiple: true },
    resource: { type: 'string' },
    'system-user-org': { type: 'string' },
    'consumer-org': { type: 'string' },
    target: { type: 'string' },
    'secrets-dir': { type: 'string' },
  });
  if (values.help || provider === undefined || provider === '--help') return help('token', io);
  const source = { env: io.env, ...(values['secrets-dir'] === undefined ? {} : { secretsDir: values['secrets-dir'] as string }) };
  let result: { token: string; expiresAt: Date; scopes: readonly string[] | undefined };
  if (provider === 'maskinporten') {
    const scopes = values.scope as string[] | undefined;
    if (scopes === undefined || scopes.length === 0) throw new UsageError('token maskinporten needs --scope');
    const client = createMaskinportenClient({ config: loadMaskinportenConfig(source) });
    result = await client.getToken(scopes, {
      ...(values.resource === undefined ? {} : { resource: values.resource as string }),
      ...(values['system-user-org'] === undefined ? {} : { systemUserOrg: values['system-user-org'] as string }),
      ...(values['consumer-org'] === undefined ? {} : { consumerOrg: values['consumer-org'] as string }),
    });
  } else if (provider === 'azure') {
    if (values.target === undefined) throw new UsageError('token azure needs --target');
    result = await createAzureClient({ config: loadAzureConfig(source) }).clientCredentials(values.target as string);
  } else {
    throw new UsageError('token takes maskinporten or azure');
  }
  io.out(
    values.json ? JSON.stringify({ token: result.token, expiresAt: result.expiresAt.toISOString(), scopes: result.scopes }) : result.token,
  );
  return EXIT.ok;
}

function decode(args: string[], io: CliIo, stdin: () => string): number {
  const { values, positionals } = parse(args, {});
  if (values.help) return help('decode', io);
  const text = (positionals[0] ?? stdin()).trim().replace(/^Bearer\s+/i, '');
  const parts = text.split('.');
  if (parts.length !== 3) throw new UsageError('that is not a compact JWT (three dot-separated parts)');
  const json = (part: string) => {
    try {
      return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new UsageError('the header or payload is not base64url JSON');
    }
  };
  const header = json(parts[0] as string);
  const claims = json(parts[1] as string);
  const shown = Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, PERSONAL_CLAIMS.has(name) ? '(masked)' : value]));
  const now = Date.now() / 1000;
  const times = Object.fromEntries(
    ['exp', 'nbf', 'iat']
      .filter((name) => typeof claims[name] === 'number')
      .map((name) => [
        name,
        { date: new Date((claims[name] as number) * 1000).toISOString(), relative: relative(claims[name] as number, now) },
      ]),
  );
  if (values.json) {
    io.out(JSON.stringify({ header, claims: shown, times, verified: false }));
    return EXIT.ok;
  }
  io.out('header (not verified):');
  io.out(JSON.stringify(header, null, 2));
  io.out('claims (not verified):');
  io.out(JSON.stringify(shown, null, 2));
  for (const [name, time] of Object.entries(times)) io.out(`${name}: ${time.date} (${time.relative})`);
  for (const name of ['iss', 'aud']) if (claims[name] !== undefined) io.out(`${name}: ${JSON.stringify(claims[name])}`);
  return EXIT.ok;
}

const MINT_KINDS = ['azure-user', 'azure-app', 'maskinporten', 'idporten', 'tokenx'] as const;
type MintKind = (typeof MINT_KINDS)[number];

const MINT_OPTIONS: Record<MintKind, NonNullable<ParseArgsConfig['options']>> = {
  'azure-user': {
    audience: { type: 'string' },
    'nav-ident': { type: 'string' },
    groups: { type: 'string', multiple: true },
    scp: { type: 'string', multiple: true },
    name: { type: 'string' },
  },
  'azure-app': { caller: { type: 'string' }, audience: { type: 'string' }, roles: { type: 'string', multiple: true } },
  maskinporten: {
    scopes: { type: 'string', multiple: true },
    'consumer-org': { type: 'string' },
    audience: { type: 'string' },
    'system-user': { type: 'string' },
  },
  idporten: { audience: { type: 'string' }, pid: { type: 'string' }, acr: { type: 'string' } },
  tokenx: { audience: { type: 'string' }, 'client-id': { type: 'string' }, pid: { type: 'string' }, acr: { type: 'string' } },
};

/** `--groups g1,g2 --groups g3` is g1, g2, g3. */
const listOf = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : (value as string[]).flatMap((item) => item.split(/[\s,]+/)).filter((item) => item !== '');

/** The IdP's origin from --idp or NAV_AUTH_IDP_URL: plain http is fine because it must be loopback. */
function idpOrigin(value: string | undefined): URL {
  if (value === undefined || value === '') {
    throw new UsageError('no local IdP: pass --idp http://127.0.0.1:<port> or set NAV_AUTH_IDP_URL (nav-auth-local-idp prints it)');
  }
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(url.hostname)) {
    throw new UsageError('the IdP URL (--idp or NAV_AUTH_IDP_URL) must be http://127.0.0.1:<port> or http://localhost:<port>');
  }
  return url;
}

/** nav-auth idp mint: asks a running local IdP's mint endpoint (POST /_mint/<kind>) for a token. */
async function mint(args: string[], io: CliIo): Promise<number> {
  const [kind, ...rest] = args;
  if (kind === undefined || kind === '--help' || kind === 'help') return help('idp mint', io);
  if (!(MINT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`idp mint takes ${MINT_KINDS.join(', ')}, not "${kind}"`);
  const mintKind = kind as MintKind;
  const { values, positionals } = parse(rest, {
    ...MINT_OPTIONS[mintKind],
    expired: { type: 'boolean' },
    'unpublished-key': { type: 'boolean' },
    idp: { type: 'string' },
  });
  if (values.help) return help('idp mint', io);
  // "--groups g1 g2" would silently lose g2.
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (lists take commas: --groups g1,g2)`);
  const need = (flag: string) => {
    if (values[flag] === undefined) throw new UsageError(`idp mint ${kind} needs --${flag}`);
    return values[flag] as string;
  };
  const bodies: Record<MintKind, () => Record<string, unknown>> = {
    'azure-user': () => ({
      audience: need('audience'),
      navIdent: values['nav-ident'],
      groups: listOf(values.groups),
      scopes: listOf(values.scp),
      name: values.name,
    }),
    'azure-app': () => ({ caller: need('caller'), audience: need('audience'), roles: listOf(values.roles) }),
    maskinporten: () => ({
      scopes: listOf(values.scopes),
      consumerOrg: values['consumer-org'],
      audience: values.audience,
      systemUser: values['system-user'],
    }),
    idporten: () => ({ audience: need('audience'), pid: values.pid, acr: values.acr }),
    tokenx: () => ({ audience: need('audience'), clientId: need('client-id'), pid: values.pid, acr: values.acr }),
  };
  const body = bodies[mintKind]();
  if (mintKind === 'maskinporten') {
    if (!(body.scopes as string[] | undefined)?.length) throw new UsageError('idp mint maskinporten needs --scopes');
    if (body.consumerOrg === undefined && body.systemUser === undefined) {
      throw new UsageError('idp mint maskinporten needs --consumer-org or --system-user');
    }
  }
  if (values.expired) body.expired = true;
  if (values['unpublished-key']) body.unpublishedKey = true;
  const origin = idpOrigin((values.idp as string | undefined) ?? io.env.NAV_AUTH_IDP_URL);
  let response: Response;
  try {
    response = await fetch(new URL(`/_mint/${kind}`, origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body), // JSON.stringify drops the flags not given
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new Error(`cannot reach the local IdP at ${origin.origin} (is nav-auth-local-idp running?)`);
  }
  const answer = (await response.json().catch(() => undefined)) as { token?: unknown; error_description?: unknown } | undefined;
  if (response.status === 404) throw new Error(`${origin.origin} has no mint endpoint: is it a nav-auth local IdP?`);
  if (!response.ok || typeof answer?.token !== 'string') {
    const why = typeof answer?.error_description === 'string' ? answer.error_description : 'no reason given';
    throw new Error(`the local IdP refused (${response.status}): ${why}`);
  }
  io.out(values.json ? JSON.stringify({ token: answer.token }) : answer.token);
  return EXIT.ok;
}

function help(command: keyof typeof HELP | string, io: CliIo): number {
  io.out(HELP[command] ?? (HELP.main as string));
  return EXIT.ok;
}

/**
 * Runs the nav-auth command line. Returns the exit code; errors are printed as one line that
 * names the problem (never a token, secret or key).
 */
export async function runCli(argv: readonly string[], io: CliIo, stdin: () => string = () => readFileSync(0, 'utf8')): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'keygen':
        return await keygen(rest, io);
      case 'jwks':
        if (rest[0] !== 'serve') throw new UsageError('did you mean: nav-auth jwks serve');
        return await jwksServe(rest.slice(1), io);
      case 'scope':
        return scope(rest, io);
      case 'token':
        return await token(rest, io);
      case 'decode':
        return decode(rest, io, stdin);
      case 'idp': {
        if (rest[0] === 'mint') return await mint(rest.slice(1), io);
        if (rest.includes('--help')) return help('idp', io);
        const idp = await runLocalIdpCli(rest, io.out).catch((error: Error & { code?: unknown }) => {
          throw error.code === 'ERR_LOCAL_IDP_USAGE' ? new UsageError(error.message) : error;
        });
        if (idp !== undefined) io.onServer?.(() => idp.close());
        return EXIT.ok;
      }
      case undefined:
      case '--help':
      case 'help':
        return help('main', io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const where = command === 'idp' && rest[0] === 'mint' ? 'idp mint' : command;
      io.err(`nav-auth: ${error.message}\nRun "nav-auth ${where === undefined ? '' : `${where} `}--help" for usage.`);
      return EXIT.usage;
    }
    // nav-auth errors carry a code and a message without secrets; anything else, its message.
    io.err(`nav-auth: ${isNavAuthError(error) ? `${error.code}: ${error.message}` : (error as Error).message}`);
    return EXIT.failed;
  }
}
