// Altinn's own PDP answers (../shared/testdata/altinn, MIT), read from there, never copied into
// the repo. Under CI (CI=true) a missing directory fails the suites that need it; elsewhere they
// are skipped with a note, as core's loadSharedJson does for single files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sharedTestdataDir } from '../../../core/test/support/shared-testdata.js';

const directory = resolve(sharedTestdataDir, 'altinn');

/** Every `*Response.json` as raw text (one is not valid JSON upstream), or `undefined` when the directory is missing. */
export function loadAltinnResponses(): Array<{ readonly name: string; readonly text: string }> | undefined {
  if (!existsSync(directory)) {
    if (process.env.CI === 'true') throw new Error(`required test data is missing: ${directory} (CI=true)`);
    console.warn(`[nav-auth] skipping tests that need ${directory}: not found (they fail under CI=true)`);
    return undefined;
  }
  return readdirSync(directory)
    .filter((file) => file.endsWith('Response.json'))
    .sort()
    .map((file) => ({ name: file.slice(0, -'Response.json'.length), text: readFileSync(resolve(directory, file), 'utf8') }));
}

/** The callers every answer is checked for: levels 2, 3 and 4, with and without `urn:altinn:org`. */
export const CALLERS = [2, 3, 4].flatMap((authenticationLevel) =>
  [false, true].map((serviceOwner) => ({ authenticationLevel, serviceOwner })),
);

/** Reads `Name` or `name`, the two spellings Altinn's answers use. */
function at(value: unknown, name: string): unknown {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return name in record ? record[name] : record[name.charAt(0).toLowerCase() + name.slice(1)];
}

/**
 * Altinn's enforcement rule, read from the raw text independently of src/: one result, decision
 * Permit, status ok, obligations absent or a list, and every `urn:altinn:minimum-authenticationlevel`
 * reached by the caller's level, or, for a service owner, every
 * `urn:altinn:minimum-authenticationlevel-org` (if any) reached instead. Everything else (Deny,
 * NotApplicable, Indeterminate, broken JSON, several results to one question) denies.
 */
export function altinnPermits(text: string, caller: { authenticationLevel: number; serviceOwner: boolean }): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  const results = at(body, 'Response');
  if (!Array.isArray(results) || results.length !== 1) return false;
  const result = results[0];
  if (at(result, 'Decision') !== 'Permit') return false;
  if (at(at(at(result, 'Status'), 'StatusCode'), 'Value') !== 'urn:oasis:names:tc:xacml:1.0:status:ok') return false;
  const obligations = at(result, 'Obligations');
  if (obligations === null) return false;
  const assignments = ((obligations ?? []) as unknown[]).flatMap((obligation) => at(obligation, 'AttributeAssignment') as unknown[]);
  const levels = (category: string) => assignments.filter((a) => at(a, 'Category') === category).map((a) => Number(at(a, 'Value')));
  const level = caller.authenticationLevel;
  const orgLevels = levels('urn:altinn:minimum-authenticationlevel-org');
  return (
    levels('urn:altinn:minimum-authenticationlevel').every((minimum) => level >= minimum) ||
    (caller.serviceOwner && orgLevels.length > 0 && orgLevels.every((minimum) => level >= minimum))
  );
}
