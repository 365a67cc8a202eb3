import { toHex } from '../codec/hex.js';
import { decodeTlv, tlvMap } from '../codec/tlv.js';
import { SmartCardError } from '../errors.js';
import { AddressTag, IdentityTag } from './constants.js';
import { parseBirthDate, parseCardDate } from './dates.js';

/** The identity file (EF 4031) as typed data. Card text is kept as is; ISO dates are added. */
export interface BeidIdentity {
  readonly fileVersion: number | undefined;
  readonly cardNumber: string;
  readonly chipNumber: string;
  readonly validityBeginDate: string;
  readonly validityBeginIso: string | null;
  readonly validityEndDate: string;
  readonly validityEndIso: string | null;
  readonly issuingMunicipality: string;
  readonly nationalNumber: string;
  readonly surname: string;
  readonly firstNames: string;
  readonly thirdNameInitial: string;
  readonly nationality: string;
  readonly birthLocation: string;
  readonly birthDate: string;
  readonly birthDateIso: string | null;
  readonly gender: string;
  readonly nobility: string;
  readonly documentType: string;
  readonly specialStatus: string;
  readonly photoHash: Uint8Array;
  readonly duplicate: string;
  readonly specialOrganization: string;
  readonly memberOfFamily: boolean;
  readonly dateAndCountryOfProtection: string;
  readonly workPermit: string;
  readonly employerVat1: string;
  readonly employerVat2: string;
  readonly regionalFileNumber: string;
  readonly basicKeyHash: Uint8Array | undefined;
  readonly brexitMention1: string;
  readonly brexitMention2: string;
  readonly cardAMention1: string;
  readonly cardAMention2: string;
  readonly cardEuStartDate: string;
  readonly cardEuStartIso: string | null;
}

export interface BeidAddress {
  readonly fileVersion: number | undefined;
  readonly streetAndNumber: string;
  readonly zipCode: string;
  readonly municipality: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(fields: ReadonlyMap<number, Uint8Array>, tag: number, name: string): string {
  const value = fields.get(tag);
  if (value === undefined) return '';
  try {
    return utf8.decode(value);
  } catch {
    throw new SmartCardError('CARD_DATA_INVALID', `field ${name} is not valid UTF-8`, { tag });
  }
}

function version(fields: ReadonlyMap<number, Uint8Array>): number | undefined {
  const v = fields.get(0x00);
  return v === undefined ? undefined : v.reduce((n, b) => n * 256 + b, 0);
}

function required(fields: ReadonlyMap<number, Uint8Array>, tags: Record<string, number>): void {
  for (const [name, tag] of Object.entries(tags)) {
    if (!fields.has(tag)) throw new SmartCardError('CARD_DATA_INVALID', `identity file lacks ${name}`, { tag });
  }
}

export function parseIdentity(file: Uint8Array): BeidIdentity {
  const f = tlvMap(decodeTlv(file));
  const T = IdentityTag;
  required(f, { cardNumber: T.cardNumber, nationalNumber: T.nationalNumber, surname: T.surname, photoHash: T.photoHash });
  const s = (tag: number, name: string): string => text(f, tag, name);
  const begin = s(T.validityBegin, 'validityBegin');
  const end = s(T.validityEnd, 'validityEnd');
  const birth = s(T.birthDate, 'birthDate');
  const euStart = s(T.cardEuStartDate, 'cardEuStartDate');
  const photoHash = f.get(T.photoHash) ?? new Uint8Array(0);
  if (![20, 32, 48].includes(photoHash.length)) {
    throw new SmartCardError('CARD_DATA_INVALID', `photo hash of ${photoHash.length} bytes`, { tag: T.photoHash });
  }
  return {
    fileVersion: version(f),
    cardNumber: s(T.cardNumber, 'cardNumber'),
    chipNumber: toHex(f.get(T.chipNumber) ?? new Uint8Array(0)),
    validityBeginDate: begin,
    validityBeginIso: parseCardDate(begin),
    validityEndDate: end,
    validityEndIso: parseCardDate(end),
    issuingMunicipality: s(T.issuingMunicipality, 'issuingMunicipality'),
    nationalNumber: s(T.nationalNumber, 'nationalNumber'),
    surname: s(T.surname, 'surname'),
    firstNames: s(T.firstNames, 'firstNames'),
    thirdNameInitial: s(T.thirdNameInitial, 'thirdNameInitial'),
    nationality: s(T.nationality, 'nationality'),
    birthLocation: s(T.birthLocation, 'birthLocation'),
    birthDate: birth,
    birthDateIso: parseBirthDate(birth),
    gender: s(T.gender, 'gender'),
    nobility: s(T.nobility, 'nobility'),
    documentType: s(T.documentType, 'documentType'),
    specialStatus: s(T.specialStatus, 'specialStatus'),
    photoHash,
    duplicate: s(T.duplicate, 'duplicate'),
    specialOrganization: s(T.specialOrganization, 'specialOrganization'),
    memberOfFamily: f.has(T.memberOfFamily),
    dateAndCountryOfProtection: s(T.dateAndCountryOfProtection, 'dateAndCountryOfProtection'),
    workPermit: s(T.workPermit, 'workPermit'),
    employerVat1: s(T.employerVat1, 'employerVat1'),
    employerVat2: s(T.employerVat2, 'employerVat2'),
    regionalFileNumber: s(T.regionalFileNumber, 'regionalFileNumber'),
    basicKeyHash: f.get(T.basicKeyHash),
    brexitMention1: s(T.brexitMention1, 'brexitMention1'),
    brexitMention2: s(T.brexitMention2, 'brexitMention2'),
    cardAMention1: s(T.cardAMention1, 'cardAMention1'),
    cardAMention2: s(T.cardAMention2, 'cardAMention2'),
    cardEuStartDate: euStart,
    cardEuStartIso: parseCardDate(euStart),
  };
}

export function parseAddress(file: Uint8Array): BeidAddress {
  const f = tlvMap(decodeTlv(file));
  const T = AddressTag;
  return {
    fileVersion: version(f),
    streetAndNumber: text(f, T.streetAndNumber, 'streetAndNumber'),
    zipCode: text(f, T.zipCode, 'zipCode'),
    municipality: text(f, T.municipality, 'municipality'),
  };
}

/** The address file is zero-padded to a fixed size; the RRN signed it without the padding. */
export function trimTrailingZeros(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}
