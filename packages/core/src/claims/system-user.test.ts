import { describe, expect, it } from 'vitest';
import { findSystemUser, parseSystemUser } from './system-user.js';

const entry = {
  type: 'urn:altinn:systemuser',
  systemuser_id: ['a6355a68-86b8-4344-8a81-0248cb461468'],
  system_id: '991825827_the_matrix',
  systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:313367002' },
};
const expected = { id: 'a6355a68-86b8-4344-8a81-0248cb461468', systemId: '991825827_the_matrix', customerOrg: '313367002' };

describe('parseSystemUser', () => {
  it('reads the system user of seed 003', () => {
    expect(parseSystemUser({ authorization_details: [entry] })).toEqual(expected);
  });

  it('accepts the lowercase "id" spelling alone, and both spellings when they agree', () => {
    const lower = { ...entry, systemuser_org: { authority: 'iso6523-actorid-upis', id: '0192:313367002' } };
    expect(parseSystemUser({ authorization_details: [lower] })).toEqual(expected);
    const both = { ...entry, systemuser_org: { authority: 'iso6523-actorid-upis', id: '0192:313367002', ID: '0192:313367002' } };
    expect(parseSystemUser({ authorization_details: [both] })).toEqual(expected);
  });

  it('ignores other authorization detail types', () => {
    expect(parseSystemUser({ authorization_details: [{ type: 'payment_initiation' }, entry] })).toEqual(expected);
    expect(findSystemUser({ authorization_details: [{ type: 'payment_initiation' }] })).toBeUndefined();
    expect(findSystemUser({})).toBeUndefined();
    expect(() => parseSystemUser({})).toThrow(expect.objectContaining({ reason: 'missing' }));
  });

  it.each<[string, unknown, string]>([
    ['not an array', entry, 'invalid'],
    ['no type', [{ ...entry, type: undefined }], 'invalid'],
    ['a non-object entry', ['urn:altinn:systemuser'], 'invalid'],
    ['two system-user entries', [entry, { ...entry, systemuser_id: ['b6355a68-86b8-4344-8a81-0248cb461468'] }], 'ambiguous'],
    ['a type in another case', [{ ...entry, type: 'URN:altinn:systemuser' }], 'ambiguous'],
    ['a type with whitespace', [{ ...entry, type: 'urn:altinn:systemuser ' }], 'ambiguous'],
    ['systemuser_id as a string', [{ ...entry, systemuser_id: 'a6355a68-86b8-4344-8a81-0248cb461468' }], 'invalid'],
    ['an empty systemuser_id', [{ ...entry, systemuser_id: [] }], 'invalid'],
    ['two systemuser_ids', [{ ...entry, systemuser_id: [...entry.systemuser_id, 'b6355a68-86b8-4344-8a81-0248cb461468'] }], 'invalid'],
    ['a non-UUID systemuser_id', [{ ...entry, systemuser_id: ['not-a-uuid'] }], 'invalid'],
    ['no system_id', [{ ...entry, system_id: undefined }], 'invalid'],
    ['a malformed org', [{ ...entry, systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:31336700' } }], 'invalid'],
    ['an org without authority', [{ ...entry, systemuser_org: { ID: '0192:313367002' } }], 'invalid'],
    [
      'ID and id that disagree',
      [{ ...entry, systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:313367002', id: '0192:889640782' } }],
      'ambiguous',
    ],
  ])('C07: rejects %s', (_name, details, reason) => {
    expect(() => parseSystemUser({ authorization_details: details })).toThrow(
      expect.objectContaining({ code: 'ERR_CLAIM_VALIDATION', reason }),
    );
  });
});
