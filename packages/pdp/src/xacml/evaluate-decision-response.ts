import { type Decision, denyByError, denyByPolicy, PERMIT } from './decision.js';
import { ATTRIBUTE, type DecisionInput, decisionKey } from './decision-request.js';

/** How obligations are discharged. */
export interface EvaluationOptions {
  /**
   * The caller's authentication level, checked against `urn:altinn:minimum-authenticationlevel`
   * obligations. A system user has none: leave it out, and such a Permit is denied unless
   * `systemUserMeetsAuthenticationLevel` says otherwise.
   */
  readonly authenticationLevel?: number | undefined;
  /**
   * Treat a minimum-authentication-level obligation as met for a caller without a level (a
   * system user authenticated through Maskinporten). Default false: deny, since what Altinn
   * expects here is not documented.
   */
  readonly systemUserMeetsAuthenticationLevel?: boolean | undefined;
}

const STATUS_OK = 'urn:oasis:names:tc:xacml:1.0:status:ok';
const AUTHENTICATION_LEVEL_CATEGORIES = new Set(['urn:altinn:minimum-authenticationlevel', 'urn:altinn:minimum-authenticationlevel-org']);

/** Reads a member whatever its case: real PDP answers are camelCase, the documentation PascalCase. */
function member(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const lower = name.toLowerCase();
  let found: unknown;
  let matches = 0;
  for (const key of Object.keys(value)) {
    if (key.toLowerCase() === lower) {
      found = (value as Record<string, unknown>)[key];
      matches++;
    }
  }
  // Two spellings of one member ("Decision" and "decision") are ambiguous: read as absent.
  return matches === 1 ? found : undefined;
}

function results(body: unknown): unknown[] | undefined {
  const list = member(body, 'Response');
  return Array.isArray(list) ? list : undefined;
}

/** Every obligation understood and met, or the reason why not (XACML 3.0 §7.2.2: deny-biased PEP). */
function obligationsProblem(result: unknown, options: EvaluationOptions): Decision | undefined {
  const obligations = member(result, 'Obligations');
  if (obligations === undefined || obligations === null) return undefined;
  if (!Array.isArray(obligations)) return denyByError('malformed_response');
  for (const obligation of obligations) {
    const assignments = member(obligation, 'AttributeAssignment');
    if (typeof member(obligation, 'Id') !== 'string' || !Array.isArray(assignments) || assignments.length === 0) {
      return denyByPolicy('unknown_obligation');
    }
    for (const assignment of assignments) {
      const category = member(assignment, 'Category');
      if (typeof category !== 'string' || !AUTHENTICATION_LEVEL_CATEGORIES.has(category)) return denyByPolicy('unknown_obligation');
      const raw = member(assignment, 'Value');
      const required = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,2}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(required)) return denyByPolicy('unknown_obligation');
      const level = options.authenticationLevel;
      if (level === undefined ? options.systemUserMeetsAuthenticationLevel !== true : level < required)
        return denyByPolicy('authentication_level');
    }
  }
  return undefined;
}

/** Evaluates one XACML result: Permit only when decision, status and every obligation say so. */
function evaluateResult(result: unknown, options: EvaluationOptions): Decision {
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
  return obligationsProblem(result, options) ?? PERMIT;
}

/**
 * Evaluates the PDP's answer to a single request. Permit only for exactly one result whose
 * decision is exactly `Permit`, with status ok and every obligation understood and met
 * (catalogue G01-G08); anything else is a denial that says why.
 */
export function evaluateDecisionResponse(body: unknown, options: EvaluationOptions = {}): Decision {
  const list = results(body);
  if (list === undefined || list.length !== 1) return denyByError('malformed_response');
  return evaluateResult(list[0], options);
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
  const systemUserId = one(ATTRIBUTE.systemUser);
  const action = one(ATTRIBUTE.action);
  const resource = one(ATTRIBUTE.resource);
  const party = one(ATTRIBUTE.party);
  if (systemUserId === undefined || action === undefined || resource === undefined || party === undefined) return undefined;
  return decisionKey({ systemUserId, action, resource, party });
}

/**
 * Evaluates a multi-decision answer: each input is matched to the result carrying its
 * attributes, never by position. No match, or more than one, denies that input (catalogue G09).
 */
export function evaluateMultiDecisionResponse(
  body: unknown,
  inputs: readonly DecisionInput[],
  options: EvaluationOptions = {},
): Decision[] {
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
    return evaluateResult(matching[0], options);
  });
}
