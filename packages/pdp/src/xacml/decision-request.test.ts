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
  ])('refuses %s before anything is sent (G13)', (_name, change, field) => {
    expect(() => buildDecisionRequest({ systemUserId, action: 'read', resource: 'kravogbetaling', party: '923609016', ...change })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', field }),
    );
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
});
