/** Belgian eID data (t1c-api.md §2.3). Binary fields are base64. */

export interface BeidBiometric {
  birthDate: string;
  birthLocation: string;
  cardDeliveryMunicipality: string;
  cardNumber: string;
  cardValidityDateBegin: string;
  cardValidityDateEnd: string;
  chipNumber: string;
  documentType: string;
  firstNames: string;
  name: string;
  thirdName: string;
  nationalNumber: string;
  nationality: string;
  nobleCondition: string;
  sex: string;
  specialStatus: string;
  pictureHash: string;
  rawData: string;
  signature: string;
  version: number;
  issuer: string;
}

export interface BeidAddress {
  municipality: string;
  rawData: string;
  signature: string;
  streetAndNumber: string;
  version: number;
  zipcode: string;
}

export interface BeidPicture {
  picture: string;
  signature?: string;
  width?: number;
  height?: number;
}

export type BeidDataFilter = 'biometric' | 'address' | 'picture';

export interface BeidAllData {
  biometric?: BeidBiometric;
  address?: BeidAddress;
  picture?: BeidPicture;
  /** Our connector's extension: each integrity check of the read, reported separately. */
  integrity?: BeidIntegrity;
}

export interface BeidIntegrityCheck {
  ok: boolean;
  skipped?: boolean;
  reason?: string;
}

export interface BeidIntegrity {
  valid: boolean;
  identitySignature: BeidIntegrityCheck;
  addressSignature: BeidIntegrityCheck;
  photoHash: BeidIntegrityCheck;
  rrnCertificate: BeidIntegrityCheck;
  basicKeyHash: BeidIntegrityCheck;
}

export interface T1cCertificate {
  /** Base64 DER. */
  certificate: string;
  certificateType?: string;
  id?: string;
  subject?: string;
  issuer?: string;
  serialNumber?: string;
  hashSubPubKey?: string;
  hashIssPubKey?: string;
}

export interface CertificateList {
  certificates: T1cCertificate[];
}

export type BeidCertificateFilter =
  | 'rootCertificate'
  | 'intermediateCertificates'
  | 'authenticationCertificate'
  | 'nonRepudiationCertificate'
  | 'encryptionCertificate';

export type BeidCertificates = Partial<Record<BeidCertificateFilter | 'issuerCertificate', CertificateList>>;

export interface BeidTokenInfo {
  info: Record<string, string | number | boolean>;
  infoType: string | number;
  module?: { name: string; isHashedByToken: boolean };
}

export type DigestAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface PinOptions {
  /** The PIN as typed; encrypted with the device key before it leaves the page. */
  pin?: string;
  /** Let the connector ask for the PIN in a native dialog (a pinpad reader always wins). */
  osDialog?: boolean;
  /** Seconds the connector waits for the user. */
  timeout?: number;
  /** Abandons the wait in the page (the connector may still finish the operation). */
  signal?: AbortSignal;
}

export interface SignOptions extends PinOptions {
  algorithm: DigestAlgorithm | (string & {});
  /** The digest to sign: bytes, or their standard base64. */
  digest: Uint8Array | string;
  id?: string;
  txId?: string;
  language?: string;
}

export interface SignatureResult {
  /** Base64 signature value. */
  data: string;
}
