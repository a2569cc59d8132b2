// The PDP client against real loopback servers: the @nav-auth/testing emulator for the
// protocol, and a raw node:http PDP for answers no real one should give. Rows G01-G15.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MaskinportenClaims, parseMaskinportenConfig } from '@nav-auth/core';
import { createMaskinportenClient, type MaskinportenClient } from '@nav-auth/node';
import { type LocalIdp, startLocalIdp } from '@nav-auth/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPdpClient, type DecisionInput, PDP_SCOPE, type PdpClientOptions, type PdpEvent } from '../src/index.js';
import { altinnPermits, CALLERS, loadAltinnResponses } from './support/altinn-testdata.js';

const systemUserId = 'a6355a68-86b8-4344-8a81-0248cb461468';
const read: DecisionInput = { systemUserId, action: 'read', resource: 'kravogbetaling', party: '313367002' };
let idp: LocalIdp;
let maskinporten: MaskinportenClient;

beforeAll(async () => {
  idp = await startLocalIdp({ subscriptionKey: 'test-subscription-key' });
  const client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: [PDP_SCOPE] });
  maskinporten = createMaskinportenClient({ config: parseMaskinportenConfig(client.env) });
  idp.addPdpPolicy({ systemUserId, resource: 'kravogbetaling', action: 'read', org: '313367002' });
  idp.addPdpPolicy({ systemUserId, resource: 'kravogbetaling', action: 'write', org: '313367002', decision: 'Deny' });
  idp.addPdpPolicy({
    systemUserId,
    resource: 'sensitive',
    action: 'read',
    org: '313367002',
    obligations: [{ id: 'urn:altinn:obligation:authenticationLevel1', category: 'urn:altinn:minimum-authenticationlevel', value: '3' }],
  });
  idp.addPdpPolicy({
    systemUserId,
    resource: 'sensitive',
    action: 'write',
    org: '313367002',
    obligations: [
      { id: 'urn:altinn:obligation:1', category: 'urn:altinn:minimum-authenticationlevel', value: '4' },
      { id: 'urn:altinn:obligation:2', category: 'urn:altinn:minimum-authenticationlevel-org', value: '3' },
    ],
  });
});
afterEach(() => idp.clearFaults());
afterAll(() => idp.close());

const pdpRequests = () => idp.requests.filter((r) => r.endpoint === 'altinn.pdp').length;
const client = (options: Partial<PdpClientOptions> = {}) =>
  createPdpClient({ baseUrl: `${idp.url}/altinn`, subscriptionKey: 'test-subscription-key', maskinporten, deadlineMs: 1500, ...options });

describe('createPdpClient against the Altinn emulator', () => {
  it('G01/G02/G03: Permit, Deny and NotApplicable from the policy table', async () => {
    const pdp = client();
    expect(await pdp.authorize(read)).toEqual({ permit: true });
    expect(await pdp.authorize({ ...read, action: 'write' })).toEqual({ permit: false, kind: 'policy', reason: 'deny' });
    expect(await pdp.authorize({ ...read, party: '974760673' })).toEqual({ permit: false, kind: 'policy', reason: 'not_applicable' });
  });

  it('G07: checks minimum authentication levels against the authlevel of the exchanged Altinn token (3)', async () => {
    expect(await client().authorize({ ...read, resource: 'sensitive' })).toEqual({ permit: true });
    // Level 4, with a level-3 -org alternative that only a service owner (urn:altinn:org) may use.
    expect(await client().authorize({ ...read, resource: 'sensitive', action: 'write' })).toEqual({
      permit: false,
      kind: 'policy',
      reason: 'authentication_level',
    });
  });

  it('G07: takes no option that loosens the level rule', async () => {
    // @ts-expect-error: `evaluation.systemUserMeetsAuthenticationLevel` is gone; nothing replaces it.
    const loosened = client({ evaluation: { systemUserMeetsAuthenticationLevel: true } });
    expect(await loosened.authorize({ ...read, resource: 'sensitive', action: 'write' })).toMatchObject({ permit: false });
  });

  it('sends the party UUID and party id when given, and matches batched answers by them', async () => {
    const partyUuid = '066148fe-7077-4484-b7ea-44b5ede0014e';
    const claims = { systemUser: { id: systemUserId, systemId: 's', customerOrg: '313367002' } };
    const decision = await client().authorizeSystemUser(claims, {
      resource: 'kravogbetaling',
      action: 'read',
      partyUuid,
      partyId: 51235100,
    });
    expect(decision).toEqual({ permit: true });
    const sent = JSON.parse(idp.requests.filter((r) => r.endpoint === 'altinn.pdp').at(-1)?.body as string);
    expect(sent.Request.Resource[0].Attribute).toEqual([
      { AttributeId: 'urn:altinn:resource', Value: 'kravogbetaling' },
      { AttributeId: 'urn:altinn:organization:identifier-no', Value: '313367002' },
      { AttributeId: 'urn:altinn:party:uuid', Value: partyUuid },
      { AttributeId: 'urn:altinn:partyid', Value: '51235100' },
    ]);
    const pdp = client({ batchWindowMs: 5 });
    const before = pdpRequests();
    const answers = await Promise.all([
      pdp.authorize({ ...read, partyId: 51235100 }),
      pdp.authorize({ ...read, action: 'write', partyUuid }),
    ]);
    expect(answers).toEqual([{ permit: true }, { permit: false, kind: 'policy', reason: 'deny' }]);
    expect(pdpRequests() - before).toBe(1);
    expect(await pdp.authorize({ ...read, partyId: 0 })).toEqual({ permit: false, kind: 'policy', reason: 'invalid_request' });
  });

  it('coalesces concurrent questions into one MultiRequests call and matches the answers', async () => {
    const pdp = client({ batchWindowMs: 5 });
    const before = pdpRequests();
    const parties = ['313367002', '974760673', '889640782', '923609016'];
    const answers = await Promise.all(
      parties.flatMap((party) => [pdp.authorize({ ...read, party }), pdp.authorize({ ...read, party, action: 'write' })]),
    );
    expect(pdpRequests() - before).toBe(1);
    expect(answers.map((a) => (a.permit ? 'Permit' : a.reason))).toEqual(['Permit', 'deny', ...Array(6).fill('not_applicable')]);
    const sent = JSON.parse(idp.requests.filter((r) => r.endpoint === 'altinn.pdp').at(-1)?.body as string);
    expect(sent.Request.MultiRequests.RequestReference).toHaveLength(8);
  });

  it('authorizeMany answers in the order asked', async () => {
    const answers = await client().authorizeMany([{ ...read, action: 'write' }, read]);
    expect(answers.map((a) => a.permit)).toEqual([false, true]);
  });

  it('G10: timeouts, hangs, resets, 5xx, 429, garbage and truncated bodies all deny as errors', async () => {
    const faults = [
      { type: 'status', status: 500 },
      { type: 'status', status: 503, retryAfter: 5 },
      { type: 'status', status: 429, retryAfter: 5 },
      { type: 'garbage' },
      { type: 'truncated' },
      { type: 'reset' },
      { type: 'hang' },
    ] as const;
    for (const fault of faults) {
      idp.injectFault('altinn.pdp', fault, 1);
      const decision = await client({ deadlineMs: 400 }).authorize(read);
      expect(decision, fault.type).toMatchObject({ permit: false, kind: 'error' });
    }
  });

  it('G11: when the PDP refuses our token, refreshes it once and retries', async () => {
    const pdp = client();
    expect(await pdp.authorize(read)).toEqual({ permit: true });
    await idp.rotateKeys('altinn', { dropPrevious: true });
    const exchanges = idp.requests.filter((r) => r.endpoint === 'altinn.exchange').length;
    expect(await pdp.authorize({ ...read, action: 'write' })).toMatchObject({ permit: false, reason: 'deny' });
    expect(idp.requests.filter((r) => r.endpoint === 'altinn.exchange').length - exchanges).toBe(1);
  });

  it('G11: a wrong subscription key stays a denial after the one retry', async () => {
    const before = pdpRequests();
    expect(await client({ subscriptionKey: 'wrong' }).authorize(read)).toEqual({ permit: false, kind: 'error', reason: 'upstream_status' });
    expect(pdpRequests() - before).toBe(2);
  });

  it('G12: caches Permit and policy Deny for the TTL, never errors', async () => {
    let now = Date.now();
    const events: PdpEvent[] = [];
    const pdp = client({ decisionCacheTtlMs: 1000, clock: () => now, onEvent: (e) => events.push(e) });
    const before = pdpRequests();
    await pdp.authorize(read);
    await pdp.authorize(read);
    expect(pdpRequests() - before).toBe(1);
    expect(events.filter((e) => e.type === 'decision' && e.cached)).toHaveLength(1);
    now += 1001;
    await pdp.authorize(read);
    expect(pdpRequests() - before).toBe(2);
    idp.injectFault('altinn.pdp', { type: 'status', status: 503 }, 1);
    expect(await pdp.authorize({ ...read, party: '923609016' })).toMatchObject({ kind: 'error' });
    expect(await pdp.authorize({ ...read, party: '923609016' })).toMatchObject({ reason: 'not_applicable' });
  });

  it('a listener that throws changes no decision', async () => {
    const pdp = client({
      onEvent: () => {
        throw new Error('metrics backend down');
      },
    });
    expect(await pdp.authorize(read)).toEqual({ permit: true });
    expect(await pdp.authorize({ ...read, party: '923609016' })).toMatchObject({ permit: false, reason: 'not_applicable' });
  });

  it('G13: a token without a system user is denied without asking the PDP; malformed input too', async () => {
    const before = pdpRequests();
    const noSystemUser = { systemUser: undefined } as Pick<MaskinportenClaims, 'systemUser'>;
    expect(await client().authorizeSystemUser(noSystemUser, { resource: 'kravogbetaling', action: 'read' })).toEqual({
      permit: false,
      kind: 'policy',
      reason: 'no_system_user',
    });
    expect(await client().authorize({ ...read, systemUserId: 'x' })).toEqual({ permit: false, kind: 'policy', reason: 'invalid_request' });
    expect(pdpRequests() - before).toBe(0);
    const claims = { systemUser: { id: systemUserId, systemId: 's', customerOrg: '313367002' } };
    expect(await client().authorizeSystemUser(claims, { resource: 'kravogbetaling', action: 'read' })).toEqual({ permit: true });
  });

  it('G15: a PDP slower than the deadline denies in time and leaves nothing running', async () => {
    idp.injectFault('altinn.pdp', { type: 'delay', ms: 2000 }, 1);
    const started = performance.now();
    expect(await client({ deadlineMs: 300 }).authorize(read)).toEqual({ permit: false, kind: 'error', reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('createPdpClient against a raw PDP that misbehaves', () => {
  let server: Server;
  let answer: (req: IncomingMessage, res: ServerResponse) => void;
  beforeAll(async () => {
    server = createServer((req, res) => {
      // The exchange answers a token whose payload is the base URL's first path segment, if any.
      const exchange = /^\/(?:([A-Za-z0-9_-]+)\/)?authentication\//.exec(req.url ?? '');
      if (exchange !== null) {
        res.end(`"eyJhbGciOiJSUzI1NiJ9.${exchange[1] ?? 'eyJleHAiOjQxMDI0NDQ4MDB9'}.c2ln"`);
        return;
      }
      req.resume();
      req.on('end', () => answer(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  /** A client whose exchanged Altinn token carries `claims` (default: only `exp`). */
  const raw = (claims?: Record<string, unknown>) =>
    createPdpClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${
        claims === undefined ? '' : `/${Buffer.from(JSON.stringify({ exp: 4102444800, ...claims })).toString('base64url')}`
      }`,
      subscriptionKey: 'k',
      maskinporten,
      deadlineMs: 800,
    });
  const json =
    (status: number, body: unknown, headers: Record<string, string> = {}) =>
    (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };

  it.each<[string, (req: IncomingMessage, res: ServerResponse) => void, string]>([
    ['404', json(404, { title: 'Not Found' }), 'upstream_status'],
    ['a redirect', json(302, '', { location: 'http://127.0.0.1:1/' }), 'upstream_status'],
    ['HTML with 200', json(200, '<html>maintenance</html>', { 'content-type': 'text/html' }), 'malformed_response'],
    ['truncated JSON', json(200, '{"response":[{"decision":"Per'), 'malformed_response'],
    ['a body over the size limit', json(200, { response: [{ decision: 'Permit', padding: 'x'.repeat(300 * 1024) }] }), 'transport'],
    [
      '"permit" in lower case',
      json(200, { response: [{ decision: 'permit', status: { statusCode: { value: 'urn:oasis:names:tc:xacml:1.0:status:ok' } } }] }),
      'unknown_decision',
    ],
    ['two results for one question', json(200, { response: [{ decision: 'Permit' }, { decision: 'Permit' }] }), 'malformed_response'],
  ])('G06/G10: %s denies', async (_name, handler, reason) => {
    answer = handler;
    expect(await raw().authorize(read)).toMatchObject({ permit: false, reason });
  });

  const levelPermit = (...levels: Array<[string, string]>) =>
    json(200, {
      response: [
        {
          decision: 'Permit',
          status: { statusCode: { value: 'urn:oasis:names:tc:xacml:1.0:status:ok' } },
          obligations: levels.map(([category, value], i) => ({
            id: `o${i}`,
            attributeAssignment: [{ attributeId: `a${i}`, category, value }],
          })),
        },
      ],
    });
  const MINIMUM = 'urn:altinn:minimum-authenticationlevel';
  const MINIMUM_ORG = 'urn:altinn:minimum-authenticationlevel-org';

  it.each<[string, Record<string, unknown> | undefined]>([
    ['no urn:altinn:authlevel', undefined],
    ['urn:altinn:authlevel "high"', { 'urn:altinn:authlevel': 'high' }],
    ['urn:altinn:authlevel 3.5', { 'urn:altinn:authlevel': 3.5 }],
    ['urn:altinn:authlevel null', { 'urn:altinn:authlevel': null }],
  ])('G07: an exchanged token with %s meets no level', async (_name, claims) => {
    answer = levelPermit([MINIMUM, '2']);
    expect(await raw(claims).authorize(read)).toEqual({ permit: false, kind: 'policy', reason: 'authentication_level' });
  });

  it('G07: the level comes from the exchanged token; -org counts only with urn:altinn:org in it', async () => {
    answer = levelPermit([MINIMUM, '4'], [MINIMUM_ORG, '3']);
    expect(await raw({ 'urn:altinn:authlevel': 4 }).authorize(read)).toEqual({ permit: true });
    expect(await raw({ 'urn:altinn:authlevel': 3 }).authorize(read)).toMatchObject({ permit: false, reason: 'authentication_level' });
    expect(await raw({ 'urn:altinn:authlevel': '3', 'urn:altinn:org': 'nav' }).authorize(read)).toEqual({ permit: true });
    expect(await raw({ 'urn:altinn:authlevel': 2, 'urn:altinn:org': 'nav' }).authorize(read)).toMatchObject({ permit: false });
  });

  it('G06: a Permit beside its own second spelling of obligations, or with obligations null, denies', async () => {
    const ok = { statusCode: { value: 'urn:oasis:names:tc:xacml:1.0:status:ok' } };
    const level3 = [{ id: 'o', attributeAssignment: [{ category: MINIMUM, value: '3' }] }];
    answer = json(200, { response: [{ decision: 'Permit', status: ok, obligations: level3, Obligations: [] }] });
    expect(await raw({ 'urn:altinn:authlevel': 4 }).authorize(read)).toEqual({
      permit: false,
      kind: 'error',
      reason: 'malformed_response',
    });
    answer = json(200, { response: [{ decision: 'Permit', status: ok, obligations: null }] });
    expect(await raw({ 'urn:altinn:authlevel': 4 }).authorize(read)).toEqual({
      permit: false,
      kind: 'error',
      reason: 'malformed_response',
    });
  });

  it('G06: a member written twice with the same spelling (JSON.parse would keep the last) denies', async () => {
    const ok = '{"statusCode":{"value":"urn:oasis:names:tc:xacml:1.0:status:ok"}}';
    answer = json(200, `{"response":[{"decision":"Deny","decision":"Permit","status":${ok},"obligations":[]}]}`);
    expect(await raw({ 'urn:altinn:authlevel': 4 }).authorize(read)).toEqual({
      permit: false,
      kind: 'error',
      reason: 'malformed_response',
    });
    answer = json(200, `{"response":[{"decision":"Permit","status":${ok},"obligations":[]}]}`);
    expect(await raw({ 'urn:altinn:authlevel': 4 }).authorize(read)).toEqual({ permit: true });
  });

  const responses = loadAltinnResponses();
  describe.skipIf(responses === undefined)("Altinn's own PDP answers (../shared/testdata/altinn) through the client", () => {
    let clients: Array<{ caller: (typeof CALLERS)[number]; pdp: ReturnType<typeof raw> }>;
    beforeAll(() => {
      clients = CALLERS.map((caller) => ({
        caller,
        pdp: raw({ 'urn:altinn:authlevel': caller.authenticationLevel, ...(caller.serviceOwner ? { 'urn:altinn:org': 'ttd' } : {}) }),
      }));
    });
    for (const { name, text } of responses ?? []) {
      it(`${name} is decided by Altinn's rule for every caller`, async () => {
        answer = json(200, text);
        for (const { caller, pdp } of clients) {
          expect((await pdp.authorize(read)).permit, JSON.stringify(caller)).toBe(altinnPermits(text, caller));
        }
      });
    }
  });
});
