import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { nodeEcJwk, nodeRsaJwk } from '../../test/support/keys.js';
import type { ConfigError } from '../error/nav-auth-error.js';
import {
  parseAzureConfig,
  parseAzureValidationConfig,
  parseIdportenConfig,
  parseMaskinportenConfig,
  parseMaskinportenValidationConfig,
  parseTokenXConfig,
} from './parse-config.js';

const rsa = JSON.stringify(nodeRsaJwk('mp-1'));
const maskinporten = {
  MASKINPORTEN_CLIENT_ID: 'client-1',
  MASKINPORTEN_CLIENT_JWK: rsa,
  MASKINPORTEN_SCOPES: 'nav:a  skatt:b\n',
  MASKINPORTEN_WELL_KNOWN_URL: 'https://test.maskinporten.no/.well-known/oauth-authorization-server',
  MASKINPORTEN_ISSUER: 'https://test.maskinporten.no/',
  MASKINPORTEN_TOKEN_ENDPOINT: 'https://test.maskinporten.no/token',
};

function configError(run: () => unknown): ConfigError {
  const error = caught(run);
  expect(error).toMatchObject({ code: 'ERR_CONFIG' });
  return error as ConfigError;
}

describe('parseMaskinportenConfig', () => {
  it('reads the variables of seed 000', () => {
    const config = parseMaskinportenConfig(maskinporten);
    expect(config).toMatchObject({ clientId: 'client-1', scopes: ['nav:a', 'skatt:b'], issuer: 'https://test.maskinporten.no/' });
    expect(config.clientJwk.kid).toBe('mp-1');
  });

  it('names every missing or malformed variable in one error, never a value', () => {
    const error = configError(() =>
      parseMaskinportenConfig({
        MASKINPORTEN_CLIENT_JWK: JSON.stringify({ ...JSON.parse(rsa), kid: undefined }),
        MASKINPORTEN_TOKEN_ENDPOINT: 'http://maskinporten.no/token',
        MASKINPORTEN_WELL_KNOWN_URL: 'not a url',
      }),
    );
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.problems.map((p) => p.variable)).toEqual([
      'MASKINPORTEN_CLIENT_ID',
      'MASKINPORTEN_CLIENT_JWK',
      'MASKINPORTEN_WELL_KNOWN_URL',
      'MASKINPORTEN_ISSUER',
      'MASKINPORTEN_TOKEN_ENDPOINT',
    ]);
    expect(error.message).toContain('MASKINPORTEN_CLIENT_JWK is not an acceptable private JWK');
    expect(error.message).not.toContain(JSON.parse(rsa).d);
  });

  it('refuses a Maskinporten JWK that is not RSA, and treats blank values as missing', () => {
    const error = configError(() =>
      parseMaskinportenConfig({ ...maskinporten, MASKINPORTEN_CLIENT_JWK: JSON.stringify(nodeEcJwk('ec')), MASKINPORTEN_ISSUER: '  ' }),
    );
    expect(error.problems).toEqual([
      { variable: 'MASKINPORTEN_CLIENT_JWK', reason: 'must be an RSA key' },
      { variable: 'MASKINPORTEN_ISSUER', reason: 'is missing (MASKINPORTEN_WELL_KNOWN_URL is set: load the configuration with discovery)' },
    ]);
  });

  it('takes the issuer and token endpoint from discovery when the environment leaves them out', () => {
    const { MASKINPORTEN_ISSUER: _issuer, MASKINPORTEN_TOKEN_ENDPOINT: _endpoint, ...wellKnownOnly } = maskinporten;
    const metadata = { issuer: 'https://test.maskinporten.no/', tokenEndpoint: 'https://test.maskinporten.no/token', jwksUri: undefined };
    expect(parseMaskinportenConfig(wellKnownOnly, metadata)).toMatchObject({
      issuer: 'https://test.maskinporten.no/',
      tokenEndpoint: 'https://test.maskinporten.no/token',
    });
    expect(configError(() => parseMaskinportenConfig(wellKnownOnly, { ...metadata, tokenEndpoint: undefined })).problems).toEqual([
      {
        variable: 'MASKINPORTEN_TOKEN_ENDPOINT',
        reason: 'is missing, and the discovery document at MASKINPORTEN_WELL_KNOWN_URL has no "tokenEndpoint"',
      },
    ]);
  });

  it('refuses an environment that disagrees with discovery', () => {
    const metadata = { issuer: 'https://maskinporten.no/', tokenEndpoint: 'https://maskinporten.no/token', jwksUri: undefined };
    expect(configError(() => parseMaskinportenConfig(maskinporten, metadata)).problems.map((problem) => problem.variable)).toEqual([
      'MASKINPORTEN_ISSUER',
      'MASKINPORTEN_TOKEN_ENDPOINT',
    ]);
  });

  it('reads the validation variables', () => {
    expect(
      parseMaskinportenValidationConfig({
        MASKINPORTEN_ISSUER: 'https://maskinporten.no/',
        MASKINPORTEN_JWKS_URI: 'https://maskinporten.no/jwk',
      }),
    ).toEqual({
      issuer: 'https://maskinporten.no/',
      jwksUri: 'https://maskinporten.no/jwk',
    });
    expect(configError(() => parseMaskinportenValidationConfig({})).problems).toHaveLength(2);
  });
});

describe('parseAzureConfig', () => {
  const azure = {
    AZURE_APP_CLIENT_ID: 'client-1',
    AZURE_APP_CLIENT_SECRET: 'very-secret-value',
    AZURE_OPENID_CONFIG_TOKEN_ENDPOINT: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
    AZURE_APP_WELL_KNOWN_URL: 'https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration',
    AZURE_OPENID_CONFIG_ISSUER: 'https://login.microsoftonline.com/t/v2.0',
    AZURE_OPENID_CONFIG_JWKS_URI: 'https://login.microsoftonline.com/t/discovery/v2.0/keys',
  };

  it('reads the variables of seed 002 with a secret, a JWK or both', () => {
    expect(parseAzureConfig(azure)).toMatchObject({ clientSecret: 'very-secret-value', clientJwk: undefined });
    const { AZURE_APP_CLIENT_SECRET: _secret, ...withoutSecret } = azure;
    expect(parseAzureConfig({ ...withoutSecret, AZURE_APP_JWK: JSON.stringify(nodeEcJwk('az')) }).clientJwk?.kty).toBe('EC');
  });

  it('needs a secret or a JWK and never prints the secret', () => {
    const { AZURE_APP_CLIENT_SECRET: _secret, ...withoutSecret } = azure;
    expect(configError(() => parseAzureConfig(withoutSecret)).problems[0]?.variable).toBe('AZURE_APP_CLIENT_SECRET or AZURE_APP_JWK');
    const error = configError(() =>
      parseAzureConfig({ ...azure, AZURE_OPENID_CONFIG_JWKS_URI: 'ftp://x', AZURE_APP_JWK: '{"kty":"oct","k":"c2VjcmV0","kid":"a"}' }),
    );
    expect(error.problems.map((p) => p.variable)).toEqual(['AZURE_APP_JWK', 'AZURE_OPENID_CONFIG_JWKS_URI']);
    expect(error.message).not.toContain('very-secret-value');
    expect(error.message).not.toContain('c2VjcmV0');
  });
});

describe('configuration shown in logs', () => {
  it.each([
    ['Maskinporten', () => parseMaskinportenConfig(maskinporten), JSON.parse(rsa) as Record<string, string>, undefined],
    [
      'Azure AD',
      () =>
        parseAzureConfig({
          AZURE_APP_CLIENT_ID: 'azure-client',
          AZURE_APP_CLIENT_SECRET: 'azure-secret-value-123',
          AZURE_APP_JWK: rsa,
          AZURE_OPENID_CONFIG_TOKEN_ENDPOINT: 'https://login.example/token',
          AZURE_OPENID_CONFIG_ISSUER: 'https://login.example/v2.0',
          AZURE_OPENID_CONFIG_JWKS_URI: 'https://login.example/keys',
        }),
      JSON.parse(rsa) as Record<string, string>,
      'azure-secret-value-123',
    ],
  ])('%s: JSON.stringify, util.inspect and String() redact the secret and the private key members', (_name, parse, jwk, secret) => {
    const config = parse();
    const shown = [
      JSON.stringify(config),
      inspect(config, { depth: 5 }),
      String(config),
      JSON.stringify(config.clientJwk),
      inspect(config.clientJwk),
    ];
    for (const text of shown) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(text).not.toContain(jwk[member]);
      if (secret !== undefined) expect(text).not.toContain(secret);
      expect(text).toContain('[redacted]');
      expect(text).toContain(jwk.n);
    }
    // The values stay usable.
    expect(config.clientJwk?.d).toBe(jwk.d);
    expect(JSON.parse(JSON.stringify({ ...config.clientJwk })).qi).toBe(jwk.qi);
  });
});

describe('parseTokenXConfig', () => {
  const tokenX = {
    TOKEN_X_CLIENT_ID: 'dev-gcp:team:app-a',
    TOKEN_X_PRIVATE_JWK: rsa,
    TOKEN_X_WELL_KNOWN_URL: 'https://tokenx.dev-gcp.nav.cloud.nais.io/.well-known/oauth-authorization-server',
    TOKEN_X_ISSUER: 'https://tokenx.dev-gcp.nav.cloud.nais.io',
    TOKEN_X_JWKS_URI: 'https://tokenx.dev-gcp.nav.cloud.nais.io/jwks',
    TOKEN_X_TOKEN_ENDPOINT: 'https://tokenx.dev-gcp.nav.cloud.nais.io/token',
  };

  it('reads the TOKEN_X_* variables, and shows the key redacted', () => {
    const config = parseTokenXConfig(tokenX);
    expect(config).toMatchObject({ clientId: 'dev-gcp:team:app-a', tokenEndpoint: tokenX.TOKEN_X_TOKEN_ENDPOINT });
    expect(config.privateJwk?.kid).toBe('mp-1');
    const shown = `${JSON.stringify(config)} ${inspect(config, { depth: 5 })}`;
    expect(shown).not.toContain((JSON.parse(rsa) as { d: string }).d);
  });

  it('needs no private JWK or token endpoint to validate tokens', () => {
    const { TOKEN_X_PRIVATE_JWK: _jwk, TOKEN_X_TOKEN_ENDPOINT: _endpoint, ...validationOnly } = tokenX;
    expect(parseTokenXConfig(validationOnly)).toMatchObject({ privateJwk: undefined, tokenEndpoint: undefined });
  });

  it('names every problem: a client id that is not cluster:namespace:app, a non-RSA key, a missing issuer', () => {
    const error = configError(() =>
      parseTokenXConfig({
        ...tokenX,
        TOKEN_X_CLIENT_ID: 'app-a',
        TOKEN_X_PRIVATE_JWK: JSON.stringify(nodeEcJwk('ec-1')),
        TOKEN_X_ISSUER: '',
        TOKEN_X_WELL_KNOWN_URL: undefined,
      }),
    );
    expect(error.problems.map((p) => p.variable)).toEqual(['TOKEN_X_CLIENT_ID', 'TOKEN_X_PRIVATE_JWK', 'TOKEN_X_ISSUER']);
  });

  it('fills the issuer, JWKS URI and token endpoint from discovery', () => {
    const config = parseTokenXConfig(
      { TOKEN_X_CLIENT_ID: tokenX.TOKEN_X_CLIENT_ID, TOKEN_X_WELL_KNOWN_URL: tokenX.TOKEN_X_WELL_KNOWN_URL },
      { issuer: tokenX.TOKEN_X_ISSUER, jwksUri: tokenX.TOKEN_X_JWKS_URI, tokenEndpoint: tokenX.TOKEN_X_TOKEN_ENDPOINT },
    );
    expect(config).toMatchObject({
      issuer: tokenX.TOKEN_X_ISSUER,
      jwksUri: tokenX.TOKEN_X_JWKS_URI,
      tokenEndpoint: tokenX.TOKEN_X_TOKEN_ENDPOINT,
    });
    const error = configError(() =>
      parseTokenXConfig(tokenX, {
        issuer: tokenX.TOKEN_X_ISSUER,
        jwksUri: tokenX.TOKEN_X_JWKS_URI,
        tokenEndpoint: 'https://elsewhere.example/token',
      }),
    );
    expect(error.problems.map((p) => p.variable)).toEqual(['TOKEN_X_TOKEN_ENDPOINT']);
  });
});

describe('parseIdportenConfig', () => {
  it('reads the IDPORTEN_* variables and names what is missing', () => {
    expect(
      parseIdportenConfig({
        IDPORTEN_AUDIENCE: 'client-1',
        IDPORTEN_ISSUER: 'https://test.idporten.no',
        IDPORTEN_JWKS_URI: 'https://test.idporten.no/jwks.json',
      }),
    ).toStrictEqual({
      audience: 'client-1',
      wellKnownUrl: undefined,
      issuer: 'https://test.idporten.no',
      jwksUri: 'https://test.idporten.no/jwks.json',
    });
    const error = configError(() => parseIdportenConfig({ IDPORTEN_JWKS_URI: 'http://test.idporten.no/jwks.json' }));
    expect(error.problems.map((p) => p.variable)).toEqual(['IDPORTEN_AUDIENCE', 'IDPORTEN_ISSUER', 'IDPORTEN_JWKS_URI']);
  });
});

describe('parseAzureValidationConfig', () => {
  it('needs no secret or key, and names what validation does need', () => {
    expect(
      parseAzureValidationConfig({
        AZURE_APP_CLIENT_ID: 'client-1',
        AZURE_OPENID_CONFIG_ISSUER: 'https://login.microsoftonline.com/t/v2.0',
        AZURE_OPENID_CONFIG_JWKS_URI: 'https://login.microsoftonline.com/t/discovery/v2.0/keys',
      }),
    ).toStrictEqual({
      clientId: 'client-1',
      wellKnownUrl: undefined,
      issuer: 'https://login.microsoftonline.com/t/v2.0',
      jwksUri: 'https://login.microsoftonline.com/t/discovery/v2.0/keys',
    });
    expect(configError(() => parseAzureValidationConfig({})).problems.map((p) => p.variable)).toEqual([
      'AZURE_APP_CLIENT_ID',
      'AZURE_OPENID_CONFIG_ISSUER',
      'AZURE_OPENID_CONFIG_JWKS_URI',
    ]);
  });
});
