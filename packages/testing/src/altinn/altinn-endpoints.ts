import { timingSafeEqual } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { IssuerKeys } from '../keys/issuer-keys.js';
import type { PdpObligation, PdpPolicy } from '../registry.js';
import type { HandlerRequest, Reply } from '../server/http-server.js';

/** The scope a Maskinporten token needs for the Altinn exchange and the PDP. */
export const PDP_SCOPE = 'altinn:authorization/authorize';

/** What the Altinn endpoints need from the IdP. */
export interface AltinnContext {
  readonly issuer: string;
  readonly keys: IssuerKeys;
  readonly maskinporten: { readonly issuer: string; readonly keys: IssuerKeys };
  readonly subscriptionKey: string;
  readonly policies: readonly PdpPolicy[];
  /** Answer camelCase like the real service (default), or PascalCase like the docs. */
  readonly responseCase: 'camel' | 'pascal';
  readonly now: () => Date;
}

function bearer(request: HandlerRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
}

const unauthorized = (message: string): Reply => ({ status: 401, body: { statusCode: 401, message } });

/** `GET /authentication/api/v1/exchange/maskinporten`: a Maskinporten token with the PDP scope becomes an Altinn token. */
export async function handleAltinnExchange(context: AltinnContext, request: HandlerRequest): Promise<Reply> {
  const token = bearer(request);
  if (token === undefined) return unauthorized('a Maskinporten bearer token is required');
  let claims: JWTPayload;
  try {
    claims = await context.maskinporten.keys.verify(token, context.maskinporten.issuer, context.now());
  } catch {
    return unauthorized('the Maskinporten token is not valid');
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes(PDP_SCOPE)) return { status: 403, body: { statusCode: 403, message: `scope ${PDP_SCOPE} is required` } };
  const iat = Math.floor(context.now().getTime() / 1000);
  const altinnToken = await context.keys.sign({
    iss: context.issuer,
    scope: claims.scope,
    client_id: claims.client_id,
    consumer: claims.consumer,
    'urn:altinn:orgNumber': String((claims.consumer as { ID?: string } | undefined)?.ID ?? '').replace(/^0192:/, ''),
    // Altinn gives every Maskinporten login level 3; a PEP checks it against the PDP's
    // minimum-authentication-level obligations.
    'urn:altinn:authlevel': 3,
    iat,
    exp: claims.exp ?? iat + 3600,
  });
  return { status: 200, body: altinnToken };
}

type Json = Record<string, unknown>;
type Attribute = { id: string; value: string; includeInResult: boolean; dataType: string | undefined };
type Category = { id: string | undefined; attributes: Attribute[] };

/** Reads a member whatever its case, as Altinn's own JSON reader does. */
function member(object: unknown, name: string): unknown {
  if (typeof object !== 'object' || object === null) return undefined;
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (object as Json)[key];
}

function readCategories(request: unknown, name: string): Category[] | undefined {
  const list = member(request, name);
  if (!Array.isArray(list)) return undefined;
  const categories: Category[] = [];
  for (const entry of list) {
    const attributes = member(entry, 'Attribute');
    if (!Array.isArray(attributes)) return undefined;
    const parsed: Attribute[] = [];
    for (const attribute of attributes) {
      const id = member(attribute, 'AttributeId');
      const value = member(attribute, 'Value');
      if (typeof id !== 'string' || typeof value !== 'string') return undefined;
      const dataType = member(attribute, 'DataType');
      parsed.push({
        id,
        value,
        includeInResult: member(attribute, 'IncludeInResult') === true,
        dataType: typeof dataType === 'string' ? dataType : undefined,
      });
    }
    const id = member(entry, 'Id');
    categories.push({ id: typeof id === 'string' ? id : undefined, attributes: parsed });
  }
  return categories;
}

const CATEGORY_IDS = {
  subject: 'urn:oasis:names:tc:xacml:1.0:subject-category:access-subject',
  action: 'urn:oasis:names:tc:xacml:3.0:attribute-category:action',
  resource: 'urn:oasis:names:tc:xacml:3.0:attribute-category:resource',
} as const;
const STATUS_OK = 'urn:oasis:names:tc:xacml:1.0:status:ok';
const STATUS_PROCESSING_ERROR = 'urn:oasis:names:tc:xacml:1.0:status:processing-error';

/** The answer to a request the PDP cannot evaluate: missing attributes, unknown references, several categories without MultiRequests. */
function indeterminate(category: Json[] | null): Json {
  return {
    decision: 'Indeterminate',
    status: { statusCode: { value: STATUS_PROCESSING_ERROR } },
    obligations: null,
    associateAdvice: null,
    category,
    policyIdentifierList: null,
  };
}

function attribute(category: Category, id: string): string | undefined {
  const matches = category.attributes.filter((a) => a.id === id);
  return matches.length === 1 ? matches[0]?.value : undefined;
}

function decide(policies: readonly PdpPolicy[], subject: Category, action: Category, resource: Category): Json {
  const systemUserId = attribute(subject, 'urn:altinn:systemuser:uuid');
  const actionId = attribute(action, 'urn:oasis:names:tc:xacml:1.0:action:action-id');
  const resourceId = attribute(resource, 'urn:altinn:resource');
  const org = attribute(resource, 'urn:altinn:organization:identifier-no');
  const returned = [
    [CATEGORY_IDS.subject, subject],
    [CATEGORY_IDS.action, action],
    [CATEGORY_IDS.resource, resource],
  ] as const;
  const category = returned
    .map(([categoryId, c]) => ({
      categoryId,
      attribute: c.attributes
        .filter((a) => a.includeInResult)
        .map((a) => ({ attributeId: a.id, value: a.value, dataType: a.dataType ?? null, includeInResult: true })),
    }))
    .filter((c) => c.attribute.length > 0);
  const returnedCategories = category.length > 0 ? category : null;
  if (systemUserId === undefined || actionId === undefined || resourceId === undefined || org === undefined) {
    return indeterminate(returnedCategories);
  }
  const policy = policies.find(
    (p) => p.systemUserId === systemUserId && p.action === actionId && p.resource === resourceId && p.org === org,
  );
  return {
    decision: policy?.decision ?? 'NotApplicable',
    status: { statusCode: { value: STATUS_OK } },
    // A Permit lists its obligations, if only as []; without a policy or obligations, null.
    obligations: policy && (policy.decision === 'Permit' || policy.obligations.length > 0) ? policy.obligations.map(toObligation) : null,
    associateAdvice: null,
    category: returnedCategories,
    policyIdentifierList: null,
  };
}

function toObligation(obligation: PdpObligation): Json {
  return {
    id: obligation.id,
    attributeAssignment: [
      {
        attributeId: obligation.attributeId ?? 'urn:altinn:obligation-assignment:1',
        value: obligation.value,
        category: obligation.category,
        dataType: obligation.dataType ?? 'http://www.w3.org/2001/XMLSchema#integer',
        issuer: null,
      },
    ],
  };
}

function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascal(v)]));
}

/** `POST /authorization/api/v1/authorize`: the Altinn PDP, deciding from the registered policy table. */
export async function handlePdp(context: AltinnContext, request: HandlerRequest): Promise<Reply> {
  const key = String(request.headers['ocp-apim-subscription-key'] ?? '');
  const expected = Buffer.from(context.subscriptionKey);
  if (key.length === 0 || !(Buffer.from(key).length === expected.length && timingSafeEqual(Buffer.from(key), expected))) {
    return unauthorized('Access denied due to missing or invalid subscription key.');
  }
  const token = bearer(request);
  let claims: JWTPayload;
  try {
    if (token === undefined) throw new Error('no token');
    claims = await context.keys.verify(token, context.issuer, context.now());
  } catch {
    return unauthorized('an Altinn token from the Maskinporten exchange is required');
  }
  if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(PDP_SCOPE)) {
    return { status: 403, body: { statusCode: 403, message: `scope ${PDP_SCOPE} is required` } };
  }
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return { status: 400, body: { title: 'One or more validation errors occurred.', status: 400 } };
  }
  const xacml = member(body, 'Request');
  const subjects = readCategories(xacml, 'AccessSubject');
  const actions = readCategories(xacml, 'Action');
  const resources = readCategories(xacml, 'Resource');
  if (subjects === undefined || actions === undefined || resources === undefined) {
    return { status: 400, body: { title: 'One or more validation errors occurred.', status: 400 } };
  }
  const references = member(member(xacml, 'MultiRequests'), 'RequestReference');
  let results: Json[];
  if (Array.isArray(references)) {
    const all = [...subjects, ...actions, ...resources];
    results = references.map((reference) => {
      const ids = member(reference, 'ReferenceId');
      const pick = (list: Category[]) => list.filter((c) => Array.isArray(ids) && c.id !== undefined && ids.includes(c.id));
      const [s, a, r] = [pick(subjects), pick(actions), pick(resources)];
      const known = Array.isArray(ids) && ids.every((id) => all.some((c) => c.id === id));
      return known && s.length === 1 && a.length === 1 && r.length === 1
        ? decide(context.policies, s[0] as Category, a[0] as Category, r[0] as Category)
        : indeterminate(null);
    });
  } else if (subjects.length === 1 && actions.length === 1 && resources.length === 1) {
    results = [decide(context.policies, subjects[0] as Category, actions[0] as Category, resources[0] as Category)];
  } else {
    results = [indeterminate(null)];
  }
  const response = { response: results };
  return { status: 200, body: context.responseCase === 'pascal' ? pascal(response) : response };
}
