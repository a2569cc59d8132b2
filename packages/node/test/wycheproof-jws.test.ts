// Google Wycheproof JWS and JWK vectors (read from ../shared/testdata, Apache-2.0) through
// the verifier the token validator uses. Algorithms outside nav-auth's allow-list (HS*,
// PS384, PS512, ES512) are refused by policy (RFC 8725 §3.1): their "valid" vectors must be
// refused for exactly that reason and no other.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadWycheproof, type WycheproofGroup } from '../../core/test/support/shared-testdata.js';
import { createLocalKeySet, VERIFIABLE_ALGORITHMS } from '../src/index.js';
import { parseCompactJws, verifyCompactJws } from '../src/internal.js';

const groups = loadWycheproof('json_web_signature_test.json');
const keyGroups = loadWycheproof('json_web_key_test.json');
const algorithms = new Set(VERIFIABLE_ALGORITHMS);

/** Upstream defects (C2SP/wycheproof#236): 367 and 370 are byte-identical to the valid 357; 372 and 373 contain '?'. */
const MISLABELLED = new Map([
  [367, 'labelled invalid, byte-identical to valid tc357'],
  [370, 'labelled invalid, byte-identical to valid tc357'],
  [372, "labelled valid, but '?' is not base64url"],
  [373, "labelled valid, but '?' is not base64url"],
]);

function keySetOf(group: WycheproofGroup) {
  const key = group.public as { keys?: unknown[] } | undefined;
  return createLocalKeySet(key === undefined || key === null ? { keys: [] } : 'keys' in key ? key : { keys: [key] });
}

async function outcome(token: string, group: WycheproofGroup): Promise<string> {
  try {
    await verifyCompactJws(token, keySetOf(group), { algorithms });
    return 'accepted';
  } catch (error) {
    return (error as { reason?: string }).reason ?? `unexpected ${String(error)}`;
  }
}

const headerAlg = (token: string) => {
  try {
    return JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).alg as string;
  } catch {
    return undefined;
  }
};

describe.runIf(groups !== undefined)('Wycheproof json_web_signature_test.json', () => {
  const all = (groups ?? []).flatMap((group) => group.tests.map((test) => ({ group, test })));

  it('has the vectors this suite expects', () => {
    expect(all).toHaveLength(401);
  });

  for (const { group, test } of all) {
    const policyRefused = (alg: string | undefined) => alg !== undefined && !algorithms.has(alg);
    it(`tc${test.tcId} ${group.comment}/${test.comment}: ${test.result}`, async () => {
      const result = await outcome(test.jws, group);
      if (MISLABELLED.has(test.tcId)) {
        // Judged on the structure only, below; here it only must not be accepted as an HS256 token.
        expect(result).not.toBe('accepted');
      } else if (test.result === 'invalid') {
        expect(result).not.toBe('accepted');
        expect(result).not.toMatch(/^unexpected/);
      } else if (policyRefused(headerAlg(test.jws))) {
        expect(result).toBe('unsupported_algorithm');
      } else {
        expect(result).toBe('accepted');
      }
    });
  }

  // The base64 group is HS256, which nav-auth never verifies; its point is strict base64url.
  // Check the structure layer with HS256 allowed, and the MAC with the group's key, in the test.
  const base64 = (groups ?? []).find((group) => group.comment === 'base64');
  for (const test of base64?.tests ?? []) {
    it(`tc${test.tcId} base64/${test.comment}: strict base64url decides as labelled${MISLABELLED.has(test.tcId) ? ` (mislabelled upstream: ${MISLABELLED.get(test.tcId)})` : ''}`, () => {
      let structural = true;
      try {
        const jws = parseCompactJws(test.jws, { algorithms: new Set(['HS256']) });
        const secretJwk = base64?.private as { keys?: Array<{ k: string }>; k?: string } | undefined;
        const secret = Buffer.from(secretJwk?.keys?.[0]?.k ?? secretJwk?.k ?? '', 'base64url');
        structural = createHmac('sha256', secret).update(jws.signingInput).digest().equals(jws.signature);
      } catch {
        structural = false;
      }
      const expected = MISLABELLED.has(test.tcId) ? test.result !== 'valid' : test.result === 'valid';
      expect(structural).toBe(expected);
    });
  }
});

describe.runIf(keyGroups !== undefined)('Wycheproof json_web_key_test.json', () => {
  for (const group of keyGroups ?? []) {
    for (const test of group.tests) {
      it(`tc${test.tcId} ${group.comment}/${test.comment}: ${test.result}`, async () => {
        const publicKeys =
          (group.public as { keys?: unknown[] } | undefined)?.keys ??
          (group.private as { keys?: Array<Record<string, unknown>> }).keys?.map(
            ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...rest }) => rest,
          );
        const result = await verifyCompactJws(test.jws, createLocalKeySet({ keys: publicKeys }), { algorithms })
          .then(() => 'accepted')
          .catch((error: { reason?: string }) => error.reason ?? 'error');
        if (test.result === 'invalid') expect(result).not.toBe('accepted');
        else if (headerAlg(test.jws)?.startsWith('HS')) expect(result).toBe('unsupported_algorithm');
        else expect(result).toBe('accepted');
      });
    }
  }
});
