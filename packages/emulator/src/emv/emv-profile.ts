/** What an issuer personalises into one payment application (Book 3 Annex A data elements). */
export interface EmvApplicationProfile {
  /** Application identifier, hex (RID ‖ PIX), 5 to 16 bytes. */
  readonly aid: string;
  readonly label: string;
  /** Book 1 Table 48: 1 is the highest priority; bit 8 set = confirm with the cardholder. */
  readonly priority: number;
  readonly preferredName?: string;
  /** Tag → length the card wants in GET PROCESSING OPTIONS; none = the empty 83 00 template. */
  readonly pdol?: readonly (readonly [tag: number, length: number])[];
  /** Book 3 §6.5.8.4: format 1 (tag 80, AIP ‖ AFL) or format 2 (tag 77 with 82 and 94). */
  readonly responseFormat: 1 | 2;
  readonly pan: string;
  readonly panSequenceNumber: number;
  /** YYMMDD. */
  readonly expirationDate: string;
  readonly effectiveDate: string;
  /** ISO 7813 track 1 form, "SURNAME/GIVEN". */
  readonly cardholderName: string;
  /** ISO 3166-1 numeric, e.g. 056 for Belgium. */
  readonly issuerCountry: string;
  /** ISO 4217 numeric, e.g. 978 for the euro. */
  readonly currency: string;
  /** ISO 639-1 codes in order of preference, e.g. "nlfr". */
  readonly language: string;
  /** CA public key index (tag 8F) the issuer certificate was signed under. */
  readonly caIndex: number;
  /** A blocked application: SELECT answers 6283 and it refuses GET PROCESSING OPTIONS. */
  readonly blocked?: boolean;
}

/** A debit (Maestro) and a credit (Visa) application, listed credit first so that priority, not order, decides. */
export const SPECIMEN_APPLICATIONS: readonly EmvApplicationProfile[] = [
  {
    aid: 'A0000000031010', label: 'VISA CREDIT', priority: 2, preferredName: 'Visa Credit Specimen',
    responseFormat: 1, pan: '4000000000000002', panSequenceNumber: 1, expirationDate: '301231', effectiveDate: '250101',
    cardholderName: 'SPECIMEN/ALICE', issuerCountry: '056', currency: '978', language: 'nlfr', caIndex: 0x92,
  },
  {
    aid: 'A0000000043060', label: 'MAESTRO', priority: 1,
    pdol: [[0x9f1a, 2], [0x5f2a, 2], [0x9a, 3], [0x9c, 1], [0x9f37, 4]],
    responseFormat: 2, pan: '6703000000000000003', panSequenceNumber: 0, expirationDate: '291130', effectiveDate: '241201',
    cardholderName: 'SPECIMEN/ALICE', issuerCountry: '056', currency: '978', language: 'nlfr', caIndex: 0x92,
  },
];

/**
 * A card with no PSE and no PPSE (create it with `pse: false, ppse: false`), whose
 * applications a terminal finds only from its own AID list (Book 1 §12.3.3): two Visa ADFs
 * whose DF names extend the Visa AID A0000000031010, the first blocked, so the usable one is
 * reached only by SELECT next occurrence; and a Maestro ADF named exactly by its AID.
 */
export const NO_DIRECTORY_APPLICATIONS: readonly EmvApplicationProfile[] = [
  {
    aid: 'A000000003101002', label: 'VISA DEBIT', priority: 1, blocked: true,
    responseFormat: 1, pan: '4000000000000010', panSequenceNumber: 1, expirationDate: '281031', effectiveDate: '230101',
    cardholderName: 'SPECIMEN/BOB', issuerCountry: '056', currency: '978', language: 'fr', caIndex: 0x92,
  },
  {
    aid: 'A000000003101001', label: 'VISA CREDIT', priority: 1,
    responseFormat: 1, pan: '4000000000000028', panSequenceNumber: 1, expirationDate: '310630', effectiveDate: '260101',
    cardholderName: 'SPECIMEN/BOB', issuerCountry: '056', currency: '978', language: 'fr', caIndex: 0x92,
  },
  {
    aid: 'A0000000043060', label: 'MAESTRO', priority: 2,
    pdol: [[0x9f1a, 2], [0x5f2a, 2], [0x9a, 3], [0x9c, 1], [0x9f37, 4]],
    responseFormat: 2, pan: '6703000000000000011', panSequenceNumber: 0, expirationDate: '300228', effectiveDate: '250301',
    cardholderName: 'SPECIMEN/BOB', issuerCountry: '056', currency: '978', language: 'fr', caIndex: 0x92,
  },
];
