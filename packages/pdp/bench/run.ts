// pnpm bench (pdp): batching, decision caching and how cost grows with work, against a loopback PDP, measured in one run.
import { randomUUID } from 'node:crypto';
import { parseMaskinportenConfig } from '@nav-auth/core';
import { createMaskinportenClient } from '@nav-auth/node';
import { startLocalIdp } from '@nav-auth/testing';
import { createPdpClient, type DecisionInput, PDP_SCOPE, type PdpClientOptions } from '../src/index.js';

/** One row of the table printed at the end; `pass` is undefined for figures that are only reported. */
const rows: { what: string; measured: string; target: string; pass: boolean | undefined }[] = [];
const record = (what: string, measured: string, target: string, pass: boolean) => rows.push({ what, measured, target, pass });
const report = (what: string, measured: string, pass?: boolean) => rows.push({ what, measured, target: 'report', pass });

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
const pdpCalls = () => idp.requests.filter((r) => r.endpoint === 'altinn.pdp').length;
/** Client options as an application would pass them; everything else is the client's default. */
const connection = { baseUrl: `${idp.url}/altinn`, subscriptionKey: 'bench', maskinporten } satisfies PdpClientOptions;

const pdp = createPdpClient({ ...connection, decisionCacheTtlMs: 60_000 });
await pdp.authorize({ systemUserId, action: 'read', resource: 'warmup', party: parties[0] as string });

const before = pdpCalls();
const decisions = await Promise.all(
  parties.map((party) => pdp.authorize({ systemUserId, action: 'read', resource: 'kravogbetaling', party })),
);
const calls = pdpCalls() - before;
record(
  `${parties.length} concurrent distinct authorizations`,
  `${calls} PDP request(s), ${decisions.filter((d) => d.permit).length} permits`,
  '<= 2',
  calls <= 2 && decisions.every((d) => d.permit),
);

// A loopback round trip, uncached, one question at a time; then the same question from the cache.
const uncached = createPdpClient({ ...connection, batchWindowMs: 0 });
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
record(
  'cached decision vs a loopback PDP round trip',
  `${(roundTripUs / cachedUs).toFixed(0)}x faster`,
  '>= 100x',
  roundTripUs / cachedUs >= 100,
);
report('  loopback PDP round trip, one question at a time', `${roundTripUs.toFixed(0)} µs`);
report('  cached decision', `${cachedUs.toFixed(2)} µs`);

// How cost grows with work: N distinct system users each ask one distinct question at once, over real HTTP
// with the default client (2 ms batch window, at most 50 per call); then, with the decision cache on, a
// second wave of the same questions. Each round measures every size, in an order that rotates, so that
// machine noise hits all sizes alike; the figures are medians over the rounds.
const SIZES = [10, 100, 1000] as const;
const ROUNDS = 9;
const users = new Map<number, DecisionInput[]>();
for (const size of SIZES) {
  const questions: DecisionInput[] = [];
  for (let i = 0; i < size; i++) {
    const input = { systemUserId: randomUUID(), action: 'read', resource: 'kravogbetaling', party: parties[i % parties.length] as string };
    idp.addPdpPolicy({ systemUserId: input.systemUserId, resource: input.resource, action: input.action, org: input.party });
    questions.push(input);
  }
  users.set(size, questions);
}
const gc = (globalThis as { gc?: () => void }).gc;

/** Asks every question at once; decisions per second, PDP requests made, and how many were not a Permit. */
const wave = async (client: ReturnType<typeof createPdpClient>, questions: readonly DecisionInput[]) => {
  gc?.();
  const requestsBefore = pdpCalls();
  const start = performance.now();
  const answers = await Promise.all(questions.map((q) => client.authorize(q)));
  const ms = performance.now() - start;
  return {
    perSecond: (questions.length / ms) * 1000,
    requests: pdpCalls() - requestsBefore,
    denied: answers.filter((d) => !d.permit).length,
  };
};
/** A new client whose Altinn token is already fetched, so that no wave pays for the token exchange. */
const freshClient = async (options: Partial<PdpClientOptions>) => {
  const client = createPdpClient({ ...connection, ...options });
  await client.authorize({ systemUserId, action: 'read', resource: 'warmup', party: parties[0] as string });
  return client;
};

type Sample = Awaited<ReturnType<typeof wave>>;
const samples = new Map<string, Sample[]>();
const plain = await freshClient({});
// Round 0 warms the code paths and is not counted.
for (let round = 0; round <= ROUNDS; round++) {
  for (let k = 0; k < SIZES.length; k++) {
    const size = SIZES[(round + k) % SIZES.length] as number;
    const questions = users.get(size) as DecisionInput[];
    const cache = await freshClient({ decisionCacheTtlMs: 60_000 });
    const measure = {
      uncached: () => wave(plain, questions),
      cached: async () => {
        await wave(cache, questions); // the first wave fills the cache
        return wave(cache, questions);
      },
    };
    for (const mode of round % 2 === 0 ? (['uncached', 'cached'] as const) : (['cached', 'uncached'] as const)) {
      const sample = await measure[mode]();
      if (round === 0) continue;
      const key = `${size} ${mode}`;
      samples.set(key, [...(samples.get(key) ?? []), sample]);
    }
  }
}
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')} decisions/s`;
for (const mode of ['uncached', 'cached'] as const) {
  for (const size of SIZES) {
    const runs = samples.get(`${size} ${mode}`) as Sample[];
    const requests = runs.map((s) => s.requests);
    const [fewest, most] = [Math.min(...requests), Math.max(...requests)];
    const denied = runs.reduce((sum, s) => sum + s.denied, 0);
    report(
      mode === 'uncached'
        ? `${size} concurrent distinct system users, default client`
        : `${size} concurrent distinct system users, cached 2nd wave`,
      `${perSecond(median(runs.map((s) => s.perSecond)))}, ${median(requests)} PDP request(s)` +
        (fewest === most ? '' : ` (${fewest}-${most})`) +
        (denied === 0 ? '' : `, ${denied} not permitted`),
      // Every question has a Permit policy: anything else means the figures measured failures.
      denied === 0 ? undefined : false,
    );
  }
}

await idp.close();
const targets = rows.filter((r) => r.target !== 'report');
console.log(
  `pnpm bench (pdp): loopback PDP from @nav-auth/testing on 127.0.0.1; scaling rows are medians of ${ROUNDS} interleaved rounds. ` +
    `${targets.filter((r) => r.pass).length} of ${targets.length} targets met.\n`,
);
const cells = rows.map((r) => [r.what, r.measured, r.target, r.pass === undefined ? '-' : r.pass ? 'PASS' : 'FAIL']);
const header = ['what', 'measured', 'target', 'pass'];
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
console.log([line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n'));
process.exitCode = rows.every((r) => r.pass !== false) ? 0 : 1;
