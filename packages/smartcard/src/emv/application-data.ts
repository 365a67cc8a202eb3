import iso3166 from 'iso-3166-1';
import { toHex } from '../codec/hex.js';
import { SmartCardError } from '../errors.js';
import { Tag } from './constants.js';
import type { EmvApplicationRecords } from './emv-card.js';

/** The cardholder-facing data of one application (T1C's `application-data`). */
export interface EmvApplicationData {
  readonly aid: string;
  /** Personal data: never log it unmasked (maskPan). */
  readonly pan: string;
  /** YYMMDD, as the card stores it (5F24). */
  readonly expirationDate: string;
  readonly effectiveDate: string | undefined;
  readonly name: string | undefined;
  /** ISO 3166 alpha-2 of the issuer country, when the numeric code is known. */
  readonly country: string | undefined;
  /** ISO 3166 numeric as the card stores it (5F28), e.g. "0056". */
  readonly countryCode: string | undefined;
  /** Language preference (5F2D), e.g. "nlfr". */
  readonly language: string | undefined;
}

/** cn format: digits up to the first F nibble. */
function compressedNumeric(bytes: Uint8Array): string {
  const hex = toHex(bytes);
  const end = hex.indexOf('F');
  return end < 0 ? hex : hex.slice(0, end);
}

function panFromTrack2(track2: Uint8Array | undefined): string | undefined {
  if (!track2) return undefined;
  const hex = toHex(track2);
  const end = hex.indexOf('D');
  return end > 0 ? hex.slice(0, end) : undefined;
}

export function applicationData(records: EmvApplicationRecords): EmvApplicationData {
  const get = (tag: number): Uint8Array | undefined => records.data.get(tag);
  const panBytes = get(Tag.pan);
  const pan = panBytes ? compressedNumeric(panBytes) : panFromTrack2(get(Tag.track2));
  if (!pan || !/^\d{8,19}$/.test(pan)) throw new SmartCardError('CARD_DATA_INVALID', 'the application has no valid PAN');
  const expiry = get(Tag.expirationDate);
  if (expiry?.length !== 3) throw new SmartCardError('CARD_DATA_INVALID', 'the application has no expiration date');
  const country = get(Tag.issuerCountry);
  const countryCode = country ? toHex(country) : undefined;
  const name = get(Tag.cardholderName);
  const effective = get(Tag.effectiveDate);
  return {
    aid: records.aid,
    pan,
    expirationDate: toHex(expiry),
    effectiveDate: effective ? toHex(effective) : undefined,
    name: name ? Buffer.from(name).toString('latin1').trim() : undefined,
    country: countryCode ? iso3166.whereNumeric(countryCode.slice(-3))?.alpha2 : undefined,
    countryCode,
    language: records.language,
  };
}
