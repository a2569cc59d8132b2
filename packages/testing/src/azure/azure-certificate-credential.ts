import { createHash, generateKeyPair, type JsonWebKey, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from '../keys/jwk.js';
import type { UnverifiedJwt } from '../keys/unverified-jwt.js';
import { buildX509Certificate } from '../keys/x509-certificate.js';
import type { AzureAppRecord } from '../registry.js';
import { OAuthFailure } from '../server/oauth-error.js';

/**
 * A certificate registered on an Azure AD app (a `keyCredentials` entry of type
 * `AsymmetricX509Cert`): Entra knows it by its thumbprints and accepts assertions signed with
 * its key as RS256 or PS256.
 */
export interface AzureCertificateCredential {
  /** base64url SHA-1 of the DER certificate: the `x5t` JOSE header (RFC 7515 §4.1.7). */
  readonly x5t: string;
  /** base64url SHA-256 of the DER certificate: the `x5t#S256` JOSE header (RFC 7515 §4.1.8). */
  readonly x5tS256: string;
  /** The certificate's RSA public key, without `alg`: the algorithm is the assertion's RS256 or PS256. */
  readonly publicJwk: JWK;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** An Azure AD app as the emulator keeps it: the shared registry record and its certificates. */
export interface AzureApp extends AzureAppRecord {
  readonly certificates: readonly AzureCertificateCredential[];
}

/** A certificate as {@link parseAzureCertificate} reads it, with the thumbprints clients are configured with. */
export interface ParsedAzureCertificate {
  readonly credential: AzureCertificateCredential;
  /** SHA-1 thumbprint, upper-case hex, as the Entra admin center shows it (msal-node `clientCertificate.thumbprint`). */
  readonly thumbprint: string;
  /** SHA-256 thumbprint, upper-case hex (msal-node `clientCertificate.thumbprintSha256`). */
  readonly thumbprintSha256: string;
}

/** Reads a PEM certificate to register on an app; only RSA keys, the kind RS256 and PS256 assertions are signed with. */
export function parseAzureCertificate(pem: string): ParsedAzureCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new TypeError('certificate must be an X.509 certificate in PEM');
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') throw new TypeError('certificate must hold an RSA key (for RS256 and PS256)');
  const sha1 = createHash('sha1').update(certificate.raw).digest();
  const sha256 = createHash('sha256').update(certificate.raw).digest();
  const { kty, n, e } = certificate.publicKey.export({ format: 'jwk' }) as JsonWebKey;
  return {
    credential: {
      x5t: sha1.toString('base64url'),
      x5tS256: sha256.toString('base64url'),
      publicJwk: { kty, n, e } as JWK,
      notBefore: new Date(certificate.validFrom),
      notAfter: new Date(certificate.validTo),
    },
    thumbprint: sha1.toString('hex').toUpperCase(),
    thumbprintSha256: sha256.toString('hex').toUpperCase(),
  };
}

/**
 * Generates a self-signed RSA certificate for an app, as `az ad app credential reset --create-cert`
 * would, valid for a year from the IdP's clock (one hour back, for skew).
 */
export async function generateAzureCertificate(commonName: string, now: Date): Promise<{ pem: string; privateKeyPem: string }> {
  const keys = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const pem = buildX509Certificate(
    {
      commonName,
      publicKey: keys.publicKey,
      extendedKeyUsage: ['clientAuth'],
      notBefore: new Date(now.getTime() - 60 * 60 * 1000),
      notAfter: new Date(now.getTime() + 365 * 24 * 60 * 60 * 1000),
    },
    { commonName, ...keys },
  );
  return { pem, privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/**
 * The key a client assertion names. With an `x5t#S256` or `x5t` header: the registered
 * certificate with that thumbprint (both must name the same one when both are given), inside its
 * validity; otherwise the app's JWK, found by `kid`. Entra accepts RS256 and PS256 with any of them.
 */
export function findAzureAssertionKey(app: AzureApp, header: UnverifiedJwt['header'], now: Date): JWK | undefined {
  const sha256 = header['x5t#S256'];
  const sha1 = header.x5t;
  if (sha256 === undefined && sha1 === undefined) {
    if (app.publicJwk === undefined) return undefined;
    const { alg: _alg, ...withoutAlg } = app.publicJwk;
    return withoutAlg;
  }
  const fail = (why: string) =>
    new OAuthFailure('invalid_client', `AADSTS700027: client assertion failed signature validation: ${why}`, 401);
  const certificate = app.certificates.find(
    (candidate) => (sha256 === undefined || candidate.x5tS256 === sha256) && (sha1 === undefined || candidate.x5t === sha1),
  );
  if (certificate === undefined) throw fail('no certificate with that thumbprint is registered on the application');
  if (now < certificate.notBefore || now > certificate.notAfter) throw fail('the certificate is expired or not valid yet');
  return certificate.publicJwk;
}
