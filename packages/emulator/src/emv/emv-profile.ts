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
