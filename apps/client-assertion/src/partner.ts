// Seed 004: a client that authenticates with private_key_jwt, publishes its keys at its own
// JWKS URI, and rotates them without downtime.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ClientCredentialsClient,
  type ClientKeyRotation,
  createClientCredentialsClient,
  createClientKeyRotation,
  createJwksHandler,
  generateClientKey,
} from '@nav-auth/node';

/** The client's side: keys, the JWKS URI that serves them, and a token client using them. */
export interface PartnerClient {
  readonly jwksUri: string;
  readonly keys: ClientKeyRotation;
  readonly tokens: ClientCredentialsClient;
  close(): Promise<void>;
}

/** Starts the client's JWKS URI on 127.0.0.1 and a token client for `issuer`. */
export async function startPartnerClient(options: { readonly issuer: string; readonly clientId: string }): Promise<PartnerClient> {
  const keys = createClientKeyRotation({ current: (await generateClientKey({ alg: 'PS256' })).privateJwk });
  const server = createServer(createJwksHandler(() => keys.jwks(), { maxAgeSeconds: 60 }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks`,
    keys,
    tokens: createClientCredentialsClient({ issuer: options.issuer, clientId: options.clientId, credential: { keyRotation: keys } }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** One rotation step: publish a new key now, start signing with it once servers had time to fetch it. */
export async function rotate(partner: PartnerClient): Promise<void> {
  partner.keys.stage((await generateClientKey({ alg: 'PS256' })).privateJwk);
}
