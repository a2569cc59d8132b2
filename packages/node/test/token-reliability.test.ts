// Catalogue rows F01-F16 against real loopback servers: the strict local IdP with injected
// faults, a shared fake wall clock, and real timers for retries.
import { parseMaskinportenConfig, type TokenResponseError } from '@nav-auth/core';
import { type LocalIdp, type RegisteredMaskinportenClient, startLocalIdp } from '@nav-auth/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMaskinportenClient, type MaskinportenClientOptions, type TokenEvent } from '../src/index.js';

let now = Date.parse('2026-11-22T10:00:00Z');
const clock = () => now;
let idp: LocalIdp;
let registered: RegisteredMaskinportenClient;
const events: TokenEvent[] = [];

beforeAll(async () => {
  idp = await startLocalIdp({ now: () => new Date(now), tokenLifetimeSeconds: 120 });
  registered = await idp.registerMaskinportenClient({
    orgno: '889640782',
    scopes: ['nav:a', 'nav:b'],
    delegatedBy: ['974760673', '313367002'],
  });
});
afterEach(() => idp.clearFaults());
afterAll(() => idp.close());

function client(options: Partial<MaskinportenClientOptions> = {}) {
  return createMaskinportenClient({
    config: parseMaskinportenConfig(registered.env),
    clock,
    retry: { baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 2000 },
    attemptTimeoutMs: 500,
    deadlineMs: 3000,
    onEvent: (event) => events.push(event),
    ...options,
  });
}

const tokenRequests = () => idp.requests.filter((r) => r.endpoint === 'maskinporten.token').length;

describe('token engine reliability', () => {
  it('F01/F02: 100 concurrent callers on a cold cache send exactly one request; a warm cache sends none', async () => {
    const maskinporten = client();
    idp.injectFault('maskinporten.token', { type: 'delay', ms: 100 }, 1);
    const before = tokenRequests();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => maskinporten.getToken('nav:a')));
    expect(new Set(tokens).size).toBe(1);
    expect(tokenRequests() - before).toBe(1);
    await maskinporten.getToken('nav:a');
    expect(tokenRequests() - before).toBe(1);
  });

  it('a listener that throws neither fails nor retries the fetch', async () => {
    const maskinporten = client({
      onEvent: () => {
        throw new Error('metrics backend down');
      },
    });
    const before = tokenRequests();
    expect((await maskinporten.getToken('nav:a', { consumerOrg: '313367002' })).token).toMatch(/^ey/);
    expect(tokenRequests() - before).toBe(1);
  });

  it('F02: concurrent callers share one failure too', async () => {
    const maskinporten = client({ retry: { maxAttempts: 1 } });
    idp.injectFault('maskinporten.token', { type: 'status', status: 503 }, 1);
    const before = tokenRequests();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => maskinporten.getToken('nav:b')));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'ERR_TOKEN_ENDPOINT')).toBe(true);
    expect(tokenRequests() - before).toBe(1);
  });

  it('F03: refreshes ahead of expiry in the background while callers keep the current token', async () => {
    const maskinporten = client({ random: () => 0.5 });
    const first = await maskinporten.getToken('nav:a', { consumerOrg: '974760673' });
    // 120 s token: fresh for 60 s, background refresh from 85 % of that (51 s).
    now += 52_000;
    const before = tokenRequests();
    expect(await maskinporten.getToken('nav:a', { consumerOrg: '974760673' })).toBe(first);
    await expect.poll(() => tokenRequests() - before).toBe(1);
    await expect.poll(async () => (await maskinporten.getToken('nav:a', { consumerOrg: '974760673' })) !== first).toBe(true);
  });

  it('F04: serves a still-valid token while the endpoint is down, never an expired one', async () => {
    const maskinporten = client({ random: () => 0.5 });
    const first = await maskinporten.getToken('nav:b', { consumerOrg: '313367002' });
    idp.injectFault('maskinporten.token', { type: 'status', status: 503 });
    events.length = 0;
    for (const step of [52_000, 20_000, 20_000, 15_000]) {
      now += step;
      expect(await maskinporten.getToken('nav:b', { consumerOrg: '313367002' })).toBe(first);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(events.some((e) => e.type === 'refresh_failed')).toBe(true);
    expect(events.some((e) => e.type === 'stale_served')).toBe(true);
    now += 10_000; // 117 s after issue: inside the last 10 s of a 120 s token
    await expect(maskinporten.getToken('nav:b', { consumerOrg: '313367002' })).rejects.toMatchObject({
      code: 'ERR_TOKEN_ENDPOINT',
      status: 503,
    });
  });

  it('F05/F06: retries 5xx with backoff up to the attempt limit, then fails with a typed error', async () => {
    const maskinporten = client({ retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 50 } });
    idp.injectFault('maskinporten.token', { type: 'status', status: 500 });
    const before = tokenRequests();
    await expect(maskinporten.getToken('nav:a', { resource: 'https://f05.example/' })).rejects.toMatchObject({
      code: 'ERR_TOKEN_ENDPOINT',
      status: 500,
    });
    expect(tokenRequests() - before).toBe(3);
  });

  it('F06: recovers when the endpoint comes back within the retries, with a fresh jti per attempt (E04)', async () => {
    const maskinporten = client();
    idp.injectFault('maskinporten.token', { type: 'status', status: 502 }, 2);
    const log = idp.requests.length;
    await expect(maskinporten.getToken('nav:a', { resource: 'https://f06.example/' })).resolves.toHaveProperty('token');
    const grants = idp.requests
      .slice(log)
      .map((r) => JSON.parse(Buffer.from(String(r.form?.assertion).split('.')[1] as string, 'base64url').toString()).jti);
    expect(grants).toHaveLength(3);
    expect(new Set(grants).size).toBe(3);
  });

  it.each([
    ['delta-seconds', '1'],
    ['an HTTP-date', () => new Date(now + 1000).toUTCString()],
  ])('F07: honours Retry-After as %s before the next attempt', async (_name, value) => {
    const maskinporten = client();
    const retryAfter = typeof value === 'function' ? value() : value;
    idp.injectFault('maskinporten.token', { type: 'status', status: 429, retryAfter }, 1);
    const started = performance.now();
    await expect(maskinporten.getToken('nav:a', { resource: `https://f07-${_name.length}.example/` })).resolves.toHaveProperty('token');
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('F07: gives up at once when Retry-After is beyond the deadline', async () => {
    const maskinporten = client({ deadlineMs: 1000 });
    idp.injectFault('maskinporten.token', { type: 'status', status: 503, retryAfter: 3600 }, 1);
    const started = performance.now();
    await expect(maskinporten.getToken('nav:a', { resource: 'https://f07-long.example/' })).rejects.toMatchObject({ status: 503 });
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('F11: in a sustained outage the retry budget stops retries multiplying the load', async () => {
    const maskinporten = client({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, retryBudget: 4 } });
    idp.injectFault('maskinporten.token', { type: 'status', status: 503 });
    const before = tokenRequests();
    for (let i = 0; i < 10; i++) {
      await expect(maskinporten.getToken('nav:a', { resource: `https://f11-${i}.example/` })).rejects.toMatchObject({ status: 503 });
    }
    // Ten calls: ten first attempts, and only the four retries the budget allows (not twenty).
    expect(tokenRequests() - before).toBe(14);
    idp.clearFaults();
    await expect(maskinporten.getToken('nav:a', { resource: 'https://f11-ok.example/' })).resolves.toHaveProperty('token');
  });

  it('F09/F10: retries a reset and a hung attempt, with an attempt timeout', async () => {
    const maskinporten = client();
    idp.injectFault('maskinporten.token', { type: 'reset' }, 1);
    idp.injectFault('maskinporten.token', { type: 'hang' }, 1);
    const before = tokenRequests();
    await expect(maskinporten.getToken('nav:a', { resource: 'https://f09.example/' })).resolves.toHaveProperty('token');
    expect(tokenRequests() - before).toBe(3);
  });

  it('F05/F10: a server that always hangs ends in a TimeoutError within the deadline', async () => {
    const maskinporten = client({ attemptTimeoutMs: 200, deadlineMs: 700 });
    idp.injectFault('maskinporten.token', { type: 'hang' });
    const started = performance.now();
    await expect(maskinporten.getToken('nav:a', { resource: 'https://f10.example/' })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('F09: a refused connection is a transport error', async () => {
    const env = { ...registered.env, MASKINPORTEN_TOKEN_ENDPOINT: 'http://127.0.0.1:1/token' };
    const maskinporten = createMaskinportenClient({ config: parseMaskinportenConfig(env), retry: { maxAttempts: 2, baseDelayMs: 10 } });
    await expect(maskinporten.getToken('nav:a')).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
  });

  it('F12: a garbage or truncated 200 is refused without retrying', async () => {
    const maskinporten = client();
    idp.injectFault('maskinporten.token', { type: 'garbage' }, 1);
    const before = tokenRequests();
    const error = (await maskinporten
      .getToken('nav:a', { resource: 'https://f12.example/' })
      .catch((e: unknown) => e)) as TokenResponseError;
    expect(error.code).toBe('ERR_TOKEN_RESPONSE');
    expect(tokenRequests() - before).toBe(1);
    idp.injectFault('maskinporten.token', { type: 'truncated' }, 1);
    await expect(maskinporten.getToken('nav:a', { resource: 'https://f12b.example/' })).resolves.toHaveProperty('token');
  });

  it('F14: tokens for different consumer orgs never mix', async () => {
    const maskinporten = client();
    const a = await maskinporten.getToken('nav:a', { consumerOrg: '974760673', resource: 'https://f14.example/' });
    const b = await maskinporten.getToken('nav:a', { consumerOrg: '313367002', resource: 'https://f14.example/' });
    expect(a).not.toBe(b);
    const consumer = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).consumer.ID;
    expect([consumer(a.token), consumer(b.token)]).toEqual(['0192:974760673', '0192:313367002']);
  });

  it('F15: a wall-clock jump past expiry forces a new token', async () => {
    const maskinporten = client();
    const first = await maskinporten.getToken('nav:b', { resource: 'https://f15.example/' });
    now += 3600_000;
    expect(await maskinporten.getToken('nav:b', { resource: 'https://f15.example/' })).not.toBe(first);
  });

  it('F16: events, errors and printed tokens carry no token or grant', async () => {
    events.length = 0;
    const maskinporten = client();
    const token = await maskinporten.getToken('nav:a', { resource: 'https://f16.example/' });
    idp.injectFault('maskinporten.token', { type: 'status', status: 400 });
    const error = await maskinporten.getToken('nav:a', { resource: 'https://f16b.example/' }).catch((e: unknown) => e);
    const grants = idp.requests.map((r) => r.form?.assertion).filter((a): a is string => a !== undefined);
    const printed = [
      JSON.stringify(events),
      JSON.stringify(token),
      String(token),
      JSON.stringify(error),
      String(error),
      (error as Error).stack,
    ].join('\n');
    expect(printed).not.toContain(token.token);
    for (const grant of grants) expect(printed).not.toContain(grant);
    expect(events.map((e) => e.type)).toContain('upstream_request');
  });
});
