// Runs @azure/msal-node in a process of its own, as an application would: that process trusts
// the local IdP's throwaway CA through NODE_EXTRA_CA_CERTS, which Node reads only at startup
// (msal-node 7 sends with the global fetch and has no TLS option; its v5 migration guide
// removed customAgentOptions). Reads a JSON plan on stdin, writes a JSON report on stdout.
// No nav-auth code: msal-node and jose only.
import { randomUUID } from 'node:crypto';
import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import { importJWK, SignJWT } from 'jose';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const plan = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const assertionRequests = [];
const warnings = [];

/** msal-node's documented client credentials: a secret, an assertion callback or a certificate. */
function credential(given) {
  if (given.secret !== undefined) return { clientSecret: given.secret };
  if (given.certificate !== undefined) return { clientCertificate: given.certificate };
  return {
    // msal passes { clientId, tokenEndpoint }; the assertion is for that token endpoint (RFC 7523 §3).
    clientAssertion: async ({ clientId, tokenEndpoint }) => {
      assertionRequests.push({ clientId, tokenEndpoint });
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', kid: given.assertionJwk.kid, typ: 'JWT' })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(tokenEndpoint)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 300)
        .sign(await importJWK(given.assertionJwk, 'RS256'));
    },
  };
}

const app = new ConfidentialClientApplication({
  auth: { clientId: plan.clientId, authority: plan.authority, knownAuthorities: plan.knownAuthorities, ...credential(plan.credential) },
  system: {
    loggerOptions: {
      logLevel: LogLevel.Warning,
      piiLoggingEnabled: false,
      loggerCallback: (_level, message) => warnings.push(message),
    },
  },
});

const results = [];
for (const call of plan.calls) {
  try {
    const result =
      call.kind === 'clientCredential'
        ? await app.acquireTokenByClientCredential({ scopes: call.scopes })
        : await app.acquireTokenOnBehalfOf({ oboAssertion: call.oboAssertion, scopes: call.scopes });
    if (result === null) throw new Error('msal-node returned no result');
    results.push({
      ok: true,
      accessToken: result.accessToken,
      fromCache: result.fromCache,
      tokenType: result.tokenType,
      scopes: result.scopes,
    });
  } catch (error) {
    results.push({
      ok: false,
      name: error?.name,
      errorCode: error?.errorCode,
      errorMessage: String(error?.errorMessage ?? error?.message),
    });
  }
}
process.stdout.write(JSON.stringify({ results, assertionRequests, warnings }));
