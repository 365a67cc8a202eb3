/**
 * The card holder's data as a virtual BEID card carries it (beid-card.md §5.2, §5.4).
 * Strings are stored exactly as they appear on the card; nothing is normalised.
 */
export interface HolderAddress {
  readonly streetAndNumber: string;
  readonly zipCode: string;
  readonly municipality: string;
}

export interface HolderData {
  readonly cardNumber: string;
  /** 16 bytes as 32 hex digits; also the GET CARD DATA serial. */
  readonly chipNumber: string;
  readonly validityBegin: string;
  readonly validityEnd: string;
  readonly issuingMunicipality: string;
  readonly nationalNumber: string;
  readonly surname: string;
  readonly firstNames: string;
  readonly thirdNameInitial?: string;
  readonly nationality: string;
  readonly birthLocation: string;
  /** Card text in the card's language: `01 JAN 1971`, `03 MEI 2001`, `15.MÄR.1980`, or a year. */
  readonly birthDate: string;
  readonly gender: 'M' | 'F' | 'V' | 'W';
  readonly nobility?: string;
  readonly documentType: string;
  readonly specialStatus?: string;
  readonly duplicate?: string;
  readonly specialOrganization?: string;
  readonly memberOfFamily?: boolean;
  readonly dateAndCountryOfProtection?: string;
  readonly workPermit?: string;
  readonly employerVat1?: string;
  readonly employerVat2?: string;
  readonly regionalFileNumber?: string;
  readonly brexitMention1?: string;
  readonly brexitMention2?: string;
  readonly cardAMention1?: string;
  readonly cardAMention2?: string;
  readonly cardEuStartDate?: string;
  readonly address: HolderAddress;
  /** JPEG file for EF 4035; the bundled grey specimen when absent. */
  readonly photo?: string;
}

/** A specimen holder with accents and a hyphenated German surname, so encoders meet UTF-8. */
export const SPECIMEN_HOLDER: HolderData = {
  cardNumber: '592123456789',
  chipNumber: '534C494E0123456789ABCDEF01234567',
  validityBegin: '15.03.2024',
  validityEnd: '15.03.2034',
  issuingMunicipality: 'Sint-Gillis',
  nationalNumber: '71010112483',
  surname: 'Müller-Lüdenscheidt',
  firstNames: 'Ségolène Anaïs',
  thirdNameInitial: 'M',
  nationality: 'Belg',
  birthLocation: 'Liège',
  birthDate: '01 JAN 1971',
  gender: 'F',
  documentType: '1',
  specialStatus: '0',
  address: { streetAndNumber: 'Rue de la Loi 16', zipCode: '1000', municipality: 'Bruxelles' },
};
