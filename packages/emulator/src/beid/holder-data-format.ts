import { SPECIMEN_HOLDER, type HolderAddress, type HolderData } from './holder-data.js';

/**
 * Validation of holder data read from a JSON file: every field is checked against the card's
 * encoding and size limits (IDA5 "envisioned" maxima) so a bad file fails at start, naming
 * the field, instead of producing a card real middleware would reject.
 */
type Rule = { readonly pattern?: RegExp; readonly maxBytes: number; readonly hint: string };

const MONTHS = ['JAN', 'FEV', 'FEB', 'MARS', 'MAAR', 'MÄR', 'AVR', 'APR', 'MAI', 'MEI', 'JUIN', 'JUN', 'JUIL', 'JUL',
  'AOUT', 'AUG', 'SEPT', 'SEP', 'OCT', 'OKT', 'NOV', 'DEC', 'DEZ'];
const CARD_DATE = /^(0[1-9]|[12]\d|3[01])\.(0[1-9]|1[0-2])\.\d{4}$/;
const BIRTH_DATE = new RegExp(`^(\\d{4}|\\d{2}( |\\.)(${MONTHS.join('|')}|   )\\.? ?\\d{4})$`);

const rules: Record<Exclude<keyof HolderData, 'address' | 'memberOfFamily' | 'photo'>, Rule> = {
  cardNumber: { pattern: /^\d{9,12}$/, maxBytes: 12, hint: '9 to 12 digits' },
  chipNumber: { pattern: /^[0-9A-Fa-f]{32}$/, maxBytes: 32, hint: '32 hex digits (16 bytes)' },
  validityBegin: { pattern: CARD_DATE, maxBytes: 10, hint: 'DD.MM.YYYY' },
  validityEnd: { pattern: CARD_DATE, maxBytes: 10, hint: 'DD.MM.YYYY' },
  issuingMunicipality: { maxBytes: 80, hint: 'text' },
  nationalNumber: { pattern: /^\d{11}$/, maxBytes: 11, hint: '11 digits with a valid mod-97 check' },
  surname: { maxBytes: 110, hint: 'text' },
  firstNames: { maxBytes: 95, hint: 'text' },
  thirdNameInitial: { maxBytes: 3, hint: 'one letter' },
  nationality: { maxBytes: 85, hint: 'text' },
  birthLocation: { maxBytes: 80, hint: 'text' },
  birthDate: { pattern: BIRTH_DATE, maxBytes: 12, hint: '"01 JAN 1971", "03 MEI 2001", "15.MÄR.1980" or "1971"' },
  gender: { pattern: /^[MFVW]$/, maxBytes: 1, hint: 'M, F, V or W' },
  nobility: { maxBytes: 50, hint: 'text' },
  documentType: { pattern: /^(1|[6-8]|1[1-9]|2[0-3]|2[78]|3[1-6]|6[1-9])$/, maxBytes: 2, hint: 'a document type code such as 1 (eID) or 6 (Kids ID)' },
  specialStatus: { pattern: /^[0-5]$/, maxBytes: 2, hint: '0 to 5' },
  duplicate: { pattern: /^\d{1,2}$/, maxBytes: 2, hint: '1 or 2 digits' },
  specialOrganization: { pattern: /^[1245]$/, maxBytes: 1, hint: '1, 2, 4 or 5' },
  dateAndCountryOfProtection: { pattern: /^\d{2}\.\d{2}\.\d{4}-[A-Z]{2}$/, maxBytes: 13, hint: 'DD.MM.YYYY-CC' },
  workPermit: { pattern: /^[789A]$/, maxBytes: 1, hint: '7, 8, 9 or A' },
  employerVat1: { pattern: /^\d{4}\.\d{3}\.\d{3}$/, maxBytes: 13, hint: 'xxxx.xxx.xxx' },
  employerVat2: { pattern: /^\d{4}\.\d{3}\.\d{3}$/, maxBytes: 13, hint: 'xxxx.xxx.xxx' },
  regionalFileNumber: { maxBytes: 18, hint: 'up to 18 characters' },
  brexitMention1: { pattern: /^B$/, maxBytes: 1, hint: 'B' },
  brexitMention2: { pattern: /^C$/, maxBytes: 1, hint: 'C' },
  cardAMention1: { pattern: /^[ADEFGHIJ]$/, maxBytes: 1, hint: 'A, D, E, F, G, H, I or J' },
  cardAMention2: { pattern: /^K$/, maxBytes: 1, hint: 'K' },
  cardEuStartDate: { pattern: CARD_DATE, maxBytes: 10, hint: 'DD.MM.YYYY' },
};

const addressRules: Record<keyof HolderAddress, Rule> = {
  streetAndNumber: { maxBytes: 60, hint: 'text' },
  zipCode: { pattern: /^[0-9A-Z]{4,6}$/, maxBytes: 6, hint: '4 to 6 characters' },
  municipality: { maxBytes: 47, hint: 'text' },
};

const required = new Set<string>(['cardNumber', 'chipNumber', 'validityBegin', 'validityEnd', 'issuingMunicipality',
  'nationalNumber', 'surname', 'firstNames', 'nationality', 'birthLocation', 'birthDate', 'gender', 'documentType']);

function checkString(field: string, value: unknown, rule: Rule): string {
  if (typeof value !== 'string') throw new RangeError(`holder data: ${field} must be a string (${rule.hint})`);
  if (Buffer.byteLength(value, 'utf8') > rule.maxBytes) throw new RangeError(`holder data: ${field} is longer than ${rule.maxBytes} bytes`);
  if (rule.pattern && !rule.pattern.test(value)) throw new RangeError(`holder data: ${field} "${value}" is not ${rule.hint}`);
  if (value.length === 0 && required.has(field)) throw new RangeError(`holder data: ${field} must not be empty`);
  return value;
}

/** Belgian national number check digits: 97 − (first nine mod 97), with a leading 2 for births from 2000. */
export function nationalNumberIsValid(number: string): boolean {
  if (!/^\d{11}$/.test(number)) return false;
  const base = Number(number.slice(0, 9));
  const check = Number(number.slice(9));
  return 97 - (base % 97) === check || 97 - ((2_000_000_000 + base) % 97) === check;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Holder data from parsed JSON: fields left out take the specimen's values, optional fields
 * set to null are removed. Throws RangeError naming the first bad field.
 */
export function parseHolderData(json: unknown): HolderData {
  if (!isRecord(json)) throw new RangeError('holder data: the file must hold a JSON object');
  const known = new Set([...Object.keys(rules), 'address', 'memberOfFamily', 'photo']);
  for (const key of Object.keys(json)) if (!known.has(key)) throw new RangeError(`holder data: unknown field ${key}`);
  const out: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(rules)) {
    const given = field in json ? json[field] : (SPECIMEN_HOLDER as unknown as Record<string, unknown>)[field];
    if (given === undefined || given === null) {
      if (required.has(field)) throw new RangeError(`holder data: ${field} is required`);
      continue;
    }
    out[field] = checkString(field, given, rule);
  }
  if (!nationalNumberIsValid(String(out.nationalNumber))) throw new RangeError('holder data: nationalNumber fails the mod-97 check');
  const family = json.memberOfFamily;
  if (family !== undefined && family !== null && typeof family !== 'boolean') throw new RangeError('holder data: memberOfFamily must be true or false');
  if (family === true) out.memberOfFamily = true;
  if (json.photo !== undefined && json.photo !== null) {
    if (typeof json.photo !== 'string' || json.photo.length === 0) throw new RangeError('holder data: photo must be a file path');
    out.photo = json.photo;
  }
  const address = json.address ?? {};
  if (!isRecord(address)) throw new RangeError('holder data: address must be an object');
  const outAddress: Record<string, string> = {};
  for (const [field, rule] of Object.entries(addressRules)) {
    for (const key of Object.keys(address)) if (!(key in addressRules)) throw new RangeError(`holder data: unknown field address.${key}`);
    const given = field in address ? address[field] : SPECIMEN_HOLDER.address[field as keyof HolderAddress];
    outAddress[field] = checkString(`address.${field}`, given, rule);
  }
  out.address = outAddress;
  return out as unknown as HolderData;
}

/** The JSON file format, for `t1c emulator beid --print-format`. */
export function describeHolderDataFormat(): string {
  const lines = [
    'Holder data file: one JSON object. Every field is optional; a missing field takes the',
    'specimen value shown, an optional field set to null is left off the card.',
    '',
  ];
  const specimen = SPECIMEN_HOLDER as unknown as Record<string, unknown>;
  for (const [field, rule] of Object.entries(rules)) {
    const example = specimen[field] === undefined ? '(absent)' : JSON.stringify(specimen[field]);
    lines.push(`  ${field.padEnd(28)} ${rule.hint}, max ${rule.maxBytes} bytes${required.has(field) ? '' : ', optional'}; specimen ${example}`);
  }
  lines.push(`  ${'memberOfFamily'.padEnd(28)} true or false, optional`);
  lines.push(`  ${'photo'.padEnd(28)} path of a JPEG file, optional; specimen: bundled 150x195 grey JPEG`);
  lines.push('  address                      object:');
  for (const [field, rule] of Object.entries(addressRules)) {
    lines.push(`    ${field.padEnd(26)} ${rule.hint}, max ${rule.maxBytes} bytes; specimen ${JSON.stringify(SPECIMEN_HOLDER.address[field as keyof HolderAddress])}`);
  }
  lines.push('', 'Example:', JSON.stringify({ surname: 'Peeters', firstNames: 'Jan Pieter', birthDate: '03 MEI 2001', gender: 'M', nationalNumber: '01050312366', address: { streetAndNumber: 'Kerkstraat 1', zipCode: '2000', municipality: 'Antwerpen' } }, null, 2));
  return lines.join('\n');
}
