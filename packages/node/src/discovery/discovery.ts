import { DiscoveryError, endpointUrlProblem, type IssuerMetadata } from '@nav-auth/core';
import type { Dispatcher } from 'undici';
import { sendRequest } from '../http/transport.js';

export type { IssuerMetadata } from '@nav-auth/core';

/** Options for {@link discoverIssuer}. */
export interface DiscoveryOptions {
  /** The undici dispatcher for the request (default: nav-auth's shared one). */
  readonly dispatcher?: Dispatcher | undefined;
  /** Timeout of the discovery request, in ms. */
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
 *
 * @throws {@link NavAuthError} rejects with `ERR_DISCOVERY` when the answer is not a 200 JSON document or its `issuer` is not exactly the expected one.
 * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network or its response is too large.
 * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the request times out.
 */
export async function discoverIssuer(
  wellKnownUrl: string,
  expectedIssuer: string,
  options: DiscoveryOptions = {},
): Promise<IssuerMetadata> {
  const metadata = await fetchMetadata(wellKnownUrl, options);
  if (metadata.issuer !== expectedIssuer) throw new DiscoveryError('discovery "issuer" does not match the configured issuer');
  return metadata;
}

/**
 * Fetches the metadata at `wellKnownUrl` when the issuer is not known beforehand, and checks
 * that the URL is a well-known URL of the `issuer` it names: RFC 8414's (inserted after the
 * host, or appended, as Maskinporten and most servers do) or OpenID Connect's. A document
 * that claims an issuer it was not fetched for is refused.
 *
 * @throws {@link NavAuthError} rejects with `ERR_DISCOVERY` when the URL is not https, the answer is not a 200 JSON document, or its `issuer` does not belong to the URL.
 * @throws {@link NavAuthError} rejects with `ERR_TRANSPORT` when the request fails on the network or its response is too large.
 * @throws {@link NavAuthError} rejects with `ERR_TIMEOUT` when the request times out.
 */
export async function discoverFromWellKnownUrl(wellKnownUrl: string, options: DiscoveryOptions = {}): Promise<IssuerMetadata> {
  const metadata = await fetchMetadata(wellKnownUrl, options);
  let belongs: boolean;
  try {
    const appended = metadata.issuer.replace(/\/$/, '');
    belongs = [
      oauthWellKnownUrl(metadata.issuer),
      `${appended}/.well-known/oauth-authorization-server`,
      openIdWellKnownUrl(metadata.issuer),
    ].includes(wellKnownUrl);
  } catch {
    belongs = false;
  }
  if (!belongs) throw new DiscoveryError('discovery "issuer" is not the issuer this well-known URL belongs to');
  return metadata;
}

async function fetchMetadata(wellKnownUrl: string, options: DiscoveryOptions): Promise<IssuerMetadata> {
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
  if (typeof record.issuer !== 'string' || record.issuer.length === 0) throw new DiscoveryError('discovery document has no "issuer"');
  return { issuer: record.issuer, tokenEndpoint: checkedUrl(record, 'token_endpoint'), jwksUri: checkedUrl(record, 'jwks_uri') };
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
