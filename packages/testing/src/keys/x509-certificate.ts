import { createHash, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { der, toPem } from './der.js';

/** A certificate's issuer: its name and key pair (for a self-signed certificate, the subject's own). */
export interface CertificateIssuer {
  readonly commonName: string;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** What {@link buildX509Certificate} puts in a certificate. */
export interface CertificateTemplate {
  readonly commonName: string;
  readonly publicKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA that signs end-entity certificates only (basicConstraints cA with pathLen 0, keyCertSign). */
  readonly ca?: boolean;
  readonly dnsNames?: readonly string[];
  /** IPv4 addresses for the subjectAltName. */
  readonly ipAddresses?: readonly string[];
  readonly extendedKeyUsage?: readonly ('serverAuth' | 'clientAuth')[];
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** The signature algorithm for the issuer's key: SHA-256 with RSA PKCS #1 v1.5 or ECDSA P-256 (RFC 5758 §3.2, RFC 4055 §5). */
function signatureAlgorithm(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'rsa') return der.sequence(der.oid(OID.sha256WithRsa), der.null());
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return der.sequence(der.oid(OID.ecdsaWithSha256));
  }
  throw new TypeError('certificates are signed with an RSA or a P-256 key');
}

const name = (commonName: string) => der.sequence(der.set(der.sequence(der.oid(OID.commonName), der.utf8String(commonName))));

// RFC 5280 §4.2.1.2 allows any unique value: a SHA-1 of the whole DER SubjectPublicKeyInfo.
const keyIdentifier = (publicKey: KeyObject) =>
  createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.oid(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

/** KeyUsage bits (RFC 5280 §4.2.1.3: 0 digitalSignature, 5 keyCertSign, 6 cRLSign) as a DER BIT STRING without trailing zero bits. */
function keyUsage(bits: readonly number[]): Buffer {
  const highest = Math.max(...bits);
  const octets = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) octets[bit >> 3] = (octets[bit >> 3] as number) | (0x80 >> (bit & 7));
  return der.bitString(octets, 7 - (highest & 7));
}

// GeneralName dNSName [2] IA5String and iPAddress [7] OCTET STRING (RFC 5280 §4.2.1.6).
function dnsName(host: string): Buffer {
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(host)) throw new TypeError(`not a DNS name: ${host}`);
  return der.implicit(2, Buffer.from(host, 'latin1'));
}

function ipAddress(address: string): Buffer {
  if (!isIPv4(address)) throw new TypeError(`not an IPv4 address: ${address}`);
  return der.implicit(7, Buffer.from(address.split('.').map(Number)));
}

/** A positive 128-bit serial number (RFC 5280 §4.1.2.2: positive, at most 20 octets, unique per CA). */
function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f || 0x01;
  return serial;
}

/**
 * Builds and signs an X.509 v3 certificate (RFC 5280) with node:crypto alone: the subject's
 * public key, validity, basicConstraints, keyUsage, subject and authority key ids, and optional
 * subjectAltName and extKeyUsage. Returns it in PEM. Meant for throwaway test certificates.
 */
export function buildX509Certificate(template: CertificateTemplate, issuer: CertificateIssuer): string {
  if (!(template.notBefore < template.notAfter)) throw new RangeError('notBefore must be before notAfter');
  const algorithm = signatureAlgorithm(issuer.privateKey);
  const selfSigned = issuer.publicKey.equals(template.publicKey);
  const altNames = [...(template.dnsNames ?? []).map(dnsName), ...(template.ipAddresses ?? []).map(ipAddress)];
  const extensions = [
    extension(OID.basicConstraints, true, template.ca ? der.sequence(der.boolean(true), der.integer([0])) : der.sequence()),
    extension(OID.keyUsage, true, keyUsage(template.ca ? [5, 6] : [0])),
    extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(template.publicKey))),
    ...(selfSigned ? [] : [extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, keyIdentifier(issuer.publicKey))))]),
    ...(altNames.length === 0 ? [] : [extension(OID.subjectAltName, false, der.sequence(...altNames))]),
    ...(template.extendedKeyUsage === undefined || template.extendedKeyUsage.length === 0
      ? []
      : [extension(OID.extKeyUsage, false, der.sequence(...template.extendedKeyUsage.map((usage) => der.oid(OID[usage]))))]),
  ];
  const tbsCertificate = der.sequence(
    der.explicit(0, der.integer([2])), // v3
    der.integer(serialNumber()),
    algorithm,
    name(issuer.commonName),
    der.sequence(der.time(template.notBefore), der.time(template.notAfter)),
    name(template.commonName),
    template.publicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(3, der.sequence(...extensions)),
  );
  // node:crypto signs RSA keys with PKCS #1 v1.5 and ECDSA in DER (r, s): what both OIDs above expect.
  const signature = sign('sha256', tbsCertificate, issuer.privateKey);
  return toPem('CERTIFICATE', der.sequence(tbsCertificate, algorithm, der.bitString(signature)));
}
