// pnpm bench (pdp): batching and decision caching against a loopback PDP, measured in one run.
import { parseMaskinportenConfig } from '@nav-auth/core';
import { createMaskinportenClient } from '@nav-auth/node';
import { startLocalIdp } from '@nav-auth/testing';
import { createPdpClient, PDP_SCOPE } from '../src/index.js';

const results: boolean[] = [];
const record = (name: string, value: string, target: string, pass: boolean) => {
  results.push(pass);
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${name}: ${value} (target ${target})`);
};

const idp = await startLocalIdp({ subscriptionKey: 'bench' });
const registered = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: [PDP_SCOPE] });
const maskinporten = createMaskinportenClient({ config: parseMaskinportenConfig(registered.env) });
const systemUserId = 'a6355a68-86b8-4344-8a81-0248cb461468';
/** 100 distinct organisation numbers with valid mod-11 check digits. */
const parties: string[] = [];
for (let i = 0; parties.length < 100; i++) {
  const base = String(10_000_000 + i * 7919);
  const remainder = [3, 2, 7, 6, 5, 4, 3, 2].reduce((sum, weight, j) => sum + weight * Number(base[j]), 0) % 11;
  const check = remainder === 0 ? 0 : 11 - remainder;
  if (check !== 10) parties.push(`${base}${check}`);
}
for (const party of parties) idp.addPdpPolicy({ systemUserId, resource: 'kravogbetaling', action: 'read', org: party });

const pdp = createPdpClient({ baseUrl: `${idp.url}/altinn`, subscriptionKey: 'bench', maskinporten, decisionCacheTtlMs: 60_000 });
await pdp.authorize({ systemUserId, action: 'read', resource: 'warmup', party: parties[0] as string });

const before = idp.requests.filter((r) => r.endpoint === 'altinn.pdp').length;
const decisions = await Promise.all(
  parties.map((party) => pdp.authorize({ systemUserId, action: 'read', resource: 'kravogbetaling', party })),
);
const calls = idp.requests.filter((r) => r.endpoint === 'altinn.pdp').length - before;
console.log(
  `${parties.length} concurrent distinct authorizations: ${calls} PDP request(s), ${decisions.filter((d) => d.permit).length} permits`,
);
record(
  `${parties.length} concurrent distinct authorizations`,
  `${calls} PDP request(s)`,
  '<= 2',
  calls <= 2 && decisions.every((d) => d.permit),
);

// A loopback round trip, uncached, one question at a time; then the same question from the cache.
const uncached = createPdpClient({ baseUrl: `${idp.url}/altinn`, subscriptionKey: 'bench', maskinporten, batchWindowMs: 0 });
const question = { systemUserId, action: 'read', resource: 'kravogbetaling', party: parties[1] as string };
await uncached.authorize(question);
let started = performance.now();
const ROUND_TRIPS = 300;
for (let i = 0; i < ROUND_TRIPS; i++) await uncached.authorize(question);
const roundTripUs = ((performance.now() - started) / ROUND_TRIPS) * 1000;
const CACHED = 200_000;
started = performance.now();
for (let i = 0; i < CACHED; i++) await pdp.authorize(question);
const cachedUs = ((performance.now() - started) / CACHED) * 1000;
console.log(`loopback PDP round trip ${roundTripUs.toFixed(0)} µs, cached decision ${cachedUs.toFixed(2)} µs`);
record(
  'cached decision vs a loopback PDP round trip',
  `${(roundTripUs / cachedUs).toFixed(0)}x faster`,
  '>= 100x',
  roundTripUs / cachedUs >= 100,
);

await idp.close();
console.log(`\n${results.filter(Boolean).length} of ${results.length} targets met`);
process.exitCode = results.every(Boolean) ? 0 : 1;
