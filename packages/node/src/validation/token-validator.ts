import {
  type AzureClaims,
  buildTexasIntrospectionRequest,
  ConfigError,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  type EnvironmentRecord,
  endpointUrlProblem,
  type IdportenClaims,
  InvalidInputError,
  isNavAuthError,
  type JwtPayload,
  type LoginLevel,
  type MaskinportenClaims,
  parseTexasIntrospection,
  TEXAS_VARIABLES,
  type TexasIdentityProvider,
  TokenValidationError,
  type TokenXClaims,
  validateAudience,
  validateAzureClaims,
  validateIdportenClaims,
  validateIssuer,
  validateMaskinportenClaims,
  validateTimeClaims,
  validateTokenXClaims,
} from '@nav-auth/core';
import type { Dispatcher } from 'undici';
import { discoverIssuer } from '../discovery/discovery.js';
import { isObserved, publishEvent } from '../events/channels.js';
import { isTraced, traced } from '../events/traces.js';
import { sendRequest } from '../http/transport.js';
import { createRemoteKeySet, type KeySet, type KeySetEvent } from '../jwks/key-set.js';
import type { VerificationKey } from '../jwks/verification-key.js';
import { type CheckedHeader, type ParsedJws, parseJsonObject } from './parse-compact-jws.js';
import { VerifiedTokenCache } from './verified-token-cache.js';
import { parseForVerification, type VerifyJwsOptions, verifySignature } from './verify-jws.js';

/** Claims of a token from any issuer, for the generic profile. */
export interface GenericClaims {
  readonly issuer: string;
  readonly subject: string | undefined;
  readonly audience: readonly string[] | undefined;
  readonly scopes: readonly string[];
  readonly clientId: string | undefined;
  readonly expiresAt: number;
  readonly issuedAt: number | undefined;
  /** The whole verified payload, for claims the typed view leaves out. */
  readonly payload: JwtPayload;
}

interface CommonValidatorOptions {
  /** The issuer, matched exactly against `iss` and the discovery document. */
  readonly issuer: string;
  /** The issuer's JWKS; without it, it is found by discovery at `wellKnownUrl`. */
  readonly jwksUri?: string;
  readonly wellKnownUrl?: string;
  /** Or a key set of your own (a local JWKS, say). */
  readonly keySet?: KeySet;
  readonly clockToleranceSeconds?: number;
  readonly maxTokenAgeSeconds?: number;
  /** Largest token accepted, in characters (default 16 KiB). */
  readonly maxTokenBytes?: number;
  /**
   * Verified tokens remembered while their time claims hold, from their second sighting on
   * (default 2000, about 4.5 MiB with 1.4 KB tokens; 0 turns the cache off). A miss costs one
   * signature check (about 30 µs for RS256), an entry about 2 KB: the bound is set by memory.
   */
  readonly cacheMaxEntries?: number;
  /** Wall clock in ms since the epoch (default `Date.now`). */
  readonly clock?: () => number;
  /** The undici dispatcher for JWKS and discovery fetches (default: nav-auth's shared one). */
  readonly dispatcher?: Dispatcher;
  /** Key-set tuning: see `createRemoteKeySet`. */
  readonly jwks?: {
    readonly cooldownMs?: number;
    readonly refreshIntervalMs?: number;
    readonly maxStaleMs?: number;
    readonly timeoutMs?: number;
  };
  /** Told about the key set's refresh failures and skipped keys (the key set's `onEvent`). */
  readonly onKeySetEvent?: (event: KeySetEvent) => void;
  /**
   * `'local'` (default): the signature and every rule checked here, against the issuer's JWKS.
   * `'introspection'`: Texas checks the token (`NAIS_TOKEN_INTROSPECTION_ENDPOINT`: signature,
   * issuer, times, audience), then the same claim rules run here, since Texas checks none of
   * them (roles, scp, idtyp, acr, pid, consumer, scopes). Local is faster and checks more.
   */
  readonly verification?: 'local' | 'introspection';
  /** Where `NAIS_TOKEN_INTROSPECTION_ENDPOINT` is read for introspection (default `process.env`). */
  readonly env?: EnvironmentRecord;
  /** Per introspection request, in ms (default 3000). */
  readonly introspectionTimeoutMs?: number;
}

/** Options for an Azure AD access token validator. */
export interface AzureValidatorOptions extends CommonValidatorOptions {
  /** Selects the Azure AD profile. */
  readonly profile: 'azure';
  /** `AZURE_APP_CLIENT_ID`. */
  readonly audience: string | readonly string[];
  /** Tenants accepted when `issuer` is a `{tenantid}` template. */
  readonly allowedTenantIds?: readonly string[];
  /** Accept only app tokens or only user tokens (default: both). */
  readonly kind?: 'app' | 'user';
}

/** Options for a Maskinporten access token validator. */
export interface MaskinportenValidatorOptions extends CommonValidatorOptions {
  /** Selects the Maskinporten profile. */
  readonly profile: 'maskinporten';
  /** Scopes the token must carry, all of them; without an audience, scope is what authorizes. */
  readonly requiredScopes: readonly string[];
  /** Require audience-restricted tokens with this `aud`. */
  readonly audience?: string;
  /** Only these consumer organisation numbers are accepted. */
  readonly allowedConsumerOrgs?: readonly string[];
  /** Require an Altinn system user in `authorization_details`. */
  readonly requireSystemUser?: boolean;
}

interface CitizenValidatorOptions extends CommonValidatorOptions {
  /**
   * The lowest login level accepted (default `'high'`, the login proxy's default);
   * `'substantial'` accepts both.
   */
  readonly requiredLoginLevel?: LoginLevel;
  /** Only tokens whose `client_id` is one of these. */
  readonly allowedClients?: readonly string[];
}

/** Options for a TokenX token validator. */
export interface TokenXValidatorOptions extends CitizenValidatorOptions {
  /** Selects the TokenX profile. */
  readonly profile: 'tokenx';
  /** `TOKEN_X_CLIENT_ID`. */
  readonly audience: string | readonly string[];
  /** The `cluster:namespace:app` callers accepted (`client_id`): defence in depth behind TokenX's inbound policy. */
  readonly allowedClients?: readonly string[];
}

/** Options for an ID-porten access token validator. */
export interface IdportenValidatorOptions extends CitizenValidatorOptions {
  /** Selects the ID-porten profile. */
  readonly profile: 'idporten';
  /** `IDPORTEN_AUDIENCE`. */
  readonly audience: string | readonly string[];
}

/** Options for a validator of any issuer's JWT access tokens (RFC 9068 or plain JWT). */
export interface GenericValidatorOptions extends CommonValidatorOptions {
  /** Selects the generic JWT profile. */
  readonly profile: 'generic';
  /** Expected `aud`; `false` only when the issuer mints no audience and scopes authorize. */
  readonly audience: string | readonly string[] | false;
  /** Accepted algorithms (default PS256, RS256, ES256). */
  readonly algorithms?: readonly ('RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256')[];
}

/** Options for {@link createTokenValidator}. */
export type TokenValidatorOptions =
  | AzureValidatorOptions
  | MaskinportenValidatorOptions
  | TokenXValidatorOptions
  | IdportenValidatorOptions
  | GenericValidatorOptions;

/**
 * What a validator publishes on the `nav-auth:validation` channel for each token, when anyone
 * subscribes: the profile, the outcome and, for a refusal, the error code with its reason (and
 * claim); never the token or a claim's value.
 */
export interface ValidationEvent {
  readonly type: 'validation';
  readonly profile: TokenValidatorOptions['profile'];
  /** `unavailable`: the token could not be checked (no keys, Texas down), which is answered 503. */
  readonly outcome: 'valid' | 'invalid' | 'unavailable';
  /** `ERR_CLAIM_VALIDATION:acr:insufficient`, `ERR_TOKEN_INVALID:invalid_signature`, ...; `undefined` when valid. */
  readonly reason: string | undefined;
  readonly durationMs: number;
}

/** Checks bearer tokens from one issuer. */
export interface TokenValidator<Claims> {
  /**
   * Resolves the typed claims of a valid token; rejects with a coded nav-auth error otherwise.
   *
   * @throws {@link NavAuthError} rejects with `ERR_TOKEN_INVALID` when the token is malformed, too large, of a refused `alg` or `typ`, signed by an unknown key or wrongly signed, or (introspection) inactive.
   * @throws {@link NavAuthError} rejects with `ERR_CLAIM_VALIDATION` when a claim is missing, malformed, expired or not what the profile requires (`claim` and `reason` say which).
   * @throws {@link NavAuthError} rejects with `ERR_JWKS_UNAVAILABLE` when the issuer's keys cannot be had.
   * @throws {@link NavAuthError} rejects with `ERR_DISCOVERY` when the validator was given a `wellKnownUrl` and discovery fails.
   * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT`, `ERR_TIMEOUT` or `ERR_TOKEN_RESPONSE` when introspection through Texas fails.
   */
  validate(token: string): Promise<Claims>;
}

type ClaimsOf<O extends TokenValidatorOptions> = O extends AzureValidatorOptions
  ? AzureClaims
  : O extends MaskinportenValidatorOptions
    ? MaskinportenClaims
    : O extends TokenXValidatorOptions
      ? TokenXClaims
      : O extends IdportenValidatorOptions
        ? IdportenClaims
        : GenericClaims;

interface Profile {
  /** Texas' name for the issuer, for introspection; `undefined` for the generic profile, which Texas does not serve. */
  readonly texasProvider: TexasIdentityProvider | undefined;
  readonly algorithms: ReadonlySet<string>;
  readonly requireKid: boolean;
  /** Accepted `typ` values (lower case, without `application/`); `undefined` when it may be absent. */
  readonly types: ReadonlySet<string | undefined>;
  readonly claims: (payload: JwtPayload, now: Date) => unknown;
}

function profileOf(options: TokenValidatorOptions): Profile {
  switch (options.profile) {
    case 'azure': {
      // Entra access tokens are always typ "JWT" (never at+jwt), RS256, with a kid.
      const { issuer, audience, clockToleranceSeconds, maxTokenAgeSeconds, allowedTenantIds, kind } = options;
      return {
        texasProvider: 'entra_id',
        algorithms: new Set(['RS256']),
        requireKid: true,
        types: new Set(['jwt']),
        // One object literal of one shape per call: this runs for every token.
        claims: (payload, now) =>
          validateAzureClaims(payload, { issuer, audience, now, clockToleranceSeconds, maxTokenAgeSeconds, allowedTenantIds, kind }),
      };
    }
    case 'maskinporten': {
      const { issuer, requiredScopes, audience, allowedConsumerOrgs, requireSystemUser, clockToleranceSeconds, maxTokenAgeSeconds } =
        options;
      return {
        texasProvider: 'maskinporten',
        algorithms: new Set(['RS256']),
        requireKid: true,
        types: new Set([undefined, 'jwt', 'at+jwt']),
        claims: (payload, now) =>
          validateMaskinportenClaims(payload, {
            issuer,
            requiredScopes,
            audience,
            allowedConsumerOrgs,
            requireSystemUser,
            now,
            clockToleranceSeconds,
            maxTokenAgeSeconds,
          }),
      };
    }
    case 'tokenx':
    case 'idporten': {
      // tokendings signs RS256 with a kid and typ "JWT"; ID-porten access tokens are RS256 with a kid.
      const { issuer, audience, clockToleranceSeconds, maxTokenAgeSeconds, requiredLoginLevel, allowedClients } = options;
      const validate = options.profile === 'tokenx' ? validateTokenXClaims : validateIdportenClaims;
      return {
        texasProvider: options.profile,
        algorithms: new Set(['RS256']),
        requireKid: true,
        types: new Set([undefined, 'jwt', 'at+jwt']),
        claims: (payload, now) =>
          validate(payload, { issuer, audience, now, clockToleranceSeconds, maxTokenAgeSeconds, requiredLoginLevel, allowedClients }),
      };
    }
    case 'generic': {
      const { clockToleranceSeconds, maxTokenAgeSeconds } = options;
      return {
        texasProvider: undefined,
        algorithms: new Set(options.algorithms ?? ['PS256', 'RS256', 'ES256']),
        requireKid: false,
        types: new Set([undefined, 'jwt', 'at+jwt']),
        claims: (payload, now): GenericClaims => {
          const issuer = validateIssuer(payload, options.issuer);
          const times = validateTimeClaims(payload, { now, clockToleranceSeconds, maxTokenAgeSeconds, requireIssuedAt: false });
          const audience = options.audience === false ? undefined : validateAudience(payload, options.audience);
          const scope = payload.scope;
          return {
            issuer,
            subject: typeof payload.sub === 'string' ? payload.sub : undefined,
            audience,
            scopes: typeof scope === 'string' && scope.length > 0 ? scope.split(' ') : [],
            clientId: typeof payload.client_id === 'string' ? payload.client_id : undefined,
            expiresAt: times.expiresAt,
            issuedAt: times.issuedAt,
            payload,
          };
        },
      };
    }
  }
}

/** The time claims of a payload the profile's claim rules have checked as NumericDates. */
function timesOf(payload: JwtPayload) {
  return {
    expiresAt: payload.exp as number,
    notBefore: typeof payload.nbf === 'number' ? payload.nbf : undefined,
    issuedAt: typeof payload.iat === 'number' ? payload.iat : undefined,
  };
}

/**
 * With `verification: 'introspection'`, the function that asks Texas about a token and gives
 * its claims (or throws `ERR_TOKEN_INVALID` reason `inactive`); `undefined` for local
 * verification. The endpoint is checked at creation.
 */
function introspectionOf(options: TokenValidatorOptions, profile: Profile): ((token: string) => Promise<JwtPayload>) | undefined {
  const { verification } = options;
  if (verification === undefined || verification === 'local') return undefined;
  if (verification !== 'introspection') throw new InvalidInputError('verification', "must be 'local' or 'introspection'");
  const provider = profile.texasProvider;
  if (provider === undefined)
    throw new InvalidInputError('verification', 'Texas introspects only Azure AD, Maskinporten, TokenX and ID-porten tokens');
  const variable = TEXAS_VARIABLES.introspection;
  const endpoint = (options.env ?? process.env)[variable]?.trim() ?? '';
  const problem = endpoint === '' ? "is missing: verification 'introspection' needs Texas" : endpointUrlProblem(endpoint);
  if (problem !== undefined) throw new ConfigError([{ variable, reason: problem }]);
  const timeoutMs = options.introspectionTimeoutMs ?? 3000;
  return async (token) => {
    const request = buildTexasIntrospectionRequest({ endpoint, identityProvider: provider, token });
    const response = await sendRequest(request, { dispatcher: options.dispatcher, timeoutMs, purpose: 'Texas introspection' });
    return parseTexasIntrospection(response.status, response.body);
  };
}

function normalizedType(typ: unknown): string | undefined | null {
  if (typ === undefined) return undefined;
  if (typeof typ !== 'string') return null;
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/**
 * Creates a validator for one issuer: strict parsing before any crypto, the signature
 * checked with node:crypto against the issuer's JWKS (discovered when not given), `typ`
 * checked per profile, then core's claim rules for Azure AD, Maskinporten, TokenX, ID-porten
 * or any issuer.
 * Valid tokens are remembered (core's time rules applied again on every hit, maximum age
 * included), so a token seen before costs a map lookup.
 *
 * @throws {@link NavAuthError} `ERR_CONFIG` when the Texas introspection endpoint is missing or malformed.
 * @throws {@link NavAuthError} `ERR_INVALID_INPUT` when `verification` is neither `'local'` nor `'introspection'`, or Texas cannot introspect this profile.
 *
 * @example
 * const validator = createTokenValidator({
 *   profile: 'azure', issuer: env.AZURE_OPENID_CONFIG_ISSUER, jwksUri: env.AZURE_OPENID_CONFIG_JWKS_URI,
 *   audience: env.AZURE_APP_CLIENT_ID,
 * });
 * const claims = await validator.validate(bearerToken); // AzureClaims
 */
export function createTokenValidator<O extends TokenValidatorOptions>(options: O): TokenValidator<ClaimsOf<O>> {
  return observed(options.profile, createUnobservedValidator(options));
}

/** The refusal's code, reason and claim, as the validation channel reports them. */
function refusalOf(error: unknown): string {
  if (isNavAuthError(error, 'ERR_CLAIM_VALIDATION')) return `${error.code}:${error.claim}:${error.reason}`;
  if (isNavAuthError(error, 'ERR_TOKEN_INVALID')) return `${error.code}:${error.reason}`;
  return isNavAuthError(error) ? error.code : 'ERR_UNKNOWN';
}

/**
 * `validator`, publishing a {@link ValidationEvent} per token on `nav-auth:validation` and
 * tracing it as `nav-auth:token.validate` while those channels have subscribers; without any,
 * a call costs two property reads more.
 */
function observed<C>(profile: TokenValidatorOptions['profile'], validator: TokenValidator<C>): TokenValidator<C> {
  const attributes = () => ({ profile });
  const validate = (token: string) =>
    traced('token.validate', attributes, (trace) => {
      const started = performance.now();
      return validator.validate(token).then(
        (claims) => {
          if (trace !== undefined) trace.attributes.outcome = 'valid';
          publishEvent<ValidationEvent>('validation', undefined, {
            type: 'validation',
            profile,
            outcome: 'valid',
            reason: undefined,
            durationMs: performance.now() - started,
          });
          return claims;
        },
        (error: unknown) => {
          const invalid = isNavAuthError(error, 'ERR_CLAIM_VALIDATION') || isNavAuthError(error, 'ERR_TOKEN_INVALID');
          const outcome = invalid ? 'invalid' : 'unavailable';
          const reason = refusalOf(error);
          if (trace !== undefined) Object.assign(trace.attributes, { outcome, reason });
          publishEvent<ValidationEvent>('validation', undefined, {
            type: 'validation',
            profile,
            outcome,
            reason,
            durationMs: performance.now() - started,
          });
          throw error;
        },
      );
    });
  return {
    validate(token) {
      if (!isObserved('validation', undefined) && !isTraced('token.validate')) return validator.validate(token);
      return validate(token);
    },
  };
}

/** {@link createTokenValidator} without its validation channel: what `pnpm bench` measures the channel's cost against. */
export function createUnobservedValidator<O extends TokenValidatorOptions>(options: O): TokenValidator<ClaimsOf<O>> {
  const profile = profileOf(options);
  const clock = options.clock ?? Date.now;
  const skew = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const cacheSize = options.cacheMaxEntries ?? 2000;
  const cache = cacheSize > 0 ? new VerifiedTokenCache<ClaimsOf<O>>(cacheSize, skew, options.maxTokenAgeSeconds) : undefined;
  let keySet: Promise<KeySet> | undefined;
  let resolvedKeySet: KeySet | undefined;
  const verifyOptions: VerifyJwsOptions = {
    algorithms: profile.algorithms,
    requireKid: profile.requireKid,
    headerCache: new Map<string, CheckedHeader>(),
    ...(options.maxTokenBytes === undefined ? {} : { maxTokenBytes: options.maxTokenBytes }),
  };

  const keys = (): Promise<KeySet> => {
    keySet ??= (async () => {
      if (options.keySet !== undefined) return options.keySet;
      let jwksUri = options.jwksUri;
      if (jwksUri === undefined) {
        if (options.wellKnownUrl === undefined) throw new TypeError('give jwksUri, wellKnownUrl or keySet');
        jwksUri = (await discoverIssuer(options.wellKnownUrl, options.issuer, { dispatcher: options.dispatcher })).jwksUri;
        if (jwksUri === undefined) throw new TypeError('the discovery document has no jwks_uri');
      }
      return createRemoteKeySet({
        jwksUri,
        dispatcher: options.dispatcher,
        ...options.jwks,
        ...(options.onKeySetEvent === undefined ? {} : { onEvent: options.onKeySetEvent }),
      });
    })().catch((error: unknown) => {
      keySet = undefined;
      throw error;
    });
    return keySet;
  };

  // Per header object, which the parser caches per header text: `typ` is judged once per header.
  const typeVerdicts = new WeakMap<object, boolean>();
  const acceptsType = (header: Readonly<Record<string, unknown>>): boolean => {
    let verdict = typeVerdicts.get(header);
    if (verdict === undefined) {
      const typ = normalizedType(header.typ);
      verdict = typ !== null && profile.types.has(typ);
      typeVerdicts.set(header, verdict);
    }
    return verdict;
  };

  /** Everything after the key is found; synchronous, so a token whose key is at hand awaits nothing. */
  const check = (token: string, slot: number | undefined, jws: ParsedJws, key: VerificationKey, nowMs: number): ClaimsOf<O> => {
    verifySignature(jws, key);
    if (!acceptsType(jws.header)) throw new TokenValidationError('wrong_type', 'typ is not an access token type for this issuer');
    const payload = parseJsonObject(jws.payload, 'the payload');
    const claims = profile.claims(payload, new Date(nowMs)) as ClaimsOf<O>;
    if (slot !== undefined) cache?.remember(slot, token, claims, timesOf(payload));
    return claims;
  };

  const verifyWith = (keySet: KeySet, token: string, slot: number | undefined, nowMs: number): Promise<ClaimsOf<O>> => {
    try {
      const { jws, key } = parseForVerification(token, keySet, verifyOptions);
      if (key !== undefined) return Promise.resolve(check(token, slot, jws, key, nowMs));
      return keySet.getKey(jws.kid).then((found) => check(token, slot, jws, found, nowMs));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const introspect = introspectionOf(options, profile);
  if (introspect !== undefined) {
    return {
      async validate(token) {
        const nowMs = clock();
        const slot = cache === undefined || typeof token !== 'string' ? undefined : cache.slotOf(token);
        const remembered = slot === undefined ? undefined : cache?.lookup(slot, token, nowMs / 1000);
        if (remembered !== undefined) return remembered;
        if (typeof token !== 'string' || token.length === 0) throw new TokenValidationError('malformed', 'the token is not a string');
        const payload = await introspect(token);
        const claims = profile.claims(payload, new Date(nowMs)) as ClaimsOf<O>;
        if (slot !== undefined) cache?.remember(slot, token, claims, timesOf(payload));
        return claims;
      },
    };
  }

  return {
    validate(token) {
      const nowMs = clock();
      // Not a string: the parser refuses it; the cache only files strings.
      const slot = cache === undefined || typeof token !== 'string' ? undefined : cache.slotOf(token);
      const remembered = slot === undefined ? undefined : cache?.lookup(slot, token, nowMs / 1000);
      if (remembered !== undefined) return remembered;
      if (resolvedKeySet !== undefined) return verifyWith(resolvedKeySet, token, slot, nowMs);
      return keys().then((found) => {
        resolvedKeySet = found;
        return verifyWith(found, token, slot, nowMs);
      });
    },
  };
}
