import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecisionInput } from './decision-request.js';
import { evaluateDecisionResponse, evaluateMultiDecisionResponse } from './evaluate-decision-response.js';
import type { PdpCaller } from './pdp-caller.js';

const OK = 'urn:oasis:names:tc:xacml:1.0:status:ok';
const MINIMUM = 'urn:altinn:minimum-authenticationlevel';
const MINIMUM_ORG = 'urn:altinn:minimum-authenticationlevel-org';
/** A system user through the Maskinporten exchange: level 3, not a service owner. */
const systemUser: PdpCaller = { authenticationLevel: 3, serviceOwner: false };
const permit = () => ({
  response: [{ decision: 'Permit', status: { statusCode: { value: OK } }, obligations: [], associateAdvice: null, category: null }],
});
const withResult = (result: Record<string, unknown>) => ({ response: [{ ...permit().response[0], ...result }] });
const levelObligation = (category: string, value: unknown) => ({
  id: 'urn:altinn:obligation:authenticationLevel1',
  attributeAssignment: [
    { attributeId: 'urn:altinn:obligation-assignment:1', value, category, dataType: 'http://www.w3.org/2001/XMLSchema#integer' },
  ],
});

describe('evaluateDecisionResponse', () => {
  it('G01: permits exactly one Permit with status ok and no obligations, in camelCase or PascalCase', () => {
    expect(evaluateDecisionResponse(permit(), systemUser)).toEqual({ permit: true });
    expect(
      evaluateDecisionResponse({ Response: [{ Decision: 'Permit', Status: { StatusCode: { Value: OK } }, Obligations: [] }] }, systemUser),
    ).toEqual({ permit: true });
    expect(evaluateDecisionResponse({ Response: [{ Decision: 'Permit', Status: { StatusCode: { Value: OK } } }] }, systemUser)).toEqual({
      permit: true,
    });
  });

  it.each<[string, unknown, string, string]>([
    ['G02 Deny', withResult({ decision: 'Deny' }), 'policy', 'deny'],
    ['G03 NotApplicable', withResult({ decision: 'NotApplicable' }), 'policy', 'not_applicable'],
    [
      'G04 Indeterminate (processing-error)',
      withResult({ decision: 'Indeterminate', status: { statusCode: { value: 'urn:oasis:names:tc:xacml:1.0:status:processing-error' } } }),
      'error',
      'indeterminate',
    ],
    [
      'G04 Indeterminate (missing-attribute)',
      withResult({ decision: 'Indeterminate', status: { statusCode: { value: 'urn:oasis:names:tc:xacml:1.0:status:missing-attribute' } } }),
      'error',
      'indeterminate',
    ],
    ['G05 "permit"', withResult({ decision: 'permit' }), 'error', 'unknown_decision'],
    ['G05 "PERMIT"', withResult({ decision: 'PERMIT' }), 'error', 'unknown_decision'],
    ['G05 "Permit "', withResult({ decision: 'Permit ' }), 'error', 'unknown_decision'],
    ['G05 null', withResult({ decision: null }), 'error', 'unknown_decision'],
    ['G05 a number', withResult({ decision: 1 }), 'error', 'unknown_decision'],
    ['G05 both Decision and decision', withResult({ Decision: 'Permit' }), 'error', 'malformed_response'],
    ['G06 no Response', {}, 'error', 'malformed_response'],
    ['G06 Response not an array', { response: { decision: 'Permit' } }, 'error', 'malformed_response'],
    ['G06 an empty Response', { response: [] }, 'error', 'malformed_response'],
    ['G06 two results for one request', { response: [permit().response[0], permit().response[0]] }, 'error', 'malformed_response'],
    ['G06 a null result', { response: [null] }, 'error', 'malformed_response'],
    ['G06 not an object at all', 'Permit', 'error', 'malformed_response'],
    ['G07 obligations: null', withResult({ obligations: null }), 'error', 'malformed_response'],
    [
      'G07 an unknown obligation category',
      withResult({ obligations: [levelObligation('urn:altinn:something-else', '2')] }),
      'policy',
      'unknown_obligation',
    ],
    [
      'G07 an obligation without assignments',
      withResult({ obligations: [{ id: 'x', attributeAssignment: [] }] }),
      'policy',
      'unknown_obligation',
    ],
    ['G07 a non-integer level', withResult({ obligations: [levelObligation(MINIMUM, 'high')] }), 'policy', 'unknown_obligation'],
    ['G07 obligations that are not an array', withResult({ obligations: { id: 'x' } }), 'error', 'malformed_response'],
    [
      'G07 level 4 for a level-3 system user',
      withResult({ obligations: [levelObligation(MINIMUM, '4')] }),
      'policy',
      'authentication_level',
    ],
    [
      'G08 Permit with status processing-error',
      withResult({ status: { statusCode: { value: 'urn:oasis:names:tc:xacml:1.0:status:processing-error' } } }),
      'error',
      'status_not_ok',
    ],
    ['G08 Permit without status', withResult({ status: null }), 'error', 'status_not_ok'],
  ])('%s denies', (_name, body, kind, reason) => {
    expect(evaluateDecisionResponse(body, systemUser)).toEqual({ permit: false, kind, reason });
  });

  it('G07: permits only a caller whose authentication level reaches the minimum, PascalCase obligations included', () => {
    const body = {
      Response: [
        {
          Decision: 'Permit',
          Status: { StatusCode: { Value: OK } },
          Obligations: [{ Id: 'o', AttributeAssignment: [{ Category: MINIMUM, Value: '3' }] }],
        },
      ],
    };
    const at = (authenticationLevel: number | undefined) => evaluateDecisionResponse(body, { authenticationLevel, serviceOwner: false });
    expect(at(3)).toEqual({ permit: true });
    expect(at(4)).toEqual({ permit: true });
    expect(at(2)).toEqual({ permit: false, kind: 'policy', reason: 'authentication_level' });
    expect(at(undefined)).toEqual({ permit: false, kind: 'policy', reason: 'authentication_level' });
    expect(at(Number.NaN)).toEqual({ permit: false, kind: 'policy', reason: 'authentication_level' });
    expect(at(3.5)).toEqual({ permit: false, kind: 'policy', reason: 'authentication_level' });
  });

  it('G07: several minimum levels: the highest counts', () => {
    const body = withResult({ obligations: [levelObligation(MINIMUM, '2'), levelObligation(MINIMUM, 4)] });
    expect(evaluateDecisionResponse(body, systemUser)).toMatchObject({ permit: false, reason: 'authentication_level' });
    expect(evaluateDecisionResponse(body, { authenticationLevel: 4, serviceOwner: false })).toEqual({ permit: true });
  });

  it("G07: the -org level lets only a service owner in below the minimum, as in Altinn's PEP", () => {
    const body = withResult({ obligations: [levelObligation(MINIMUM, '4'), levelObligation(MINIMUM_ORG, '3')] });
    expect(evaluateDecisionResponse(body, { authenticationLevel: 3, serviceOwner: true })).toEqual({ permit: true });
    expect(evaluateDecisionResponse(body, { authenticationLevel: 3, serviceOwner: false })).toMatchObject({
      reason: 'authentication_level',
    });
    expect(evaluateDecisionResponse(body, { authenticationLevel: 2, serviceOwner: true })).toMatchObject({
      reason: 'authentication_level',
    });
    expect(evaluateDecisionResponse(body, { authenticationLevel: undefined, serviceOwner: true })).toMatchObject({
      reason: 'authentication_level',
    });
    // Alone, the -org level asks nothing of anyone (Altinn only reads it when the minimum fails).
    const orgOnly = withResult({ obligations: [levelObligation(MINIMUM_ORG, '4')] });
    expect(evaluateDecisionResponse(orgOnly, { authenticationLevel: 3, serviceOwner: true })).toEqual({ permit: true });
  });

  it('takes no option that loosens the level rule', () => {
    const body = withResult({ obligations: [levelObligation(MINIMUM, '4')] });
    // @ts-expect-error: the caller is its level and service-owner flag, nothing else.
    expect(evaluateDecisionResponse(body, { systemUserMeetsAuthenticationLevel: true })).toMatchObject({ permit: false });
  });

  it.each<[string, unknown]>([
    ['obligations beside Obligations', withResult({ obligations: [levelObligation(MINIMUM, '3')], Obligations: [] })],
    ['Obligations beside obligations', withResult({ Obligations: [], obligations: [levelObligation(MINIMUM, '3')] })],
    ['decision beside Decision', withResult({ Decision: 'Deny' })],
    ['response beside Response', { response: permit().response, Response: [] }],
    ['inside an obligation', withResult({ obligations: [{ ...levelObligation(MINIMUM, '3'), AttributeAssignment: [] }] })],
    [
      'inside an assignment',
      withResult({ obligations: [{ id: 'o', attributeAssignment: [{ category: MINIMUM, value: '3', Value: '1' }] }] }),
    ],
    ['in a returned attribute', withResult({ category: [{ attribute: [{ value: 'a', VALUE: 'b' }] }] })],
  ])('G06: two spellings of one member (%s) make the response malformed', (_name, body) => {
    expect(evaluateDecisionResponse(body, { authenticationLevel: 4, serviceOwner: true })).toEqual({
      permit: false,
      kind: 'error',
      reason: 'malformed_response',
    });
  });

  it('G06: nesting deeper than any Altinn answer is malformed, not recursed into', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(evaluateDecisionResponse(withResult({ category: [deep] }), systemUser)).toMatchObject({ reason: 'malformed_response' });
  });

  it('G14: random JSON is never a Permit (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(evaluateDecisionResponse(value, systemUser).permit).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('G14: any change to the canonical Permit that touches decision, status, obligations or cardinality denies (property)', () => {
    const mutations: Array<(body: ReturnType<typeof permit>) => unknown> = [
      (b) => ({ response: [{ ...b.response[0], decision: 'Deny' }] }),
      (b) => ({ response: [b.response[0], b.response[0]] }),
      () => ({ response: [] }),
      (b) => b.response[0],
      (b) => ({ response: [{ ...b.response[0], status: { statusCode: { value: `${OK} ` } } }] }),
      (b) => ({
        response: [{ ...b.response[0], obligations: [{ id: 'x', attributeAssignment: [{ category: 'urn:unknown', value: '1' }] }] }],
      }),
    ];
    fc.assert(
      fc.property(fc.nat({ max: mutations.length - 1 }), fc.string(), fc.jsonValue({ maxDepth: 2 }), (index, decision, junk) => {
        const mutated = (mutations[index] as (b: ReturnType<typeof permit>) => unknown)(permit());
        expect(evaluateDecisionResponse(mutated, systemUser).permit).toBe(false);
        fc.pre(decision !== 'Permit');
        expect(evaluateDecisionResponse(withResult({ decision }), systemUser).permit).toBe(false);
        expect(evaluateDecisionResponse(withResult({ obligations: [junk] }), systemUser).permit).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('evaluateMultiDecisionResponse', () => {
  const inputs: DecisionInput[] = [
    { systemUserId: 'a545ca29-7fb8-4810-a2f2-0be171cb2a26', action: 'read', resource: 'kravogbetaling', party: '923609016' },
    { systemUserId: 'a545ca29-7fb8-4810-a2f2-0be171cb2a26', action: 'read', resource: 'kravogbetaling', party: '313367002' },
  ];
  const result = (input: DecisionInput, decision: string) => ({
    decision,
    status: { statusCode: { value: OK } },
    category: [
      {
        categoryId: 'urn:oasis:names:tc:xacml:1.0:subject-category:access-subject',
        attribute: [{ attributeId: 'urn:altinn:systemuser:uuid', value: input.systemUserId }],
      },
      {
        categoryId: 'urn:oasis:names:tc:xacml:3.0:attribute-category:action',
        attribute: [{ attributeId: 'urn:oasis:names:tc:xacml:1.0:action:action-id', value: input.action }],
      },
      {
        categoryId: 'urn:oasis:names:tc:xacml:3.0:attribute-category:resource',
        attribute: [
          { attributeId: 'urn:altinn:resource', value: input.resource },
          { attributeId: 'urn:altinn:organization:identifier-no', value: input.party },
        ],
      },
    ],
  });
  const [first, second] = inputs as [DecisionInput, DecisionInput];

  it('G09: matches results by their attributes, not their order', () => {
    const decisions = evaluateMultiDecisionResponse({ response: [result(second, 'Deny'), result(first, 'Permit')] }, inputs, systemUser);
    expect(decisions).toEqual([{ permit: true }, { permit: false, kind: 'policy', reason: 'deny' }]);
  });

  it('G09: a missing, duplicated or conflicting result denies that item only', () => {
    expect(evaluateMultiDecisionResponse({ response: [result(first, 'Permit')] }, inputs, systemUser)).toEqual([
      { permit: true },
      { permit: false, kind: 'error', reason: 'missing_result' },
    ]);
    expect(
      evaluateMultiDecisionResponse(
        { response: [result(first, 'Permit'), result(first, 'Permit'), result(second, 'Permit')] },
        inputs,
        systemUser,
      ),
    ).toEqual([{ permit: false, kind: 'error', reason: 'ambiguous_result' }, { permit: true }]);
    expect(
      evaluateMultiDecisionResponse({ response: [result(first, 'Permit'), result(first, 'Deny')] }, inputs, systemUser)[0],
    ).toMatchObject({
      reason: 'ambiguous_result',
    });
    const unlabelled = { ...result(first, 'Permit'), category: null };
    expect(evaluateMultiDecisionResponse({ response: [unlabelled, result(second, 'Permit')] }, inputs, systemUser)).toEqual([
      { permit: false, kind: 'error', reason: 'missing_result' },
      { permit: true },
    ]);
    expect(evaluateMultiDecisionResponse({ nope: true }, inputs, systemUser).every((d) => !d.permit)).toBe(true);
  });

  it('G09: a result answers a question with party ids only when it carries exactly those', () => {
    const withPartyId = (input: DecisionInput, values: string[]) => {
      const answer = result(input, 'Permit');
      const resource = answer.category[2] as { attribute: Array<{ attributeId: string; value: string }> };
      resource.attribute.push(...values.map((value) => ({ attributeId: 'urn:altinn:partyid', value })));
      return answer;
    };
    const asked = [{ ...first, partyId: 51235100 }, second];
    expect(
      evaluateMultiDecisionResponse({ response: [withPartyId(first, ['51235100']), result(second, 'Deny')] }, asked, systemUser),
    ).toEqual([{ permit: true }, { permit: false, kind: 'policy', reason: 'deny' }]);
    const wrong = [withPartyId(first, ['51235101']), withPartyId(second, ['51235100', '51235100'])];
    expect(
      evaluateMultiDecisionResponse({ response: wrong }, [asked[0] as DecisionInput, { ...second, partyId: 51235100 }], systemUser),
    ).toEqual([
      { permit: false, kind: 'error', reason: 'missing_result' },
      { permit: false, kind: 'error', reason: 'missing_result' },
    ]);
    expect(evaluateMultiDecisionResponse({ response: [withPartyId(first, ['51235100'])] }, [first], systemUser)).toEqual([
      { permit: false, kind: 'error', reason: 'missing_result' },
    ]);
  });
});
