import { createHash, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { pkcs11TokenInfoSchema, type Pkcs11CertificateData, type Pkcs11SlotInfo, type Pkcs11TokenInfoData } from '../ipc/index.js';
import { certificatesSchema, type T1CCertificate } from './beid.js';

/**
 * PKCS#11 results in the shapes of the T1C v3 wire API (t1c-api.md §2.6, §2.3.3, §2.3.4),
 * declared once as zod types. A slot is a reader whose id is the slot id; a certificate's `id`
 * is its CKA_ID (hex), the value a sign request names the key with.
 */
export const pkcs11ReaderSchema = z.object({
  id: z.string(),
  name: z.string(),
  pinpad: z.boolean(),
  card: z.object({ atr: z.string(), description: z.array(z.string()), module: z.array(z.string()), modules: z.array(z.string()) }).optional(),
});
export type Pkcs11Reader = z.infer<typeof pkcs11ReaderSchema>;

export const pkcs11TokenInfoResponseSchema = z.object({
  info: pkcs11TokenInfoSchema,
  infoType: z.literal('PKCS11'),
  module: z.object({ name: z.literal('pkcs11'), isHashedByToken: z.boolean() }),
});
export type Pkcs11TokenInfoResponse = z.infer<typeof pkcs11TokenInfoResponseSchema>;

export const pkcs11CertificateKinds = ['authenticationCertificate', 'nonRepudiationCertificate', 'rootCertificate', 'intermediateCertificates'] as const;
export type Pkcs11CertificateKind = (typeof pkcs11CertificateKinds)[number];
export const pkcs11CertListSchema = z.object({
  authenticationCertificate: certificatesSchema.optional(),
  nonRepudiationCertificate: certificatesSchema.optional(),
  rootCertificate: certificatesSchema.optional(),
  intermediateCertificates: certificatesSchema.optional(),
});
export type Pkcs11CertList = z.infer<typeof pkcs11CertListSchema>;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * A slot as T1C's CardReader; a token shows as the card (no ATR: PKCS#11 does not give one).
 * `pinpad` is the token's protected authentication path (PIN pad reader, keypad, biometrics):
 * the user authenticates there, as on a beid pinpad reader.
 */
export function slotAsReader(slot: Pkcs11SlotInfo): Pkcs11Reader {
  const out: Pkcs11Reader = { id: String(slot.slotId), name: slot.description, pinpad: slot.token?.protectedAuthenticationPath ?? false };
  if (slot.token) {
    const description = [slot.token.label, slot.token.model].filter((s) => s.length > 0);
    out.card = { atr: '', description, module: ['pkcs11'], modules: ['pkcs11'] };
  }
  return out;
}

export function toPkcs11TokenInfo(info: Pkcs11TokenInfoData): Pkcs11TokenInfoResponse {
  // The caller computes the digest; the token only signs it.
  return { info, infoType: 'PKCS11', module: { name: 'pkcs11', isHashedByToken: false } };
}

function kindOf(certificate: Pkcs11CertificateData, x509: X509Certificate): Pkcs11CertificateKind | undefined {
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

/** The token's certificates grouped as T1C's cert-list, with the issuer key hash when the token holds the issuer. */
export function toPkcs11CertList(certificates: readonly Pkcs11CertificateData[]): Pkcs11CertList {
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
