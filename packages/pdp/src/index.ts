/**
 * @nav-auth/pdp: Altinn system-user authorization through the Altinn PDP, failing closed.
 *
 * @example
 * import { createPdpClient } from '@nav-auth/pdp';
 *
 * const pdp = createPdpClient({ environment: 'test', subscriptionKey, maskinporten });
 * const decision = await pdp.authorizeSystemUser(claims, { resource: 'kravogbetaling', action: 'read' });
 *
 * @packageDocumentation
 */
export { PDP_SCOPE } from './client/altinn-token.js';
export type { PdpClient, PdpClientOptions, PdpEvent } from './client/pdp-client.js';
export { ALTINN_PLATFORM, createPdpClient } from './client/pdp-client.js';
export type { Decision, DenyReason } from './xacml/decision.js';
export { denyByError, denyByPolicy, PERMIT } from './xacml/decision.js';
export type { DecisionInput, XacmlAttribute, XacmlCategory, XacmlRequest } from './xacml/decision-request.js';
export { ATTRIBUTE, buildDecisionRequest, buildMultiDecisionRequest, checkDecisionInput, decisionKey } from './xacml/decision-request.js';
export { evaluateDecisionResponse, evaluateMultiDecisionResponse } from './xacml/evaluate-decision-response.js';
export type { PdpCaller } from './xacml/pdp-caller.js';
export { parsePdpCaller } from './xacml/pdp-caller.js';
