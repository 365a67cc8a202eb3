/**
 * The Belgian eID as its specification describes it (reference/beid-card.md; CC54, RM17, RM18,
 * IDA5), written here from that text and not taken from the reader's card module, so the two
 * can catch each other's mistakes (test/card-spec.test.ts holds them side by side).
 */

/** Applet versions the virtual card plays. */
export type AppletVersion = '1.7' | '1.8';

/** beid-card.md §1.1: applet 1.1/1.7 (perso version 02) and applet 1.8 (EC). */
export const BEID_ATR_1_7 = '3B9813400AA503010101AD1311';
export const BEID_ATR_1_8 = '3B7F96000080318065B085040120120FFF829000';

/** §1.2: the Belpic applet instance, DF(BELPIC) "PKCS-15" and DF(ID) "IdFiles". */
export const BELPIC_APPLET_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x30, 0x29, 0x05, 0x70, 0x00, 0xad, 0x13, 0x10, 0x01, 0x01, 0xff);
export const BELPIC_DF_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x77, ...Buffer.from('PKCS-15', 'ascii'));
export const ID_DF_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x77, ...Buffer.from('IdFiles', 'ascii'));

const MF = '3F00';
const DF_BELPIC = `${MF}DF00`;
const DF_ID = `${MF}DF01`;

/** §2: elementary files by absolute path, as SELECT by path (P1=08) names them. */
export const BeidFile = {
  tokenInfo: `${DF_BELPIC}5032`,
  authenticationCert: `${DF_BELPIC}5038`,
  nonRepudiationCert: `${DF_BELPIC}5039`,
  caCert: `${DF_BELPIC}503A`,
  rootCert: `${DF_BELPIC}503B`,
  rrnCert: `${DF_BELPIC}503C`,
  identity: `${DF_ID}4031`,
  identitySignature: `${DF_ID}4032`,
  address: `${DF_ID}4033`,
  addressSignature: `${DF_ID}4034`,
  photo: `${DF_ID}4035`,
  basicPublicKey: `${DF_ID}4040`,
} as const;

/** §3.5: MSE:SET key references (81 basic key on 1.8, 82 authentication, 83 non-repudiation). */
export const BeidKey = { basic: 0x81, authentication: 0x82, nonRepudiation: 0x83 } as const;
/** §3.4: the cardholder PIN. */
export const BEID_PIN_REFERENCE = 0x01;

/** §5.2: identity file (4031) tags, in the order of the table. */
const IDENTITY_FIELDS = [
  'fileVersion', 'cardNumber', 'chipNumber', 'validityBegin', 'validityEnd', 'issuingMunicipality', 'nationalNumber',
  'surname', 'firstNames', 'thirdNameInitial', 'nationality', 'birthLocation', 'birthDate', 'gender', 'nobility',
  'documentType', 'specialStatus', 'photoHash', 'duplicate', 'specialOrganization', 'memberOfFamily',
  'dateAndCountryOfProtection', 'workPermit', 'employerVat1', 'employerVat2', 'regionalFileNumber', 'basicKeyHash',
  'brexitMention1', 'brexitMention2', 'cardAMention1', 'cardAMention2', 'cardEuStartDate',
] as const;
/** Tags run from 00 to 1F in table order. */
export const IdentityTag = Object.fromEntries(IDENTITY_FIELDS.map((name, tag) => [name, tag])) as Record<(typeof IDENTITY_FIELDS)[number], number>;

/** §5.4: address file (4033) tags. */
export const AddressTag = { fileVersion: 0x00, streetAndNumber: 0x01, zipCode: 0x02, municipality: 0x03 } as const;

/** §3.5: DigestInfo prefixes a PKCS#1 v1.5 signature (algorithm 01 on 1.7) carries before the hash. */
export const DIGEST_INFO_PREFIX = {
  'SHA-1': '3021300906052B0E03021A05000414',
  'SHA-256': '3031300D060960864801650304020105000420',
  'SHA-384': '3041300D060960864801650304020205000430',
  'SHA-512': '3051300D060960864801650304020305000440',
} as const;
