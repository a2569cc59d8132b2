import { IDPORTEN_ACR, type LoginLevel } from '@nav-auth/core';

// A path a browser resolves against this origin: one leading `/` (`//host` is another host),
// no `\` (browsers read it as `/`, so `/\host` is another host too), and printable characters
// only: no C0 or C1 control character (a browser drops tab and newline from a URL, making
// `/<TAB>/host` a `//host`; CR LF would split a header).
const sameOriginPath = /^\/(?![/\\])[\x20-\x5b\x5d-\x7e\u00a0-\uffff]*$/;

/** The login proxy's path as `idporten.loginUrl` may give it: a same-origin path, with no query or fragment of its own. */
export function isLoginPath(path: unknown): path is string {
  return typeof path === 'string' && sameOriginPath.test(path) && !/[?#]/.test(path);
}

/**
 * Whether a request target may go back to the login proxy as `redirect`: a same-origin path
 * with its query, judged as sent and once percent-decoded, because the login proxy decodes it
 * before redirecting there (`/%2F%2Fevil.example` would become `//evil.example`). An
 * absolute-form target (`http://host/...`) is not a path and never qualifies.
 */
export function isSafeRedirect(target: string): boolean {
  if (!sameOriginPath.test(target) || target.includes('#')) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return false;
  }
  return sameOriginPath.test(decoded);
}

/**
 * Where a browser navigation without a usable token should go to log in: the login proxy's
 * `loginUrl` with `level` (the route's `acr`) and, when the request target is a safe
 * same-origin path, `redirect` back to it (nais/doc, the login proxy's `/oauth2/login`).
 */
export function buildLoginLocation(loginUrl: string, level: LoginLevel, target: string | undefined): string {
  const query = new URLSearchParams({ level: IDPORTEN_ACR[level] });
  if (target !== undefined && isSafeRedirect(target)) query.set('redirect', target);
  return `${loginUrl}?${query.toString()}`;
}
