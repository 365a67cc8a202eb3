import { encodeTlv, fromHex, type TlvField } from '@t1c/smartcard/codec';
import { AddressTag, IdentityTag } from './card-spec.js';
import type { HolderData } from './holder-data.js';

/** Fixed size of EF 4033 since personalisation version 01 (beid-card.md §2). */
export const ADDRESS_FILE_SIZE = 117;
/** File structure versions as seen on current cards. */
const IDENTITY_FILE_VERSION = Uint8Array.of(0x00, 0x04);
const ADDRESS_FILE_VERSION = Uint8Array.of(0x00, 0x01);

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

type TextTag = Exclude<keyof typeof IdentityTag, 'fileVersion' | 'chipNumber' | 'photoHash' | 'memberOfFamily' | 'basicKeyHash'>;

/** Fields from the holder data that are plain text on the card, by tag name. */
const textFields: readonly TextTag[] = [
  'cardNumber', 'validityBegin', 'validityEnd', 'issuingMunicipality', 'nationalNumber', 'surname', 'firstNames',
  'thirdNameInitial', 'nationality', 'birthLocation', 'birthDate', 'gender', 'nobility', 'documentType', 'specialStatus',
  'duplicate', 'specialOrganization', 'dateAndCountryOfProtection', 'workPermit', 'employerVat1', 'employerVat2',
  'regionalFileNumber', 'brexitMention1', 'brexitMention2', 'cardAMention1', 'cardAMention2', 'cardEuStartDate',
];

export interface IdentityHashes {
  /** Hash of EF 4035: SHA-256 on applet 1.7, SHA-384 on 1.8. */
  readonly photoHash: Uint8Array;
  /** SHA-384 of EF 4040 (applet 1.8 only). */
  readonly basicKeyHash?: Uint8Array;
}

/** EF 4031: tags in ascending order, tag 00 first, exactly sized (no padding). */
export function buildIdentityFile(holder: HolderData, hashes: IdentityHashes): Uint8Array {
  const fields: TlvField[] = [
    { tag: IdentityTag.fileVersion, value: IDENTITY_FILE_VERSION },
    { tag: IdentityTag.chipNumber, value: fromHex(holder.chipNumber) },
    { tag: IdentityTag.photoHash, value: hashes.photoHash },
  ];
  for (const name of textFields) {
    const value = holder[name];
    if (typeof value === 'string') fields.push({ tag: IdentityTag[name], value: utf8(value) });
  }
  if (holder.memberOfFamily === true) fields.push({ tag: IdentityTag.memberOfFamily, value: new Uint8Array(0) });
  if (hashes.basicKeyHash) fields.push({ tag: IdentityTag.basicKeyHash, value: hashes.basicKeyHash });
  fields.sort((a, b) => a.tag - b.tag);
  return encodeTlv(fields);
}

/** EF 4033: version, street, zip, municipality, then zero padding to the fixed file size. */
export function buildAddressFile(holder: HolderData): Uint8Array {
  const tlv = encodeTlv([
    { tag: AddressTag.fileVersion, value: ADDRESS_FILE_VERSION },
    { tag: AddressTag.streetAndNumber, value: utf8(holder.address.streetAndNumber) },
    { tag: AddressTag.zipCode, value: utf8(holder.address.zipCode) },
    { tag: AddressTag.municipality, value: utf8(holder.address.municipality) },
  ]);
  if (tlv.length > ADDRESS_FILE_SIZE) {
    throw new RangeError(`holder data: the address needs ${tlv.length} bytes, the card file holds ${ADDRESS_FILE_SIZE}`);
  }
  const file = new Uint8Array(ADDRESS_FILE_SIZE);
  file.set(tlv);
  return file;
}
