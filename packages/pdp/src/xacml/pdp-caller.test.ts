import { describe, expect, it } from 'vitest';
import { parsePdpCaller } from './pdp-caller.js';

describe('parsePdpCaller', () => {
  it('reads urn:altinn:authlevel as Altinn writes it, a number or a string', () => {
    expect(parsePdpCaller({ 'urn:altinn:authlevel': 3 })).toEqual({ authenticationLevel: 3, serviceOwner: false });
    expect(parsePdpCaller({ 'urn:altinn:authlevel': '4', 'urn:altinn:org': 'nav' })).toEqual({
      authenticationLevel: 4,
      serviceOwner: true,
    });
    expect(parsePdpCaller({ 'urn:altinn:authlevel': 0 })).toEqual({ authenticationLevel: 0, serviceOwner: false });
  });

  it.each<[string, unknown]>([
    ['no claims', undefined],
    ['claims that are no object', 'x'],
    ['no level', {}],
    ['a word', { 'urn:altinn:authlevel': 'high' }],
    ['a fraction', { 'urn:altinn:authlevel': 3.5 }],
    ['a padded string', { 'urn:altinn:authlevel': ' 3' }],
    ['a level above 4', { 'urn:altinn:authlevel': 5 }],
    ['a negative level', { 'urn:altinn:authlevel': -1 }],
    ['a list', { 'urn:altinn:authlevel': [3] }],
  ])('leaves the level undefined for %s', (_name, claims) => {
    expect(parsePdpCaller(claims).authenticationLevel).toBeUndefined();
  });

  it('counts as a service owner only with a non-empty urn:altinn:org', () => {
    expect(parsePdpCaller({ 'urn:altinn:authlevel': 3, 'urn:altinn:org': '' }).serviceOwner).toBe(false);
    expect(parsePdpCaller({ 'urn:altinn:authlevel': 3, 'urn:altinn:org': true }).serviceOwner).toBe(false);
  });
});
