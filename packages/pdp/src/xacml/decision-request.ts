import { InvalidInputError, isValidOrganizationNumber } from '@nav-auth/core';

/** One authorization question: may this system user do this action on this resource for this party? */
export interface DecisionInput {
  /** The system user's UUID (`authorization_details[].systemuser_id[0]`). */
  readonly systemUserId: string;
  /** The XACML action id, e.g. `read` or `write`. */
  readonly action: string;
  /** The Altinn resource registry id, from your configuration (never from the caller). */
  readonly resource: string;
  /** The customer organisation number (9 digits, without `0192:`). */
  readonly party: string;
  /** The customer's Altinn party UUID (`urn:altinn:party:uuid`), when you know it. */
  readonly partyUuid?: string | undefined;
  /** The customer's Altinn party id (`urn:altinn:partyid`), when you know it. */
  readonly partyId?: number | undefined;
}

/** XACML 3.0 JSON profile attribute. */
export interface XacmlAttribute {
  readonly AttributeId: string;
  readonly Value: string;
  readonly DataType?: string;
  readonly IncludeInResult?: boolean;
}

/** One attribute category (subject, action or resource). */
export interface XacmlCategory {
  readonly Id?: string;
  readonly Attribute: readonly XacmlAttribute[];
}

/** An XACML 3.0 JSON request as the Altinn PDP takes it. */
export interface XacmlRequest {
  readonly Request: {
    readonly ReturnPolicyIdList?: boolean;
    readonly AccessSubject: readonly XacmlCategory[];
    readonly Action: readonly XacmlCategory[];
    readonly Resource: readonly XacmlCategory[];
    readonly MultiRequests?: { readonly RequestReference: ReadonlyArray<{ readonly ReferenceId: readonly string[] }> };
  };
}

/** Attribute ids of the system-user profile (seed 003), and the party ids Altinn's own system-user requests carry. */
export const ATTRIBUTE = {
  systemUser: 'urn:altinn:systemuser:uuid',
  action: 'urn:oasis:names:tc:xacml:1.0:action:action-id',
  resource: 'urn:altinn:resource',
  party: 'urn:altinn:organization:identifier-no',
  partyUuid: 'urn:altinn:party:uuid',
  partyId: 'urn:altinn:partyid',
} as const;

const STRING = 'http://www.w3.org/2001/XMLSchema#string';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const resourceId = /^[a-z0-9_-]{4,}$/;
const actionId = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * Checks a decision input; the PDP is never asked about something malformed.
 *
 * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} `ERR_INVALID_INPUT` when the caller, resource or action is malformed (`field` names it).
 */
export function checkDecisionInput(input: DecisionInput): DecisionInput {
  if (typeof input.systemUserId !== 'string' || !uuid.test(input.systemUserId))
    throw new InvalidInputError('systemUserId', 'must be a UUID');
  if (typeof input.action !== 'string' || !actionId.test(input.action))
    throw new InvalidInputError('action', 'must be a lowercase XACML action id');
  if (typeof input.resource !== 'string' || !resourceId.test(input.resource)) {
    throw new InvalidInputError('resource', 'must be an Altinn resource id: 4 or more of a-z, 0-9, "_" and "-"');
  }
  if (!isValidOrganizationNumber(input.party))
    throw new InvalidInputError('party', 'must be a 9-digit organisation number with a valid check digit');
  if (input.partyUuid !== undefined && (typeof input.partyUuid !== 'string' || !uuid.test(input.partyUuid)))
    throw new InvalidInputError('partyUuid', 'must be a UUID');
  if (input.partyId !== undefined && !(Number.isSafeInteger(input.partyId) && input.partyId > 0))
    throw new InvalidInputError('partyId', 'must be a positive integer');
  return input;
}

const attribute = (AttributeId: string, Value: string, includeInResult: boolean, DataType?: string): XacmlAttribute => ({
  AttributeId,
  Value,
  ...(DataType === undefined ? {} : { DataType }),
  ...(includeInResult ? { IncludeInResult: true } : {}),
});

/** The resource attributes of a checked input: the resource, the organisation number, and the party ids given. */
const resourceAttributes = (input: DecisionInput, includeInResult: boolean): XacmlAttribute[] => [
  attribute(ATTRIBUTE.resource, input.resource, includeInResult),
  attribute(ATTRIBUTE.party, input.party, includeInResult),
  ...(input.partyUuid === undefined ? [] : [attribute(ATTRIBUTE.partyUuid, input.partyUuid, includeInResult)]),
  ...(input.partyId === undefined ? [] : [attribute(ATTRIBUTE.partyId, String(input.partyId), includeInResult)]),
];

/**
 * The XACML 3.0 JSON request of seed 003 for one decision: subject `urn:altinn:systemuser:uuid`,
 * action, and the resource with the party (its organisation number, and its `urn:altinn:party:uuid`
 * and `urn:altinn:partyid` when given). Built structurally from checked input, never by string
 * concatenation (catalogue G13).
 *
 * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} `ERR_INVALID_INPUT` when the caller, resource or action is malformed (`field` names it).
 *
 * @example
 * const request = buildDecisionRequest({ systemUserId, action: 'read', resource: 'kravogbetaling', party: '313367002' });
 */
export function buildDecisionRequest(input: DecisionInput): XacmlRequest {
  const { systemUserId, action } = checkDecisionInput(input);
  return {
    Request: {
      ReturnPolicyIdList: true,
      AccessSubject: [{ Attribute: [attribute(ATTRIBUTE.systemUser, systemUserId, false)] }],
      Action: [{ Attribute: [attribute(ATTRIBUTE.action, action, false, STRING)] }],
      Resource: [{ Attribute: resourceAttributes(input, false) }],
    },
  };
}

/**
 * Many decisions in one request (XACML Multiple Decision Profile): each distinct subject,
 * action and resource-with-party gets a category `Id`, one `RequestReference` per input, and
 * every attribute `IncludeInResult`, so results can be matched by what they carry rather than
 * by their order (catalogue G09).
 *
 * @throws {@link @nav-auth/core!NavAuthError | NavAuthError} `ERR_INVALID_INPUT` when an input is malformed or there are none (`field` names it).
 */
export function buildMultiDecisionRequest(inputs: readonly DecisionInput[]): XacmlRequest {
  if (inputs.length === 0) throw new InvalidInputError('inputs', 'at least one decision is needed');
  const subjects = new Map<string, XacmlCategory>();
  const actions = new Map<string, XacmlCategory>();
  const resources = new Map<string, XacmlCategory>();
  const references = inputs.map((input) => {
    const { systemUserId, action } = checkDecisionInput(input);
    const subjectId = idFor(subjects, systemUserId, 's', (Id) => ({
      Id,
      Attribute: [attribute(ATTRIBUTE.systemUser, systemUserId, true)],
    }));
    const actionRef = idFor(actions, action, 'a', (Id) => ({ Id, Attribute: [attribute(ATTRIBUTE.action, action, true, STRING)] }));
    // One category per distinct resource with party: the decision key without subject and action.
    const resourceRef = idFor(resources, decisionKey({ ...input, systemUserId: '', action: '' }), 'r', (Id) => ({
      Id,
      Attribute: resourceAttributes(input, true),
    }));
    return { ReferenceId: [subjectId, actionRef, resourceRef] };
  });
  return {
    Request: {
      ReturnPolicyIdList: true,
      AccessSubject: [...subjects.values()],
      Action: [...actions.values()],
      Resource: [...resources.values()],
      MultiRequests: { RequestReference: references },
    },
  };
}

function idFor(categories: Map<string, XacmlCategory>, key: string, prefix: string, make: (id: string) => XacmlCategory): string {
  const existing = categories.get(key);
  if (existing !== undefined) return existing.Id as string;
  const id = `${prefix}${categories.size}`;
  categories.set(key, make(id));
  return id;
}

/** A stable key for one decision input, for matching results and caching decisions. */
export function decisionKey(input: DecisionInput): string {
  return [
    input.systemUserId.toLowerCase(),
    input.action,
    input.resource,
    input.party,
    input.partyUuid?.toLowerCase() ?? '',
    input.partyId === undefined ? '' : String(input.partyId),
  ].join('\u0000');
}
