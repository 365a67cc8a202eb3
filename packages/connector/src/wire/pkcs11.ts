import { createHash, X509Certificate } from 'node:crypto';
import type { Pkcs11Certificate, Pkcs11Slot, Pkcs11TokenInfo } from '@t1c/smartcard/pkcs11';
import type { T1CCertificate } from './beid.js';

/**
 * PKCS#11 results in the shapes of the T1C v3 wire API (t1c-api.md §2.6, §2.3.3, §2.3.4).
 * A slot is a reader whose id is the slot id; a certificate's `id` is its CKA_ID (hex), the
 * value a sign request names the key with.
 */
export interface Pkcs11Reader {
  id: string;
  name: string;
  pinpad: boolean;
  card?: { atr: string; description: string[]; module: string[]; modules: string[] };
}

export interface Pkcs11TokenInfoData {
  info: Pkcs11TokenInfo;
  infoType: 'PKCS11';
  module: { name: 'pkcs11'; isHashedByToken: boolean };
}

export type Pkcs11CertificateKind = 'authenticationCertificate' | 'nonRepudiationCertificate' | 'rootCertificate' | 'intermediateCertificates';
export type Pkcs11CertList = Partial<Record<Pkcs11CertificateKind, { certificates: T1CCertificate[] }>>;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** A slot as T1C's CardReader; a token shows as the card (no ATR: PKCS#11 does not give one). */
export function slotAsReader(slot: Pkcs11Slot): Pkcs11Reader {
  const out: Pkcs11Reader = { id: String(slot.slotId), name: slot.description, pinpad: false };
  if (slot.token) {
    const description = [slot.token.label, slot.token.model].filter((s) => s.length > 0);
    out.card = { atr: '', description, module: ['pkcs11'], modules: ['pkcs11'] };
  }
  return out;
}

export function toPkcs11TokenInfo(info: Pkcs11TokenInfo): Pkcs11TokenInfoData {
  // The digest is computed by the caller; the token only signs it.
  return { info, infoType: 'PKCS11', module: { name: 'pkcs11', isHashedByToken: false } };
}

function kindOf(certificate: Pkcs11Certificate, x509: X509Certificate): Pkcs11CertificateKind | undefined {
  if (certificate.usage === 'authentication') return 'authenticationCertificate';
  if (certificate.usage === 'nonRepudiation') return 'nonRepudiationCertificate';
  if (certificate.usage === 'authority') return x509.subject === x509.issuer ? 'rootCertificate' : 'intermediateCertificates';
  return undefined;
}

const CERTIFICATE_TYPE: Record<Pkcs11CertificateKind, string> = {
  authenticationCertificate: 'authentication',
  nonRepudiationCertificate: 'nonrepudiation',
  rootCertificate: 'root',
  intermediateCertificates: 'intermediate',
};

/** The token's certificates grouped as T1C's cert-list; the issuer key hash when the token holds the issuer. */
export function toPkcs11CertList(certificates: readonly Pkcs11Certificate[]): Pkcs11CertList {
  const parsed = certificates.map((c) => ({ c, x509: new X509Certificate(c.der) }));
  const keyHash = (x: X509Certificate): string =>
    createHash('sha256').update(x.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  const out: Pkcs11CertList = {};
  for (const { c, x509 } of parsed) {
    const kind = kindOf(c, x509);
    if (!kind) continue;
    const issuer = parsed.find((p) => p.x509.subject === x509.issuer && x509.checkIssued(p.x509));
    const entry: T1CCertificate = {
      certificate: b64(c.der),
      certificateType: CERTIFICATE_TYPE[kind],
      id: c.id,
      subject: x509.subject.replace(/\n/g, ', '),
      issuer: x509.issuer.replace(/\n/g, ', '),
      serialNumber: x509.serialNumber,
      hashSubPubKey: keyHash(x509),
      ...(issuer ? { hashIssPubKey: keyHash(issuer.x509) } : {}),
    };
    (out[kind] ??= { certificates: [] }).certificates.push(entry);
  }
  return out;
}
