/** Why access was denied. */
export type DenyReason =
  /** The PDP said Deny. */
  | 'deny'
  /** No policy matched (an unknown resource, say). */
  | 'not_applicable'
  /** The PDP could not decide (missing attribute, processing error, syntax error). */
  | 'indeterminate'
  /** A decision string other than exactly "Permit", "Deny", "NotApplicable" or "Indeterminate". */
  | 'unknown_decision'
  /** A Permit whose status is not ok. */
  | 'status_not_ok'
  /** An obligation we do not understand, so cannot discharge (XACML 3.0 §7.2.2). */
  | 'unknown_obligation'
  /** A minimum authentication level that the `urn:altinn:authlevel` of the caller's Altinn token does not reach, or that token has none. */
  | 'authentication_level'
  /** The response has not exactly one result for a single request, or is not a decision response at all. */
  | 'malformed_response'
  /** In a multi-decision response: no result, or more than one, matches this request. */
  | 'missing_result'
  | 'ambiguous_result'
  /** The token has no usable system user: the PDP was not asked. */
  | 'no_system_user'
  /** The question itself is malformed: the PDP was not asked. */
  | 'invalid_request'
  /** The PDP could not be reached or answered with an error status, a timeout or a broken body. */
  | 'transport'
  | 'timeout'
  | 'upstream_status';

/** The answer for one question. A denial is a value, never an exception (house style). */
export type Decision =
  | { readonly permit: true }
  | {
      readonly permit: false;
      /** `policy` when the PDP (or a rule) said no; `error` when no trustworthy answer was had. */
      readonly kind: 'policy' | 'error';
      readonly reason: DenyReason;
    };

/** The one Permit. */
export const PERMIT: Decision = Object.freeze({ permit: true });

/** A denial decided by policy: the PDP's answer, an obligation not met, a missing system user. */
export function denyByPolicy(reason: DenyReason): Decision {
  return Object.freeze({ permit: false, kind: 'policy', reason });
}

/** A denial because no trustworthy answer was had: transport, timeouts, malformed responses. */
export function denyByError(reason: DenyReason): Decision {
  return Object.freeze({ permit: false, kind: 'error', reason });
}
