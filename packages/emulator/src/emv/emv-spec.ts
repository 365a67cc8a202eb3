/**
 * EMV constants as EMV 4.4 Book 1 (application selection), Book 2 (certificates) and Book 3
 * (commands, data elements, Annex A) define them. Written here from the books, not taken from
 * the reader in `@t1c/smartcard`, so each side can catch the other's mistakes.
 */

/** Book 1 §12.2.2: the Payment System Environment's DDF name (contact). */
export const PSE_NAME = '1PAY.SYS.DDF01';
/** EMV Contactless Book B §3.3: the Proximity PSE. */
export const PPSE_NAME = '2PAY.SYS.DDF01';

/** Book 3 Annex A1 / Book 1 Table 45, by name. */
export const EmvTag = {
  fciTemplate: 0x6f,
  dfName: 0x84,
  fciProprietaryTemplate: 0xa5,
  directorySfi: 0x88,
  languagePreference: 0x5f2d,
  issuerCodeTableIndex: 0x9f11,
  fciIssuerDiscretionary: 0xbf0c,
  applicationTemplate: 0x61,
  aid: 0x4f,
  applicationLabel: 0x50,
  applicationPreferredName: 0x9f12,
  applicationPriority: 0x87,
  pdol: 0x9f38,
  recordTemplate: 0x70,
  responseFormat1: 0x80,
  responseFormat2: 0x77,
  commandTemplate: 0x83,
  aip: 0x82,
  afl: 0x94,
  pan: 0x5a,
  panSequenceNumber: 0x5f34,
  expirationDate: 0x5f24,
  effectiveDate: 0x5f25,
  cardholderName: 0x5f20,
  issuerCountryCode: 0x5f28,
  applicationCurrencyCode: 0x9f42,
  applicationUsageControl: 0x9f07,
  applicationVersion: 0x9f08,
  serviceCode: 0x5f30,
  track2Equivalent: 0x57,
  track1Discretionary: 0x9f1f,
  cvmList: 0x8e,
  staticDataTagList: 0x9f4a,
  caPublicKeyIndex: 0x8f,
  issuerPublicKeyCertificate: 0x90,
  issuerPublicKeyRemainder: 0x92,
  issuerPublicKeyExponent: 0x9f32,
  iccPublicKeyCertificate: 0x9f46,
  iccPublicKeyExponent: 0x9f47,
  iccPublicKeyRemainder: 0x9f48,
  ddol: 0x9f49,
  pinTryCounter: 0x9f17,
  applicationTransactionCounter: 0x9f36,
  lastOnlineAtc: 0x9f13,
} as const;

/** Book 3 §6.5 instruction bytes, with the class each is sent in. */
export const EmvInstruction = {
  select: { cla: 0x00, ins: 0xa4 },
  readRecord: { cla: 0x00, ins: 0xb2 },
  verify: { cla: 0x00, ins: 0x20 },
  getResponse: { cla: 0x00, ins: 0xc0 },
  getProcessingOptions: { cla: 0x80, ins: 0xa8 },
  getData: { cla: 0x80, ins: 0xca },
} as const;

/** SELECT P2 (Book 1 §11.3.2): first or only occurrence, next occurrence of a partial DF name. */
export const SelectOccurrence = { first: 0x00, next: 0x02 } as const;

/** VERIFY P2 (Book 3 Table 23): plaintext PIN; 0x88 is enciphered PIN, which this card lacks. */
export const PLAINTEXT_PIN_QUALIFIER = 0x80;

/** Book 3 §6.5 and ISO 7816-4 status words this card answers with. */
export const EmvStatus = {
  ok: 0x9000,
  selectedFileDeactivated: 0x6283,
  wrongLength: 0x6700,
  authenticationBlocked: 0x6983,
  conditionsNotSatisfied: 0x6985,
  wrongData: 0x6a80,
  functionNotSupported: 0x6a81,
  fileNotFound: 0x6a82,
  recordNotFound: 0x6a83,
  incorrectP1P2: 0x6a86,
  referencedDataNotFound: 0x6a88,
  insNotSupported: 0x6d00,
  claNotSupported: 0x6e00,
  noPreciseDiagnosis: 0x6f00,
} as const;

/** Book 2 Tables 6 and 14: recovered certificate framing and formats. */
export const CertificateFraming = {
  header: 0x6a,
  trailer: 0xbc,
  issuerFormat: 0x02,
  iccFormat: 0x04,
  sha1: 0x01,
  rsa: 0x01,
  padding: 0xbb,
} as const;
