import { describe, expect, it } from 'vitest';
import { buildDecisionRequest, buildMultiDecisionRequest } from './decision-request.js';

const systemUserId = 'a545ca29-7fb8-4810-a2f2-0be171cb2a26';

describe('buildDecisionRequest', () => {
  it('builds the request of seed 003', () => {
    expect(buildDecisionRequest({ systemUserId, action: 'read', resource: 'kravogbetaling', party: '923609016' })).toEqual({
      Request: {
        ReturnPolicyIdList: true,
        AccessSubject: [{ Attribute: [{ AttributeId: 'urn:altinn:systemuser:uuid', Value: systemUserId }] }],
        Action: [
          {
            Attribute: [
              {
                AttributeId: 'urn:oasis:names:tc:xacml:1.0:action:action-id',
                Value: 'read',
                DataType: 'http://www.w3.org/2001/XMLSchema#string',
              },
            ],
          },
        ],
        Resource: [
          {
            Attribute: [
              { AttributeId: 'urn:altinn:resource', Value: 'kravogbetaling' },
              { AttributeId: 'urn:altinn:organization:identifier-no', Value: '923609016' },
            ],
          },
        ],
      },
    });
  });

  it.each([
    ['a system user that is no UUID', { systemUserId: 'abc' }, 'systemUserId'],
    ['an injected action', { action: 'read","Value":"write' }, 'action'],
    ['a short resource id', { resource: 'abc' }, 'resource'],
    ['a resource id with a slash', { resource: 'krav/betaling' }, 'resource'],
    ['a party with 0192:', { party: '0192:923609016' }, 'party'],
    ['a party with a bad check digit', { party: '923609017' }, 'party'],
    ['a party UUID that is no UUID', { partyUuid: '066148fe-7077-4484-b7ea' }, 'partyUuid'],
    ['a party id of 0', { partyId: 0 }, 'partyId'],
    ['a negative party id', { partyId: -5 }, 'partyId'],
    ['a fractional party id', { partyId: 1.5 }, 'partyId'],
    ['a party id past 2^53', { partyId: 2 ** 53 }, 'partyId'],
    ['a party id as a string', { partyId: '51235100' as unknown as number }, 'partyId'],
  ])('refuses %s before anything is sent (G13)', (_name, change, field) => {
    expect(() => buildDecisionRequest({ systemUserId, action: 'read', resource: 'kravogbetaling', party: '923609016', ...change })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', field }),
    );
  });

  it("adds the party UUID and party id as resource attributes, as Altinn's own system-user requests carry them", () => {
    const request = buildDecisionRequest({
      systemUserId,
      action: 'read',
      resource: 'kravogbetaling',
      party: '923609016',
      partyUuid: '066148fe-7077-4484-b7ea-44b5ede0014e',
      partyId: 51235100,
    });
    expect(request.Request.Resource).toEqual([
      {
        Attribute: [
          { AttributeId: 'urn:altinn:resource', Value: 'kravogbetaling' },
          { AttributeId: 'urn:altinn:organization:identifier-no', Value: '923609016' },
          { AttributeId: 'urn:altinn:party:uuid', Value: '066148fe-7077-4484-b7ea-44b5ede0014e' },
          { AttributeId: 'urn:altinn:partyid', Value: '51235100' },
        ],
      },
    ]);
  });
});

describe('buildMultiDecisionRequest', () => {
  it('gives each distinct category an Id, one reference per input, and every attribute IncludeInResult', () => {
    const request = buildMultiDecisionRequest([
      { systemUserId, action: 'read', resource: 'kravogbetaling', party: '923609016' },
      { systemUserId, action: 'read', resource: 'kravogbetaling', party: '313367002' },
      { systemUserId, action: 'write', resource: 'kravogbetaling', party: '923609016' },
    ]).Request;
    expect(request.AccessSubject.map((c) => c.Id)).toEqual(['s0']);
    expect(request.Action.map((c) => c.Id)).toEqual(['a0', 'a1']);
    expect(request.Resource.map((c) => c.Id)).toEqual(['r0', 'r1']);
    expect(request.MultiRequests?.RequestReference).toEqual([
      { ReferenceId: ['s0', 'a0', 'r0'] },
      { ReferenceId: ['s0', 'a0', 'r1'] },
      { ReferenceId: ['s0', 'a1', 'r0'] },
    ]);
    const attributes = [...request.AccessSubject, ...request.Action, ...request.Resource].flatMap((c) => c.Attribute);
    expect(attributes.every((a) => a.IncludeInResult === true)).toBe(true);
  });

  it('gives the same resource with and without party ids a category each', () => {
    const input = { systemUserId, action: 'read', resource: 'kravogbetaling', party: '923609016' };
    const request = buildMultiDecisionRequest([input, { ...input, partyId: 51235100 }, { ...input, partyId: 51235100 }]).Request;
    expect(request.Resource.map((c) => c.Attribute.map((a) => a.AttributeId))).toEqual([
      ['urn:altinn:resource', 'urn:altinn:organization:identifier-no'],
      ['urn:altinn:resource', 'urn:altinn:organization:identifier-no', 'urn:altinn:partyid'],
    ]);
  });
});
