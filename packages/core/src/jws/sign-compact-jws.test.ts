import { describe, expect, it } from 'vitest';
import { loadWycheproof } from '../../test/support/shared-testdata.js';
import { importSigningKey } from '../key/signing-key.js';
import { signCompactJws } from './sign-compact-jws.js';

const groups = loadWycheproof('json_web_signature_test.json');

describe('signCompactJws', () => {
  // RFC 7520 §4.1 (Figure 13) is Wycheproof tc345: RS256 is deterministic, so our signer must
  // reproduce the published JWS byte for byte from the published key and payload.
  it.runIf(groups !== undefined)('reproduces RFC 7520 §4.1 Figure 13 (Wycheproof tc345) bit for bit (E07)', async () => {
    const group = groups?.find((g) => g.tests.some((t) => t.tcId === 345));
    const vector = group?.tests.find((t) => t.tcId === 345);
    expect(vector?.comment).toBe('Figure13');
    const key = await importSigningKey(group?.private);
    expect(key.kid).toBe('bilbo.baggins@hobbiton.example');
    const payload = new TextEncoder().encode(
      "It\u2019s a dangerous business, Frodo, going out your door. You step onto the road, and if you don't keep your feet, there\u2019s no knowing where you might be swept off to.",
    );
    const jws = await signCompactJws({ alg: 'RS256', kid: 'bilbo.baggins@hobbiton.example' }, payload, key);
    expect(jws).toBe(vector?.jws);
  });
});
