/** Applet versions this module knows; the byte is what GET CARD DATA reports at offset 21. */
export type AppletVersion = '1.7' | '1.8';

export const BELPIC_APPLET_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x00, 0x30, 0x29, 0x05, 0x70, 0x00, 0xad, 0x13, 0x10, 0x01, 0x01, 0xff]);
export const BELPIC_DF_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x01, 0x77, 0x50, 0x4b, 0x43, 0x53, 0x2d, 0x31, 0x35]);
export const ID_DF_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x01, 0x77, 0x49, 0x64, 0x46, 0x69, 0x6c, 0x65, 0x73]);

/** Real cards' ATRs (beid-card.md §1.1); each applet leaf holds the pattern that recognises it. */
export const BEID_ATR_1_8 = '3B7F96000080318065B085040120120FFF829000';
export const BEID_ATR_1_7 = '3B9813400AA503010101AD1311';

/** Elementary files by absolute path (with 3F00), as the card's SELECT by path takes them. */
export const BeidFile = {
  tokenInfo: '3F00DF005032',
  authenticationCert: '3F00DF005038',
  nonRepudiationCert: '3F00DF005039',
  caCert: '3F00DF00503A',
  rootCert: '3F00DF00503B',
  rrnCert: '3F00DF00503C',
  identity: '3F00DF014031',
  identitySignature: '3F00DF014032',
  address: '3F00DF014033',
  addressSignature: '3F00DF014034',
  photo: '3F00DF014035',
  basicPublicKey: '3F00DF014040',
} as const;
export type BeidFileName = keyof typeof BeidFile;

/** Key references for MSE:SET (byte after tag 84). */
export const BeidKey = { basic: 0x81, authentication: 0x82, nonRepudiation: 0x83 } as const;
export const BEID_PIN_REFERENCE = 0x01;

/** Identity file tags (IDA5 / CC54 §6.2.2). */
export const IdentityTag = {
  fileVersion: 0x00,
  cardNumber: 0x01,
  chipNumber: 0x02,
  validityBegin: 0x03,
  validityEnd: 0x04,
  issuingMunicipality: 0x05,
  nationalNumber: 0x06,
  surname: 0x07,
  firstNames: 0x08,
  thirdNameInitial: 0x09,
  nationality: 0x0a,
  birthLocation: 0x0b,
  birthDate: 0x0c,
  gender: 0x0d,
  nobility: 0x0e,
  documentType: 0x0f,
  specialStatus: 0x10,
  photoHash: 0x11,
  duplicate: 0x12,
  specialOrganization: 0x13,
  memberOfFamily: 0x14,
  dateAndCountryOfProtection: 0x15,
  workPermit: 0x16,
  employerVat1: 0x17,
  employerVat2: 0x18,
  regionalFileNumber: 0x19,
  basicKeyHash: 0x1a,
  brexitMention1: 0x1b,
  brexitMention2: 0x1c,
  cardAMention1: 0x1d,
  cardAMention2: 0x1e,
  cardEuStartDate: 0x1f,
} as const;

export const AddressTag = { fileVersion: 0x00, streetAndNumber: 0x01, zipCode: 0x02, municipality: 0x03 } as const;

/** DigestInfo prefixes for RSA PKCS#1 v1.5 (algorithm 01 on applet 1.7). */
export const DIGEST_INFO_PREFIX = {
  'SHA-1': '3021300906052B0E03021A05000414',
  'SHA-256': '3031300D060960864801650304020105000420',
  'SHA-384': '3041300D060960864801650304020205000430',
  'SHA-512': '3051300D060960864801650304020305000440',
} as const;
export type DigestAlgorithm = keyof typeof DIGEST_INFO_PREFIX;
export const DIGEST_LENGTH: Record<DigestAlgorithm, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** MSE:SET algorithm bytes: RSA PKCS#1 v1.5 with a full DigestInfo (1.7), ECDSA by hash (1.8). */
export const MSE_ALGORITHM = {
  rsaPkcs1DigestInfo: 0x01,
  ecdsaSha256: 0x01,
  ecdsaSha384: 0x02,
  ecdsaSha512: 0x04,
  ecdsaRawHash: 0x40,
} as const;
