import { type Decision, denyByError, denyByPolicy, PERMIT } from './decision.js';
import { ATTRIBUTE, type DecisionInput, decisionKey } from './decision-request.js';
import type { PdpCaller } from './pdp-caller.js';

const STATUS_OK = 'urn:oasis:names:tc:xacml:1.0:status:ok';
const MINIMUM_LEVEL = 'urn:altinn:minimum-authenticationlevel';
const MINIMUM_LEVEL_ORG = 'urn:altinn:minimum-authenticationlevel-org';
/** Deeper than any Altinn answer (about 12 levels); deeper is refused, never recursed into. */
export const MAX_RESPONSE_DEPTH = 32;

/** Reads a member whatever its case: real PDP answers are camelCase, the documentation PascalCase. */
function member(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const lower = name.toLowerCase();
  const key = Object.keys(value).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : (value as Record<string, unknown>)[key];
}

/**
 * True when some object spells one member twice ("obligations" beside "Obligations"), or the
 * nesting is deeper than {@link MAX_RESPONSE_DEPTH}. A case-insensitive reader would have to pick one of
 * two answers; a response that offers two is malformed.
 */
function isAmbiguous(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_RESPONSE_DEPTH) return true;
  if (Array.isArray(value)) return value.some((item) => isAmbiguous(item, depth + 1));
  const names = new Set<string>();
  for (const [name, item] of Object.entries(value)) {
    const lower = name.toLowerCase();
    if (names.has(lower) || isAmbiguous(item, depth + 1)) return true;
    names.add(lower);
  }
  return false;
}

function results(body: unknown): unknown[] | undefined {
  if (isAmbiguous(body, 0)) return undefined;
  const list = member(body, 'Response');
  return Array.isArray(list) ? list : undefined;
}

/** An obligation's level: a whole number, written as a JSON number or a decimal string. */
function levelOf(raw: unknown): number | undefined {
  const level = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,2}$/.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(level) && level >= 0 ? level : undefined;
}

/**
 * Every obligation understood and met, or the reason why not (XACML 3.0 §7.2.2: a deny-biased
 * PEP denies on an obligation it cannot discharge). Altinn's own PEP
 * (`DecisionHelper.ValidateDecisionResult`) reads two: a Permit with
 * `urn:altinn:minimum-authenticationlevel` holds only for a caller whose `urn:altinn:authlevel`
 * reaches it, or for a service owner (`urn:altinn:org`) whose level reaches
 * `urn:altinn:minimum-authenticationlevel-org`. Altinn reads the first of each; we read the
 * highest, which never permits more.
 */
function obligationsProblem(result: unknown, caller: PdpCaller): Decision | undefined {
  const obligations = member(result, 'Obligations');
  if (obligations === undefined) return undefined;
  if (!Array.isArray(obligations)) return denyByError('malformed_response');
  const required = { [MINIMUM_LEVEL]: -1, [MINIMUM_LEVEL_ORG]: -1 };
  for (const obligation of obligations) {
    const assignments = member(obligation, 'AttributeAssignment');
    if (typeof member(obligation, 'Id') !== 'string' || !Array.isArray(assignments) || assignments.length === 0) {
      return denyByPolicy('unknown_obligation');
    }
    for (const assignment of assignments) {
      const category = member(assignment, 'Category');
      const level = levelOf(member(assignment, 'Value'));
      if ((category !== MINIMUM_LEVEL && category !== MINIMUM_LEVEL_ORG) || level === undefined) return denyByPolicy('unknown_obligation');
      required[category] = Math.max(required[category], level);
    }
  }
  const minimum = required[MINIMUM_LEVEL];
  const minimumOrg = required[MINIMUM_LEVEL_ORG];
  if (minimum < 0) return undefined;
  const level = caller.authenticationLevel;
  if (level === undefined || !Number.isInteger(level)) return denyByPolicy('authentication_level');
  if (level >= minimum || (caller.serviceOwner && minimumOrg >= 0 && level >= minimumOrg)) return undefined;
  return denyByPolicy('authentication_level');
}

/** Evaluates one XACML result: Permit only when decision, status and every obligation say so. */
function evaluateResult(result: unknown, caller: PdpCaller): Decision {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return denyByError('malformed_response');
  const decision = member(result, 'Decision');
  switch (decision) {
    case 'Permit':
      break;
    case 'Deny':
      return denyByPolicy('deny');
    case 'NotApplicable':
      return denyByPolicy('not_applicable');
    case 'Indeterminate':
      return denyByError('indeterminate');
    default:
      // Exact and case-sensitive: "permit", "PERMIT", "Permit " and non-strings all deny.
      return denyByError('unknown_decision');
  }
  const status = member(member(member(result, 'Status'), 'StatusCode'), 'Value');
  if (status !== STATUS_OK) return denyByError('status_not_ok');
  return obligationsProblem(result, caller) ?? PERMIT;
}

/**
 * Evaluates the PDP's answer to a single request for `caller` (see {@link parsePdpCaller}).
 * Permit only for exactly one result whose decision is exactly `Permit`, with status ok and
 * every obligation understood and met by the caller (catalogue G01-G08), in a response that
 * spells no member twice; anything else is a denial that says why.
 *
 * @example
 * const decision = evaluateDecisionResponse(JSON.parse(body), parsePdpCaller(altinnTokenClaims));
 */
export function evaluateDecisionResponse(body: unknown, caller: PdpCaller): Decision {
  const list = results(body);
  if (list === undefined || list.length !== 1) return denyByError('malformed_response');
  return evaluateResult(list[0], caller);
}

/** The question a multi-decision result answers, read from the attributes it carries. */
function answeredKey(result: unknown): string | undefined {
  const categories = member(result, 'Category');
  if (!Array.isArray(categories)) return undefined;
  const values = new Map<string, string[]>();
  for (const category of categories) {
    const attributes = member(category, 'Attribute');
    if (!Array.isArray(attributes)) return undefined;
    for (const attribute of attributes) {
      const id = member(attribute, 'AttributeId');
      const value = member(attribute, 'Value');
      if (typeof id !== 'string' || typeof value !== 'string') return undefined;
      values.set(id, [...(values.get(id) ?? []), value]);
    }
  }
  const one = (id: string) => {
    const found = values.get(id);
    return found?.length === 1 ? found[0] : undefined;
  };
  // The party ids are optional: absent is fine, but present means exactly once.
  const optional = (id: string) => (values.has(id) ? (one(id) ?? null) : undefined);
  const systemUserId = one(ATTRIBUTE.systemUser);
  const action = one(ATTRIBUTE.action);
  const resource = one(ATTRIBUTE.resource);
  const party = one(ATTRIBUTE.party);
  const partyUuid = optional(ATTRIBUTE.partyUuid);
  const partyId = optional(ATTRIBUTE.partyId);
  if (systemUserId === undefined || action === undefined || resource === undefined || party === undefined) return undefined;
  if (partyUuid === null || partyId === null) return undefined;
  return decisionKey({ systemUserId, action, resource, party, partyUuid, partyId: partyId === undefined ? undefined : Number(partyId) });
}

/**
 * Evaluates a multi-decision answer: each input is matched to the result carrying its
 * attributes, never by position. No match, or more than one, denies that input (catalogue G09).
 */
export function evaluateMultiDecisionResponse(body: unknown, inputs: readonly DecisionInput[], caller: PdpCaller): Decision[] {
  const list = results(body);
  if (list === undefined) return inputs.map(() => denyByError('malformed_response'));
  const byKey = new Map<string, unknown[]>();
  for (const result of list) {
    const key = answeredKey(result);
    if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), result]);
  }
  return inputs.map((input) => {
    const matching = byKey.get(decisionKey(input)) ?? [];
    if (matching.length === 0) return denyByError('missing_result');
    if (matching.length > 1) return denyByError('ambiguous_result');
    return evaluateResult(matching[0], caller);
  });
}
