import { hasDuplicateMembersOrDeepNesting, isNavAuthError, type MaskinportenClaims } from '@nav-auth/core';
import type { MaskinportenClient, TraceMessage } from '@nav-auth/node';
import { isObserved, publishEvent, sendRequest, traced } from '@nav-auth/node/internal';
import type { Dispatcher } from 'undici';
import { type Decision, denyByError, denyByPolicy } from '../xacml/decision.js';
import {
  buildDecisionRequest,
  buildMultiDecisionRequest,
  checkDecisionInput,
  type DecisionInput,
  decisionKey,
} from '../xacml/decision-request.js';
import { evaluateDecisionResponse, evaluateMultiDecisionResponse, MAX_RESPONSE_DEPTH } from '../xacml/evaluate-decision-response.js';
import { AltinnTokenSource } from './altinn-token.js';

const NO_ATTRIBUTES = () => ({});

/** Altinn platform hosts. */
export const ALTINN_PLATFORM = {
  production: 'https://platform.altinn.no',
  test: 'https://platform.tt02.altinn.no',
} as const;

/** What the PDP client reports; never a token. */
export type PdpEvent =
  | {
      readonly type: 'decision';
      readonly permit: boolean;
      readonly kind: 'policy' | 'error' | undefined;
      readonly reason: string | undefined;
      readonly cached: boolean;
    }
  | { readonly type: 'pdp_request'; readonly decisions: number; readonly status: number | undefined; readonly durationMs: number };

/** Options for {@link createPdpClient}. */
export interface PdpClientOptions {
  /** `production` or `test` (TT02), or give `baseUrl`. */
  readonly environment?: keyof typeof ALTINN_PLATFORM;
  /** The Altinn platform base URL, e.g. a local emulator's. */
  readonly baseUrl?: string;
  /** The `Ocp-Apim-Subscription-Key` for Altinn's Access Management products. */
  readonly subscriptionKey: string;
  /** A Maskinporten client whose registration has `altinn:authorization/authorize`. */
  readonly maskinporten: MaskinportenClient;
  /** The undici dispatcher for PDP and token-exchange calls (default: nav-auth's shared one). */
  readonly dispatcher?: Dispatcher;
  /** Deadline for one PDP call, token exchange included (default 3000 ms); past it, deny. */
  readonly deadlineMs?: number;
  /** Largest PDP response read (default 256 KiB). */
  readonly maxBodyBytes?: number;
  /** Calls within this window are sent together as one MultiRequests call (default 2 ms; 0 sends each alone). */
  readonly batchWindowMs?: number;
  /** Most decisions in one call (default 50). */
  readonly maxBatchSize?: number;
  /** Remember Permit and policy Deny answers this long (default 0: off). Errors are never remembered. */
  readonly decisionCacheTtlMs?: number;
  /** Most decisions remembered at once, with `decisionCacheTtlMs` (default 10 000). */
  readonly decisionCacheMaxEntries?: number;
  /** Wall clock in ms since the epoch (default `Date.now`). */
  readonly clock?: () => number;
  /** Told about every PDP call, decision and failure; never receives a token. */
  readonly onEvent?: (event: PdpEvent) => void;
}

/** Asks the Altinn PDP, and never lets a doubt through. */
export interface PdpClient {
  /** One decision. Never rejects: an error is a Deny of kind `error`. */
  authorize(input: DecisionInput): Promise<Decision>;
  /** Several decisions in one call, answered in the order asked. Never rejects: an error is a Deny of kind `error`. */
  authorizeMany(inputs: readonly DecisionInput[]): Promise<Decision[]>;
  /**
   * Authorizes the system user of validated Maskinporten claims for `action` on `resource`
   * (from configuration) for the customer org; denies without asking the PDP when the token
   * has no unambiguous system user (catalogue G13). Never rejects: an error is a Deny of kind `error`.
   */
  authorizeSystemUser(
    claims: Pick<MaskinportenClaims, 'systemUser'>,
    request: Pick<DecisionInput, 'resource' | 'action' | 'partyUuid' | 'partyId'>,
  ): Promise<Decision>;
}

interface Pending {
  readonly input: DecisionInput;
  readonly resolve: (decision: Decision) => void;
}

/**
 * Creates an Altinn PDP client: gets the Altinn token by exchanging a Maskinporten token
 * (cached; one refresh and retry on 401/403), coalesces concurrent questions into
 * MultiRequests calls, evaluates answers strictly, and turns every failure into a Deny.
 * Minimum-authentication-level obligations are checked against the `urn:altinn:authlevel`
 * (and `urn:altinn:org`) claims of that Altinn token; no option loosens them.
 *
 * @example
 * const pdp = createPdpClient({ environment: 'test', subscriptionKey, maskinporten: createMaskinportenClient() });
 * const decision = await pdp.authorizeSystemUser(claims, { resource: 'kravogbetaling', action: 'read' });
 * if (!decision.permit) return reply.status(403);
 */
export function createPdpClient(options: PdpClientOptions): PdpClient {
  const baseUrl = (options.baseUrl ?? ALTINN_PLATFORM[options.environment ?? 'production']).replace(/\/$/, '');
  const clock = options.clock ?? Date.now;
  const deadlineMs = options.deadlineMs ?? 3000;
  const batchWindowMs = options.batchWindowMs ?? 2;
  const maxBatchSize = options.maxBatchSize ?? 50;
  const cacheTtl = options.decisionCacheTtlMs ?? 0;
  const cacheMax = options.decisionCacheMaxEntries ?? 10_000;
  const tokens = new AltinnTokenSource(
    `${baseUrl}/authentication/api/v1/exchange/maskinporten`,
    options.maskinporten,
    options.dispatcher,
    clock,
  );
  const decisions = new Map<string, { decision: Decision; until: number }>();
  let batch: Pending[] = [];
  /** The pending flush: a timer, or the microtask that sends what this tick asked when there is no window. */
  let timer: NodeJS.Timeout | 'microtask' | undefined;

  const emit = (event: PdpEvent) => publishEvent('pdp', options.onEvent, event);

  /** One call to the PDP for these inputs; any failure denies them all as errors. */
  const ask = async (inputs: readonly DecisionInput[]): Promise<Decision[]> => {
    const signal = AbortSignal.timeout(deadlineMs);
    const started = performance.now();
    let body: string;
    try {
      body = JSON.stringify(inputs.length === 1 ? buildDecisionRequest(inputs[0] as DecisionInput) : buildMultiDecisionRequest(inputs));
    } catch {
      // Inputs are checked before they are queued; should that ever be bypassed, deny, never hang.
      return inputs.map(() => denyByPolicy('invalid_request'));
    }
    /** Asks with an Altinn token; the answer is evaluated for the caller that token describes. */
    const send = async (fresh: boolean) => {
      const altinn = await tokens.token(signal, fresh);
      const response = await sendRequest(
        {
          url: `${baseUrl}/authorization/api/v1/authorize`,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'ocp-apim-subscription-key': options.subscriptionKey,
            authorization: `Bearer ${altinn.token}`,
          },
          body,
        },
        {
          dispatcher: options.dispatcher,
          signal,
          timeoutMs: deadlineMs,
          maxBodyBytes: options.maxBodyBytes ?? 256 * 1024,
          purpose: 'PDP call',
        },
      );
      return { response, caller: altinn.caller };
    };
    let status: number | undefined;
    try {
      let { response, caller } = await send(false);
      // Our Altinn token was refused: refresh it once and ask once more (catalogue G11).
      if (response.status === 401 || response.status === 403) ({ response, caller } = await send(true));
      status = response.status;
      if (response.status !== 200) return inputs.map(() => denyByError('upstream_status'));
      let parsed: unknown;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        return inputs.map(() => denyByError('malformed_response'));
      }
      // JSON.parse keeps the last of two identical names ({"Decision":"Deny","Decision":"Permit"}): refuse instead.
      if (hasDuplicateMembersOrDeepNesting(response.body, parsed, MAX_RESPONSE_DEPTH))
        return inputs.map(() => denyByError('malformed_response'));
      return inputs.length === 1 ? [evaluateDecisionResponse(parsed, caller)] : evaluateMultiDecisionResponse(parsed, inputs, caller);
    } catch (error) {
      const reason = isNavAuthError(error, 'ERR_TIMEOUT') || signal.aborted ? 'timeout' : 'transport';
      return inputs.map(() => denyByError(reason));
    } finally {
      emit({ type: 'pdp_request', decisions: inputs.length, status, durationMs: performance.now() - started });
    }
  };

  const flush = () => {
    timer = undefined;
    const pending = batch;
    batch = [];
    // Identical questions in one window are asked once.
    const distinct = new Map<string, DecisionInput>();
    for (const { input } of pending) distinct.set(decisionKey(input), input);
    const inputs = [...distinct.values()];
    for (let start = 0; start < inputs.length; start += maxBatchSize) {
      const chunk = inputs.slice(start, start + maxBatchSize);
      ask(chunk).then((answers) => {
        const byKey = new Map(chunk.map((input, i) => [decisionKey(input), answers[i] as Decision]));
        for (const { input, resolve } of pending) {
          const answer = byKey.get(decisionKey(input));
          if (answer !== undefined) resolve(answer);
        }
      });
    }
  };

  const remembered = (key: string): Decision | undefined => {
    const hit = decisions.get(key);
    if (hit === undefined) return undefined;
    if (clock() < hit.until) return hit.decision;
    decisions.delete(key);
    return undefined;
  };

  const remember = (key: string, decision: Decision) => {
    // Indeterminate and errors are never remembered (catalogue G12).
    if (cacheTtl <= 0 || (!decision.permit && decision.kind === 'error')) return;
    if (decisions.size >= cacheMax) decisions.delete(decisions.keys().next().value as string);
    decisions.set(key, { decision, until: clock() + cacheTtl });
  };

  const report = (decision: Decision, cached: boolean, trace: TraceMessage | undefined) => {
    if (trace !== undefined) {
      Object.assign(trace.attributes, {
        decision: decision.permit ? 'permit' : 'deny',
        kind: decision.permit ? undefined : decision.kind,
        reason: decision.permit ? undefined : decision.reason,
        cached,
      });
    }
    if (isObserved('pdp', options.onEvent)) {
      emit({
        type: 'decision',
        permit: decision.permit,
        kind: decision.permit ? undefined : decision.kind,
        reason: decision.permit ? undefined : decision.reason,
        cached,
      });
    }
    return decision;
  };

  const decide = async (input: DecisionInput, trace: TraceMessage | undefined): Promise<Decision> => {
    try {
      checkDecisionInput(input);
    } catch {
      return report(denyByPolicy('invalid_request'), false, trace);
    }
    const key = decisionKey(input);
    const cached = remembered(key);
    if (cached !== undefined) return report(cached, true, trace);
    const decision = await new Promise<Decision>((resolve) => {
      batch.push({ input, resolve });
      if (batch.length >= maxBatchSize) {
        if (timer !== 'microtask') clearTimeout(timer);
        flush();
      } else if (timer === undefined) {
        if (batchWindowMs > 0) timer = setTimeout(flush, batchWindowMs);
        else {
          timer = 'microtask';
          queueMicrotask(flush);
        }
      }
    });
    remember(key, decision);
    return report(decision, false, trace);
  };
  /** One decision, traced as `nav-auth:pdp.authorize`; a batch's PDP call is a child of the first decision in it. */
  const authorize = (input: DecisionInput) => traced('pdp.authorize', NO_ATTRIBUTES, (trace) => decide(input, trace));

  return {
    authorize,
    authorizeMany: (inputs) => Promise.all(inputs.map(authorize)),
    async authorizeSystemUser(claims, request) {
      // Validated claims carry the system user core read from authorization_details; an
      // ambiguous one already failed validation. No system user: no question to ask.
      const systemUser = claims.systemUser;
      if (systemUser === undefined)
        return traced('pdp.authorize', NO_ATTRIBUTES, async (trace) => report(denyByPolicy('no_system_user'), false, trace));
      return authorize({
        systemUserId: systemUser.id,
        action: request.action,
        resource: request.resource,
        party: systemUser.customerOrg,
        partyUuid: request.partyUuid,
        partyId: request.partyId,
      });
    },
  };
}
