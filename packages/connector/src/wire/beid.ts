import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BeidCertificateName, BeidReadout } from '../ipc/index.js';
import { certificateFacts } from './certificate-facts.js';
import { jpegSize } from './jpeg-size.js';

/**
 * Belgian eID data in the shapes of the T1C v3 wire API (t1c-api.md §2.3), declared once as
 * zod types: the routes document their responses with them and the mappers below are typed by
 * them. Binary values are base64; dates stay as printed on the card, as T1C sends them.
 */
export const tokenBiometricDataSchema = z.object({
  birthDate: z.string(),
  birthLocation: z.string(),
  cardDeliveryMunicipality: z.string(),
  cardNumber: z.string(),
  cardValidityDateBegin: z.string(),
  cardValidityDateEnd: z.string(),
  chipNumber: z.string(),
  documentType: z.string(),
  firstNames: z.string(),
  name: z.string(),
  thirdName: z.string(),
  nationalNumber: z.string(),
  nationality: z.string(),
  nobleCondition: z.string(),
  sex: z.string(),
  specialStatus: z.string(),
  pictureHash: z.string(),
  rawData: z.string(),
  signature: z.string(),
  version: z.number(),
  issuer: z.string(),
});
export type TokenBiometricData = z.infer<typeof tokenBiometricDataSchema>;

export const tokenAddressDataSchema = z.object({
  municipality: z.string(),
  rawData: z.string(),
  signature: z.string(),
  streetAndNumber: z.string(),
  version: z.number(),
  zipcode: z.string(),
});
export type TokenAddressData = z.infer<typeof tokenAddressDataSchema>;

export const tokenPictureDataSchema = z.object({
  picture: z.string(),
  signature: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
});
export type TokenPictureData = z.infer<typeof tokenPictureDataSchema>;

export const t1cCertificateSchema = z.object({
  certificate: z.string(),
  certificateType: z.string().optional(),
  id: z.string().optional(),
  subject: z.string().optional(),
  issuer: z.string().optional(),
  serialNumber: z.string().optional(),
  hashSubPubKey: z.string().optional(),
  hashIssPubKey: z.string().optional(),
});
export type T1CCertificate = z.infer<typeof t1cCertificateSchema>;

/** `{certificates: [...]}`, the ≥ 3.6 shape of every certificate endpoint. */
export const certificatesSchema = z.object({ certificates: z.array(t1cCertificateSchema) });

export const tokenInfoSchema = z.object({
  info: z.object({
    rawData: z.string(),
    version: z.string(),
    serialNumber: z.string(),
    label: z.string(),
    prnGeneration: z.string(),
    eidCompliant: z.string(),
    graphicalPersoVersion: z.string(),
    versionRfu: z.string(),
    electricalPersoVersion: z.string(),
    electricalPersoInterfaceVersion: z.string(),
    changeCounter: z.number(),
    activated: z.string(),
  }),
  infoType: z.literal('Token'),
  module: z.object({ name: z.literal('beid'), isHashedByToken: z.boolean() }),
});
export type TokenInfo = z.infer<typeof tokenInfoSchema>;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Certificates that are the same on every card (CAs, the RRN's): nothing personal in them. */
const SHARED: Record<BeidCertificateName, boolean> = { root: true, ca: true, rrn: true, authentication: false, nonRepudiation: false };

export function toBiometric(r: BeidReadout): TokenBiometricData {
  const id = r.identity;
  const rrn = r.certificates.rrn ? certificateFacts(r.certificates.rrn, SHARED.rrn) : undefined;
  return {
    birthDate: id.birthDate,
    birthLocation: id.birthLocation,
    cardDeliveryMunicipality: id.issuingMunicipality,
    cardNumber: id.cardNumber,
    cardValidityDateBegin: id.validityBeginDate,
    cardValidityDateEnd: id.validityEndDate,
    chipNumber: id.chipNumber,
    documentType: id.documentType,
    firstNames: id.firstNames,
    name: id.surname,
    thirdName: id.thirdNameInitial,
    nationalNumber: id.nationalNumber,
    nationality: id.nationality,
    nobleCondition: id.nobility,
    sex: id.gender,
    specialStatus: id.specialStatus,
    pictureHash: b64(id.photoHash),
    rawData: b64(r.identityFile),
    signature: b64(r.identitySignatureFile),
    version: id.fileVersion ?? 0,
    issuer: rrn?.subject ?? '',
  };
}

export function toAddress(r: BeidReadout): TokenAddressData {
  return {
    municipality: r.address.municipality,
    rawData: b64(r.addressFile),
    signature: b64(r.addressSignatureFile),
    streetAndNumber: r.address.streetAndNumber,
    version: r.address.fileVersion ?? 0,
    zipcode: r.address.zipCode,
  };
}

export function toPicture(r: BeidReadout): TokenPictureData {
  return { picture: b64(r.photo), ...(jpegSize(r.photo) ?? {}) };
}

export function toTokenInfo(r: BeidReadout): TokenInfo {
  const t = r.tokenInfo;
  return {
    info: {
      rawData: b64(t.raw),
      version: String(t.version),
      serialNumber: t.serialNumber,
      label: t.label,
      prnGeneration: r.cardData.componentCode.toString(16).padStart(2, '0').toUpperCase(),
      eidCompliant: r.cardData.appletVersion.toString(16),
      graphicalPersoVersion: String(t.graphicalPersoVersion),
      versionRfu: String(t.rfu),
      electricalPersoVersion: String(t.electricalPersoVersion),
      electricalPersoInterfaceVersion: String(t.electricalPersoInterfaceVersion),
      changeCounter: 0,
      activated: r.cardData.appletLifeCycle === 0x0f ? 'activated' : 'not activated',
    },
    infoType: 'Token',
    module: { name: 'beid', isHashedByToken: false },
  };
}

const CERTIFICATE_TYPE: Record<BeidCertificateName, string> = {
  root: 'root', ca: 'intermediate', authentication: 'authentication', nonRepudiation: 'nonrepudiation', rrn: 'rrn',
};

/** Who issued each card certificate (beid-card.md §7): the chain the T1C shape hashes the issuer key of. */
const ISSUER: Record<BeidCertificateName, BeidCertificateName> = {
  root: 'root', ca: 'root', authentication: 'ca', nonRepudiation: 'ca', rrn: 'root',
};

/** A card certificate in the T1C shape, with its issuer's key hash; undefined when the card has none. */
export function certificateOf(r: BeidReadout, name: BeidCertificateName): T1CCertificate | undefined {
  const der = r.certificates[name];
  return der ? toT1CCertificate(name, der, r.certificates[ISSUER[name]]) : undefined;
}

export function toT1CCertificate(name: BeidCertificateName, der: Uint8Array, issuerDer?: Uint8Array): T1CCertificate {
  const cert = certificateFacts(der, SHARED[name]);
  const out: T1CCertificate = {
    certificate: b64(der),
    certificateType: CERTIFICATE_TYPE[name],
    id: createHash('sha256').update(der).digest('hex').slice(0, 32),
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    hashSubPubKey: cert.keyHash,
  };
  // Every issuer in the chain is a CA.
  if (issuerDer) out.hashIssPubKey = certificateFacts(issuerDer, true).keyHash;
  return out;
}
