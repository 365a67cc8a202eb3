import { concatBytes } from '@t1c/smartcard/codec';
import { ascii, bcd, compressedNumeric, hex, tlv } from './ber-tlv-writer.js';
import { iccCertificate, issuerCertificate } from './emv-certificates.js';
import type { EmvKeyChain } from './emv-keys.js';
import type { EmvApplicationProfile } from './emv-profile.js';
import { EmvTag as T } from './emv-spec.js';

/** One application as the card holds it after personalisation. */
export interface EmvApplicationImage {
  readonly profile: EmvApplicationProfile;
  readonly aid: Uint8Array;
  /** The FCI returned by SELECT (tag 6F). */
  readonly fci: Uint8Array;
  /** PDOL entries with their total length, for checking the GPO template. */
  readonly pdolLength: number;
  readonly aip: Uint8Array;
  readonly afl: Uint8Array;
  /** Record templates (tag 70) by SFI, record numbers from 1. */
  readonly records: ReadonlyMap<number, readonly Uint8Array[]>;
}

/** AIP byte 1 (Book 3 Table C1): DDA, cardholder verification, terminal risk management, issuer authentication. */
const AIP = hex('3C00');
/** SFI 1 records 1–2 (the first in offline data authentication), SFI 2 records 1–2. */
const AFL = hex('08010201 10010200');
/** Book 3 Table 39/40: offline plaintext PIN if the terminal supports it, else no CVM; no amounts. */
const CVM_LIST = hex('00000000 00000000 0103 1F03');

function dol(entries: readonly (readonly [number, number])[]): Uint8Array {
  return concatBytes(...entries.map(([tag, length]) => {
    const tagHex = tag.toString(16);
    return concatBytes(hex(tagHex.length % 2 === 0 ? tagHex : `0${tagHex}`), Uint8Array.of(length));
  }));
}

function pdolTotal(profile: EmvApplicationProfile): number {
  return (profile.pdol ?? []).reduce((n, [, length]) => n + length, 0);
}

function mmyy(yymmdd: string): Uint8Array {
  return hex(yymmdd.slice(2, 4) + yymmdd.slice(0, 2));
}

/** ISO 7813 track 2: PAN, separator D, YYMM, service code, discretionary data, F-padded. */
function track2(profile: EmvApplicationProfile): Uint8Array {
  const digits = `${profile.pan}D${profile.expirationDate.slice(0, 4)}201${'0'.repeat(10)}`;
  return hex(digits.length % 2 === 0 ? digits : `${digits}F`);
}

export function applicationFci(profile: EmvApplicationProfile): Uint8Array {
  const proprietary = [
    tlv(T.applicationLabel, ascii(profile.label)),
    tlv(T.applicationPriority, Uint8Array.of(profile.priority)),
    ...(profile.pdol ? [tlv(T.pdol, dol(profile.pdol))] : []),
    tlv(T.languagePreference, ascii(profile.language)),
    tlv(T.issuerCodeTableIndex, Uint8Array.of(1)),
    ...(profile.preferredName ? [tlv(T.applicationPreferredName, ascii(profile.preferredName))] : []),
  ];
  return tlv(T.fciTemplate, [tlv(T.dfName, hex(profile.aid)), tlv(T.fciProprietaryTemplate, proprietary)]);
}

/** Builds the records per the AFL, signing the certificates over the record that takes part in ODA. */
export function personaliseApplication(profile: EmvApplicationProfile, keys: EmvKeyChain, serial: number): EmvApplicationImage {
  const odaRecord = tlv(T.recordTemplate, [
    tlv(T.pan, compressedNumeric(profile.pan, Math.ceil(profile.pan.length / 2))),
    tlv(T.expirationDate, hex(profile.expirationDate)),
    tlv(T.effectiveDate, hex(profile.effectiveDate)),
    tlv(T.issuerCountryCode, bcd(profile.issuerCountry, 2)),
    tlv(T.panSequenceNumber, bcd(String(profile.panSequenceNumber), 1)),
    tlv(T.applicationUsageControl, hex('FF00')),
    tlv(T.cvmList, CVM_LIST),
    tlv(T.staticDataTagList, Uint8Array.of(T.aip)),
  ]);
  const holderRecord = tlv(T.recordTemplate, [
    tlv(T.track2Equivalent, track2(profile)),
    tlv(T.cardholderName, ascii(profile.cardholderName)),
    tlv(T.track1Discretionary, ascii('000000000000')),
    tlv(T.applicationCurrencyCode, bcd(profile.currency, 2)),
    tlv(T.serviceCode, bcd('201', 2)),
    tlv(T.applicationVersion, hex('0002')),
  ]);
  const serialBytes = bcd(String(serial), 3);
  const issuer = issuerCertificate(keys.ca, keys.issuer, {
    issuerIdentifier: compressedNumeric(profile.pan.slice(0, 6), 4), expiry: mmyy(profile.expirationDate), serial: serialBytes,
  });
  // Book 3 §10.3: the value of an SFI 1–10 record template in ODA, then the AIP the tag list names.
  const odaValue = odaRecord.subarray(odaRecord.length - odaValueLength(odaRecord));
  const icc = iccCertificate(keys.issuer, keys.icc, {
    pan: compressedNumeric(profile.pan, 10), expiry: mmyy(profile.expirationDate), serial: serialBytes,
    staticData: concatBytes(odaValue, AIP),
  });
  const issuerRecord = tlv(T.recordTemplate, [
    tlv(T.caPublicKeyIndex, Uint8Array.of(profile.caIndex)),
    tlv(T.issuerPublicKeyCertificate, issuer.certificate),
    tlv(T.issuerPublicKeyExponent, issuer.exponent),
    ...(issuer.remainder.length > 0 ? [tlv(T.issuerPublicKeyRemainder, issuer.remainder)] : []),
  ]);
  const iccRecord = tlv(T.recordTemplate, [
    tlv(T.iccPublicKeyCertificate, icc.certificate),
    tlv(T.iccPublicKeyExponent, icc.exponent),
    ...(icc.remainder.length > 0 ? [tlv(T.iccPublicKeyRemainder, icc.remainder)] : []),
    tlv(T.ddol, dol([[0x9f37, 4]])),
  ]);
  return {
    profile, aid: hex(profile.aid), fci: applicationFci(profile), pdolLength: pdolTotal(profile), aip: AIP, afl: AFL,
    records: new Map([[1, [odaRecord, holderRecord]], [2, [issuerRecord, iccRecord]]]),
  };
}

/** Length of a template's value, read from its (one-byte tag) header. */
function odaValueLength(template: Uint8Array): number {
  const first = template[1] ?? 0;
  if (first < 0x80) return first;
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (template[2 + i] ?? 0);
  return length;
}
