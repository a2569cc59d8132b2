// Every answer in Altinn's own PDP test data (../shared/testdata/altinn) through
// evaluateDecisionResponse, for callers at levels 2, 3 and 4, service owner or not. The
// expectation is Altinn's enforcement rule read from the raw file (test/support), not a list.
import { describe, expect, it } from 'vitest';
import { evaluateDecisionResponse } from '../src/index.js';
import { altinnPermits, CALLERS, loadAltinnResponses } from './support/altinn-testdata.js';

const responses = loadAltinnResponses();

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (AltinnApps0028 upstream): what the client hands on for a body it cannot parse.
    return text;
  }
};

describe.skipIf(responses === undefined)("evaluateDecisionResponse on Altinn's own PDP answers", () => {
  const all = responses ?? [];

  it('has the answers this suite reads, Permits it lets through and Permits it stops among them', () => {
    expect(all.length).toBeGreaterThan(0);
    const permits = all.filter(({ text }) => /"Permit"/.test(text));
    const level3 = { authenticationLevel: 3, serviceOwner: false };
    expect(permits.some(({ text }) => altinnPermits(text, level3))).toBe(true);
    expect(permits.some(({ text }) => !altinnPermits(text, level3))).toBe(true);
  });

  for (const { name, text } of all) {
    it(`${name}: the whole answer, as to one question`, () => {
      for (const caller of CALLERS) {
        expect(evaluateDecisionResponse(parse(text), caller).permit, JSON.stringify(caller)).toBe(altinnPermits(text, caller));
      }
    });

    const body = parse(text) as { Response?: unknown[]; response?: unknown[] };
    const results = body.Response ?? body.response;
    if (Array.isArray(results) && results.length > 1) {
      it(`${name}: each of its ${results.length} results alone`, () => {
        for (const result of results) {
          const single = JSON.stringify({ Response: [result] });
          for (const caller of CALLERS) {
            expect(evaluateDecisionResponse(JSON.parse(single), caller).permit, JSON.stringify(caller)).toBe(altinnPermits(single, caller));
          }
        }
      });
    }
  }
});
