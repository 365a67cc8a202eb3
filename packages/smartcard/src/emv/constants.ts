import { SW } from '../codec/status-words.js';

/** EMV tags and names the reader uses (EMV 4.4 Book 1 §12, Book 3 Annex A). */
export const PSE = '1PAY.SYS.DDF01';
export const PPSE = '2PAY.SYS.DDF01';

export const Tag = {
  fci: 0x6f,
  dfName: 0x84,
  fciProprietary: 0xa5,
  sfi: 0x88,
  language: 0x5f2d,
  issuerDiscretionary: 0xbf0c,
  applicationTemplate: 0x61,
  aid: 0x4f,
  label: 0x50,
  preferredName: 0x9f12,
  priority: 0x87,
  pdol: 0x9f38,
  record: 0x70,
  gpoFormat1: 0x80,
  gpoFormat2: 0x77,
  commandTemplate: 0x83,
  aip: 0x82,
  afl: 0x94,
  pan: 0x5a,
  track2: 0x57,
  expirationDate: 0x5f24,
  effectiveDate: 0x5f25,
  cardholderName: 0x5f20,
  issuerCountry: 0x5f28,
  staticDataTagList: 0x9f4a,
  caIndex: 0x8f,
  issuerCertificate: 0x90,
  issuerRemainder: 0x92,
  issuerExponent: 0x9f32,
  iccCertificate: 0x9f46,
  iccExponent: 0x9f47,
  iccRemainder: 0x9f48,
  pinTryCounter: 0x9f17,
} as const;

/** VERIFY P2 for an offline plaintext PIN (Book 3 Table 23). */
export const PLAINTEXT_PIN = 0x80;
/** Status word of a command the card will not run in its current state (e.g. READ RECORD before GPO). */
export const CONDITIONS_NOT_SATISFIED = 0x6985;
export const RECORD_NOT_FOUND = 0x6a83;
/** SELECT answer of a blocked card, or of one without SELECT (Book 1 §12.3.3 step 2: end the session). */
export const CARD_BLOCKED_OR_UNSUPPORTED = 0x6a81;
/** SELECT P2: first (or only) occurrence, and next occurrence of a partial DF name (Book 1 §11.3.2). */
export const FIRST_OCCURRENCE = 0x00;
export const NEXT_OCCURRENCE = 0x02;

/** The selection values above in one place, for the test that holds them against the emulator's. */
export const EMV_SELECTION = {
  firstOccurrence: FIRST_OCCURRENCE,
  nextOccurrence: NEXT_OCCURRENCE,
  cardBlockedOrUnsupported: CARD_BLOCKED_OR_UNSUPPORTED,
  applicationBlocked: SW.WARNING_FILE_DEACTIVATED,
} as const;
