import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildX509Certificate } from './x509-certificate.js';

const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date('2027-01-01T00:00:00Z');

describe('buildX509Certificate', () => {
  it('builds a self-signed RSA certificate node:crypto parses and verifies', () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const certificate = new X509Certificate(
      buildX509Certificate(
        { commonName: 'dev-gcp:team:app', publicKey: keys.publicKey, notBefore, notAfter, extendedKeyUsage: ['clientAuth'] },
        { commonName: 'dev-gcp:team:app', ...keys },
      ),
    );
    expect(certificate.subject).toBe('CN=dev-gcp:team:app');
    expect(certificate.issuer).toBe('CN=dev-gcp:team:app');
    expect(certificate.ca).toBe(false);
    expect(certificate.verify(keys.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(keys.privateKey)).toBe(true);
    expect(new Date(certificate.validFrom)).toEqual(notBefore);
    expect(new Date(certificate.validTo)).toEqual(notAfter);
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(certificate.subjectAltName).toBeUndefined();
    // RFC 5280 §4.1.2.2: a positive serial number of at most 20 octets.
    expect(Number.parseInt(certificate.serialNumber.slice(0, 2), 16)).toBeLessThan(0x80);
    expect(certificate.serialNumber.length).toBeLessThanOrEqual(40);
  });

  it('builds a P-256 CA and a server certificate it issued, with subjectAltName', () => {
    const caKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const ca = { commonName: 'test CA', ...caKeys };
    const caCertificate = new X509Certificate(
      buildX509Certificate({ commonName: ca.commonName, publicKey: ca.publicKey, ca: true, notBefore, notAfter }, ca),
    );
    const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const leaf = new X509Certificate(
      buildX509Certificate(
        {
          commonName: 'localhost',
          publicKey: server.publicKey,
          dnsNames: ['localhost'],
          ipAddresses: ['127.0.0.1'],
          extendedKeyUsage: ['serverAuth'],
          notBefore,
          notAfter,
        },
        ca,
      ),
    );
    expect(caCertificate.ca).toBe(true);
    expect(caCertificate.checkIssued(caCertificate)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(caCertificate)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkHost('example.com')).toBeUndefined();
  });

  it('writes dates from 2050 as GeneralizedTime', () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const certificate = new X509Certificate(
      buildX509Certificate(
        { commonName: 'long', publicKey: keys.publicKey, notBefore, notAfter: new Date('2051-06-01T12:00:00Z') },
        { commonName: 'long', ...keys },
      ),
    );
    expect(new Date(certificate.validTo)).toEqual(new Date('2051-06-01T12:00:00Z'));
  });

  it('refuses what it cannot encode faithfully', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const issuer = { commonName: 'x', ...ec };
    const base = { commonName: 'x', publicKey: ec.publicKey, notBefore, notAfter };
    expect(() => buildX509Certificate({ ...base, notAfter: notBefore }, issuer)).toThrow(RangeError);
    expect(() => buildX509Certificate({ ...base, ipAddresses: ['::1'] }, issuer)).toThrow(TypeError);
    expect(() => buildX509Certificate({ ...base, dnsNames: ['bad host'] }, issuer)).toThrow(TypeError);
    const ed = generateKeyPairSync('ed25519');
    expect(() => buildX509Certificate(base, { commonName: 'x', ...ed })).toThrow(TypeError);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    expect(() => buildX509Certificate(base, { commonName: 'x', ...p384 })).toThrow(TypeError);
  });
});
