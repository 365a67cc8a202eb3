/** EMV payment card data (t1c-api.md §2.7). Binary fields are base64. */

export interface EmvApplication {
  /** Application identifier, hex. */
  aid: string;
  /** The application label, e.g. "MAESTRO". */
  name: string;
  /** 1 is the application the card prefers. */
  priority?: number;
}

export interface EmvData {
  applications: EmvApplication[];
}

/** The preferred application's cardholder data. The PAN is personal data: do not log it. */
export interface EmvApplicationData {
  pan: string;
  /** YYMMDD. */
  expirationDate: string;
  effectiveDate?: string;
  /** Cardholder name as on track 1, "SURNAME/GIVEN". */
  name?: string;
  /** ISO 3166 alpha-2 of the issuer's country. */
  country?: string;
  /** ISO 3166 numeric of the issuer's country as the card stores it, e.g. "0056". */
  countryCode?: string;
  /** Language preference, e.g. "nlfr". */
  language?: string;
}

/** An EMV public key certificate (not X.509): the signed block, the key's exponent and remainder. */
export interface EmvCertificate {
  certificate: string;
  exponent: string;
  remainder: string;
  /** This connector's extension: the key the certificate carries, when the CA key is known. */
  recovered?: EmvRecoveredKey;
}

/** What a recovered EMV certificate says (EMV Book 2 Tables 6 and 14); binary fields base64. */
export interface EmvRecoveredKey {
  format: number;
  /** Issuer: leftmost PAN digits; ICC: the PAN (hex, F-padded). */
  owner: string;
  /** MMYY. */
  expiry: string;
  serialNumber: string;
  hashAlgorithm: number;
  publicKeyAlgorithm: number;
  modulus: string;
  exponent: string;
  hashValid: boolean;
}

export interface EmvCertificateOptions {
  /** Ask for the recovered key, or a clear error when it cannot be recovered. */
  recover?: boolean;
}

export interface EmvCertificateList {
  certificates: EmvCertificate[];
}

export type EmvCertificateFilter = 'issuerPublicCertificate' | 'ICCPublicCertificate';

export type EmvCertificates = Partial<Record<EmvCertificateFilter, EmvCertificateList>>;

export interface EmvPinOptions {
  /** The PIN as typed; encrypted with the device key before it leaves the page. */
  pin?: string;
  osDialog?: boolean;
  /** Seconds the connector waits for the user. */
  timeout?: number;
  signal?: AbortSignal;
}
