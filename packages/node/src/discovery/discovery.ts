import { DiscoveryError, endpointUrlProblem } from '@nav-auth/core';
import type { Dispatcher } from 'undici';
import { sendRequest } from '../http/transport.js';

/** The parts of RFC 8414 / OpenID Connect Discovery metadata nav-auth uses. */
export interface IssuerMetadata {
  readonly issuer: string;
  readonly tokenEndpoint: string | undefined;
  readonly jwksUri: string | undefined;
}

/** Options for {@link discoverIssuer}. */
export interface DiscoveryOptions {
  readonly dispatcher?: Dispatcher | undefined;
  readonly timeoutMs?: number;
}

function checkedUrl(metadata: Record<string, unknown>, member: string): string | undefined {
  const value = metadata[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new DiscoveryError(`metadata "${member}" is not a string`);
  const problem = endpointUrlProblem(value);
  if (problem !== undefined) throw new DiscoveryError(`metadata "${member}" ${problem}`);
  return value;
}

/**
 * Fetches an issuer's metadata from `wellKnownUrl` and checks it: `issuer` must equal the
 * expected issuer exactly (RFC 8414 §3.3, OIDC Discovery §4.3), and the endpoint URLs must
 * be https (or loopback http).
 */
export async function discoverIssuer(
  wellKnownUrl: string,
  expectedIssuer: string,
  options: DiscoveryOptions = {},
): Promise<IssuerMetadata> {
  const problem = endpointUrlProblem(wellKnownUrl);
  if (problem !== undefined) throw new DiscoveryError(`well-known URL ${problem}`);
  const response = await sendRequest(
    { url: wellKnownUrl, method: 'GET', headers: { accept: 'application/json' } },
    { dispatcher: options.dispatcher, timeoutMs: options.timeoutMs ?? 5000, purpose: 'discovery', maxBodyBytes: 256 * 1024 },
  );
  if (response.status !== 200) throw new DiscoveryError(`discovery answered ${response.status}`);
  let metadata: unknown;
  try {
    metadata = JSON.parse(response.body);
  } catch {
    throw new DiscoveryError('discovery document is not JSON');
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw new DiscoveryError('discovery document is not an object');
  const record = metadata as Record<string, unknown>;
  if (record.issuer !== expectedIssuer) throw new DiscoveryError('discovery "issuer" does not match the configured issuer');
  return { issuer: expectedIssuer, tokenEndpoint: checkedUrl(record, 'token_endpoint'), jwksUri: checkedUrl(record, 'jwks_uri') };
}

/** The RFC 8414 well-known URL for an issuer (`/.well-known/oauth-authorization-server` inserted after the host). */
export function oauthWellKnownUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/** The OpenID Connect well-known URL for an issuer (`/.well-known/openid-configuration` appended). */
export function openIdWellKnownUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}
