import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, PDP_SCOPE, startLocalIdp } from '../src/index.js';
import { nowSeconds, postForm, signJwt, uuid } from './support/http.js';

let idp: LocalIdp;
let altinnToken: string;
const systemUserId = 'a6355a68-86b8-4344-8a81-0248cb461468';

async function maskinportenToken(scope: string): Promise<string> {
  const client = await idp.registerMaskinportenClient({ orgno: '889640782', scopes: [scope] });
  const iat = nowSeconds();
  const grant = await signJwt(client.privateJwk as JWK, {
    aud: idp.maskinporten.issuer,
    iss: client.clientId,
    scope,
    iat,
    exp: iat + 30,
    jti: uuid(),
  });
  const response = await postForm(idp.maskinporten.tokenEndpoint, {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: grant,
  });
  return response.body.access_token as string;
}

const exchange = (token?: string) =>
  fetch(idp.altinn.exchangeUrl, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

function single(resource: string, org: string, action = 'read', subject = systemUserId) {
  return {
    Request: {
      ReturnPolicyIdList: true,
      AccessSubject: [{ Attribute: [{ AttributeId: 'urn:altinn:systemuser:uuid', Value: subject }] }],
      Action: [
        {
          Attribute: [
            {
              AttributeId: 'urn:oasis:names:tc:xacml:1.0:action:action-id',
              Value: action,
              DataType: 'http://www.w3.org/2001/XMLSchema#string',
            },
          ],
        },
      ],
      Resource: [
        {
          Attribute: [
            { AttributeId: 'urn:altinn:resource', Value: resource },
            { AttributeId: 'urn:altinn:organization:identifier-no', Value: org },
          ],
        },
      ],
    },
  };
}

async function authorize(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(idp.altinn.pdpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ocp-apim-subscription-key': idp.altinn.subscriptionKey,
      authorization: `Bearer ${altinnToken}`,
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  idp = await startLocalIdp();
  const exchanged = await exchange(await maskinportenToken(PDP_SCOPE));
  altinnToken = await exchanged.text();
  idp.addPdpPolicy({ systemUserId, resource: 'kravogbetaling', action: 'read', org: '313367002' });
  idp.addPdpPolicy({ systemUserId, resource: 'kravogbetaling', action: 'write', org: '313367002', decision: 'Deny' });
  idp.addPdpPolicy({
    systemUserId,
    resource: 'sensitive',
    action: 'read',
    org: '313367002',
    obligations: [{ id: 'urn:altinn:obligation:authenticationLevel1', category: 'urn:altinn:minimum-authenticationlevel', value: '3' }],
  });
});
afterAll(() => idp.close());

describe('Altinn token exchange', () => {
  it('turns a Maskinporten token with the PDP scope into an Altinn token', async () => {
    expect(altinnToken.split('.')).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(altinnToken.split('.')[1] as string, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: idp.altinn.issuer,
      scope: PDP_SCOPE,
      'urn:altinn:orgNumber': '889640782',
      'urn:altinn:authlevel': 3,
    });
  });

  it('refuses no token (401), a forged token (401) and a token without the PDP scope (403)', async () => {
    expect((await exchange()).status).toBe(401);
    expect((await exchange(await idp.mintToken('maskinporten', { scope: PDP_SCOPE }, { unpublishedKey: true }))).status).toBe(401);
    expect((await exchange(await maskinportenToken('nav:test/api'))).status).toBe(403);
  });
});

describe('Altinn PDP', () => {
  it('permits by the policy table and answers camelCase like the real service', async () => {
    const { status, body } = await authorize(single('kravogbetaling', '313367002'));
    expect(status).toBe(200);
    expect(body).toEqual({
      response: [
        {
          decision: 'Permit',
          status: { statusCode: { value: 'urn:oasis:names:tc:xacml:1.0:status:ok' } },
          obligations: [],
          associateAdvice: null,
          category: null,
          policyIdentifierList: null,
        },
      ],
    });
  });

  it('denies, answers NotApplicable when no row matches, and Indeterminate for a malformed request', async () => {
    expect((await authorize(single('kravogbetaling', '313367002', 'write'))).body).toMatchObject({ response: [{ decision: 'Deny' }] });
    expect((await authorize(single('kravogbetaling', '974760673'))).body).toMatchObject({ response: [{ decision: 'NotApplicable' }] });
    const noOrg = single('kravogbetaling', '313367002');
    noOrg.Request.Resource[0]?.Attribute.pop();
    expect((await authorize(noOrg)).body).toMatchObject({
      response: [{ decision: 'Indeterminate', status: { statusCode: { value: 'urn:oasis:names:tc:xacml:1.0:status:processing-error' } } }],
    });
  });

  it('returns obligations in camelCase', async () => {
    const { body } = await authorize(single('sensitive', '313367002'));
    expect(body).toMatchObject({
      response: [
        {
          decision: 'Permit',
          obligations: [
            {
              id: 'urn:altinn:obligation:authenticationLevel1',
              attributeAssignment: [{ category: 'urn:altinn:minimum-authenticationlevel', value: '3' }],
            },
          ],
        },
      ],
    });
  });

  it('answers MultiRequests with one result per reference, carrying IncludeInResult attributes', async () => {
    const resource = (id: string, org: string) => ({
      Id: id,
      Attribute: [
        { AttributeId: 'urn:altinn:resource', Value: 'kravogbetaling', IncludeInResult: true },
        { AttributeId: 'urn:altinn:organization:identifier-no', Value: org, IncludeInResult: true },
      ],
    });
    const request = {
      Request: {
        AccessSubject: [{ Id: 's1', Attribute: [{ AttributeId: 'urn:altinn:systemuser:uuid', Value: systemUserId }] }],
        Action: [{ Id: 'a1', Attribute: [{ AttributeId: 'urn:oasis:names:tc:xacml:1.0:action:action-id', Value: 'read' }] }],
        Resource: [resource('r0', '313367002'), resource('r1', '974760673')],
        MultiRequests: {
          RequestReference: [
            { ReferenceId: ['s1', 'a1', 'r0'] },
            { ReferenceId: ['s1', 'a1', 'r1'] },
            { ReferenceId: ['s1', 'a1', 'nope'] },
          ],
        },
      },
    };
    const results = (await authorize(request)).body.response as Array<Record<string, unknown>>;
    expect(results.map((r) => r.decision)).toEqual(['Permit', 'NotApplicable', 'Indeterminate']);
    expect(results[1]?.category).toEqual([
      {
        categoryId: 'urn:oasis:names:tc:xacml:3.0:attribute-category:resource',
        attribute: [
          { attributeId: 'urn:altinn:resource', value: 'kravogbetaling', dataType: null, includeInResult: true },
          { attributeId: 'urn:altinn:organization:identifier-no', value: '974760673', dataType: null, includeInResult: true },
        ],
      },
    ]);
  });

  it('requires the subscription key and an Altinn token', async () => {
    expect((await authorize(single('kravogbetaling', '313367002'), { 'ocp-apim-subscription-key': '' })).status).toBe(401);
    expect((await authorize(single('kravogbetaling', '313367002'), { 'ocp-apim-subscription-key': 'wrong' })).status).toBe(401);
    const maskinporten = await maskinportenToken(PDP_SCOPE);
    expect((await authorize(single('kravogbetaling', '313367002'), { authorization: `Bearer ${maskinporten}` })).status).toBe(401);
    const malformed = await fetch(idp.altinn.pdpUrl, {
      method: 'POST',
      headers: { 'ocp-apim-subscription-key': idp.altinn.subscriptionKey, authorization: `Bearer ${altinnToken}` },
      body: '{"Request":',
    });
    expect(malformed.status).toBe(400);
  });

  it('answers PascalCase when asked, like the documentation', async () => {
    const pascal = await startLocalIdp({ pdpResponseCase: 'pascal', subscriptionKey: 'key' });
    try {
      const token = await pascal.mintToken('altinn', { scope: PDP_SCOPE });
      const response = await fetch(pascal.altinn.pdpUrl, {
        method: 'POST',
        headers: { 'ocp-apim-subscription-key': 'key', authorization: `Bearer ${token}` },
        body: JSON.stringify(single('x', '313367002')),
      });
      expect(await response.json()).toMatchObject({
        Response: [{ Decision: 'NotApplicable', Status: { StatusCode: { Value: expect.any(String) } } }],
      });
    } finally {
      await pascal.close();
    }
  });

  it('issues Altinn tokens that verify against nothing but the Altinn key', async () => {
    const jwks = (await (await fetch(idp.maskinporten.jwksUri)).json()) as { keys: JWK[] };
    await expect(jwtVerify(altinnToken, createLocalJWKSet(jwks))).rejects.toThrow();
  });
});
