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
