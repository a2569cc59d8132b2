// Raw HTTP helpers for tests: plain fetch, no nav-auth code, so the IdP is tested on its own.
import { randomUUID } from 'node:crypto';
import { importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';

export interface FormResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

export async function postForm(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<FormResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Signs a JWT by hand with jose: how a test builds grants and assertions without @nav-auth/core. */
export async function signJwt(privateJwk: JWK, payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const alg = (header.alg as string | undefined) ?? privateJwk.alg ?? 'RS256';
  const key = await importJWK(privateJwk, alg);
  return new SignJWT(payload).setProtectedHeader({ alg, kid: privateJwk.kid, typ: 'JWT', ...header } as { alg: string }).sign(key);
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
export const uuid = () => randomUUID();
