import { isOrgno } from '../registry.js';

/** The kinds of token the mint endpoint makes, one path each: `POST /_mint/<kind>`. */
export type MintKind = 'azure-user' | 'azure-app' | 'maskinporten' | 'idporten' | 'tokenx';

/** Every mint kind, in the order the usage text lists them. */
export const MINT_KINDS: readonly MintKind[] = ['azure-user', 'azure-app', 'maskinporten', 'idporten', 'tokenx'];

interface MintVariants {
  /** `exp` (and `iat`, `nbf`) in the past, so validators refuse it as expired. */
  readonly expired: boolean;
  /** Signed by a key the issuer's JWKS never published, so validators refuse it as an unknown key. */
  readonly unpublishedKey: boolean;
}

/** What a mint request asks for, checked. */
export type MintRequest =
  | (MintVariants & {
      readonly kind: 'azure-user';
      readonly audience: string;
      readonly navIdent?: string;
      readonly groups?: readonly string[];
      readonly scopes?: readonly string[];
      readonly name?: string;
    })
  | (MintVariants & {
      readonly kind: 'azure-app';
      readonly caller: string;
      readonly audience: string;
      readonly roles?: readonly string[];
    })
  | (MintVariants & {
      readonly kind: 'maskinporten';
      readonly scopes: readonly string[];
      readonly consumerOrg?: string;
      readonly audience?: string;
      /** The `id` of a system user the IdP has registered. */
      readonly systemUser?: string;
    })
  | (MintVariants & {
      readonly kind: 'idporten';
      /** A registered ID-porten client id (`IDPORTEN_AUDIENCE`). */
      readonly audience: string;
      readonly pid?: string;
      readonly acr?: string;
    })
  | (MintVariants & {
      readonly kind: 'tokenx';
      /** A registered TokenX app, `cluster:namespace:app`. */
      readonly audience: string;
      /** The consumer, `cluster:namespace:app`. */
      readonly clientId: string;
      readonly pid?: string;
      readonly acr?: string;
    });

/** A mint request the endpoint refuses with 400; the message names the field, never its value. */
export class MintRequestError extends Error {}

const VARIANT_FIELDS = ['expired', 'unpublishedKey'] as const;

const FIELDS: Record<MintKind, readonly string[]> = {
  'azure-user': ['audience', 'navIdent', 'groups', 'scopes', 'name', ...VARIANT_FIELDS],
  'azure-app': ['caller', 'audience', 'roles', ...VARIANT_FIELDS],
  maskinporten: ['scopes', 'consumerOrg', 'audience', 'systemUser', ...VARIANT_FIELDS],
  idporten: ['audience', 'pid', 'acr', ...VARIANT_FIELDS],
  tokenx: ['audience', 'clientId', 'pid', 'acr', ...VARIANT_FIELDS],
};

const MAX_TEXT = 1024;
const MAX_ITEMS = 100;

type Body = Readonly<Record<string, unknown>>;

function text(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) {
    throw new MintRequestError(`"${field}" must be a non-empty string of at most ${MAX_TEXT} characters`);
  }
  return value;
}

function required(body: Body, field: string): string {
  const value = text(body, field);
  if (value === undefined) throw new MintRequestError(`"${field}" is required`);
  return value;
}

/** A list of strings; `spaceFree` for scopes, which tokens join with spaces (RFC 6749 §3.3). */
function list(body: Body, field: string, spaceFree = false): readonly string[] | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  const valid =
    Array.isArray(value) &&
    value.length <= MAX_ITEMS &&
    value.every((item) => typeof item === 'string' && item !== '' && item.length <= MAX_TEXT && !(spaceFree && /\s/.test(item)));
  if (!valid) {
    throw new MintRequestError(
      `"${field}" must be an array of at most ${MAX_ITEMS} non-empty strings${spaceFree ? ' without spaces' : ''}`,
    );
  }
  return value as string[];
}

/** A national id: 11 digits. The message never repeats the value, which is personal data. */
function pid(body: Body): string | undefined {
  const value = body.pid;
  if (value !== undefined && (typeof value !== 'string' || !/^[0-9]{11}$/.test(value))) {
    throw new MintRequestError('"pid" must be 11 digits (a fødselsnummer or d-nummer)');
  }
  return value;
}

function flag(body: Body, field: string): boolean {
  const value = body[field] ?? false;
  if (typeof value !== 'boolean') throw new MintRequestError(`"${field}" must be true or false`);
  return value;
}

/** Puts `value` under `field` only when it is set, for objects with exact optional properties. */
function optional<K extends string, V>(field: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [field]: value }) as { [P in K]?: V };
}

/**
 * Parses the JSON body of a mint request strictly: an object with only the fields its kind
 * takes, each of the right type. Throws {@link MintRequestError} naming the first problem.
 */
export function parseMintRequest(kind: MintKind, raw: string): MintRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new MintRequestError('the body must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new MintRequestError('the body must be a JSON object');
  const body = parsed as Body;
  const unknown = Object.keys(body).find((field) => !FIELDS[kind].includes(field));
  if (unknown !== undefined) {
    throw new MintRequestError(`unknown field "${unknown.slice(0, 64)}" for ${kind} (it takes ${FIELDS[kind].join(', ')})`);
  }
  const variants = { expired: flag(body, 'expired'), unpublishedKey: flag(body, 'unpublishedKey') };
  switch (kind) {
    case 'azure-user':
      return {
        kind,
        audience: required(body, 'audience'),
        ...optional('navIdent', text(body, 'navIdent')),
        ...optional('groups', list(body, 'groups')),
        ...optional('scopes', list(body, 'scopes', true)),
        ...optional('name', text(body, 'name')),
        ...variants,
      };
    case 'azure-app':
      return {
        kind,
        caller: required(body, 'caller'),
        audience: required(body, 'audience'),
        ...optional('roles', list(body, 'roles')),
        ...variants,
      };
    case 'maskinporten': {
      const scopes = list(body, 'scopes', true);
      if (scopes === undefined || scopes.length === 0) throw new MintRequestError('"scopes" is required and must not be empty');
      const consumerOrg = text(body, 'consumerOrg');
      if (consumerOrg !== undefined && !isOrgno(consumerOrg)) {
        throw new MintRequestError('"consumerOrg" must be a valid 9-digit organisation number');
      }
      const systemUser = text(body, 'systemUser');
      if (consumerOrg === undefined && systemUser === undefined) {
        throw new MintRequestError('"consumerOrg" is required unless "systemUser" names a registered system user');
      }
      return {
        kind,
        scopes,
        ...optional('consumerOrg', consumerOrg),
        ...optional('audience', text(body, 'audience')),
        ...optional('systemUser', systemUser),
        ...variants,
      };
    }
    case 'idporten':
      return {
        kind,
        audience: required(body, 'audience'),
        ...optional('pid', pid(body)),
        ...optional('acr', text(body, 'acr')),
        ...variants,
      };
    case 'tokenx':
      return {
        kind,
        audience: required(body, 'audience'),
        clientId: required(body, 'clientId'),
        ...optional('pid', pid(body)),
        ...optional('acr', text(body, 'acr')),
        ...variants,
      };
  }
}
