import { generateKeyPairSync } from 'node:crypto';
import { buildX509Certificate, type CertificateIssuer } from './x509-certificate.js';

/** A throwaway CA and the https server certificate it issued for 127.0.0.1 and localhost. */
export interface LoopbackTlsCredentials {
  /** The CA certificate, PEM: what clients must trust. */
  readonly caPem: string;
  /** The server certificate, PEM (SAN IP:127.0.0.1, DNS:localhost). */
  readonly certificatePem: string;
  /** The server's private key, PKCS #8 PEM. */
  readonly privateKeyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Generates a CA and one server certificate for loopback (P-256 keys). The CA's private key is
 * dropped once the server certificate is signed, so trusting the CA (as `NODE_EXTRA_CA_CERTS`
 * does for every host) trusts that one certificate and nothing else it could sign later.
 * Validity follows the system clock, which TLS peers check, never a test's fixed clock.
 */
export function createLoopbackTlsCredentials(): LoopbackTlsCredentials {
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60 * 60 * 1000), notAfter: new Date(now + 365 * DAY_MS) };
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ca: CertificateIssuer = { commonName: 'nav-auth local IdP throwaway CA (tests only)', ...caKeys };
  const caPem = buildX509Certificate({ commonName: ca.commonName, publicKey: ca.publicKey, ca: true, ...validity }, ca);
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const certificatePem = buildX509Certificate(
    {
      commonName: 'localhost',
      publicKey: server.publicKey,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      extendedKeyUsage: ['serverAuth'],
      ...validity,
    },
    ca,
  );
  return { caPem, certificatePem, privateKeyPem: server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
