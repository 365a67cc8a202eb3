import { concatBytes } from '@t1c/smartcard/codec';
/** Just enough BER-TLV (Book 3 Annex B) to write a card's answers; the card never parses TLV beyond the GPO template. */
export type TlvValue = Uint8Array | readonly Uint8Array[];

function tagBytes(tag: number): number[] {
  if (!Number.isInteger(tag) || tag <= 0 || tag > 0xffffff) throw new RangeError(`tag ${tag}`);
  if (tag > 0xffff) return [tag >> 16, (tag >> 8) & 0xff, tag & 0xff];
  if (tag > 0xff) return [tag >> 8, tag & 0xff];
  return [tag];
}

function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  if (length <= 0xff) return [0x81, length];
  if (length <= 0xffff) return [0x82, length >> 8, length & 0xff];
  throw new RangeError(`TLV length ${length}`);
}

/** One data object; a list of values is concatenated (a constructed object's children). */
export function tlv(tag: number, value: TlvValue): Uint8Array {
  const body = value instanceof Uint8Array ? value : concatBytes(...value);
  return concatBytes(Uint8Array.from(tagBytes(tag)), Uint8Array.from(lengthBytes(body.length)), body);
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new RangeError(`not hex: ${text}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Numeric (n) format, Book 3 §4.3: BCD, left-padded with zero nibbles to `bytes`. */
export function bcd(digits: string, bytes: number): Uint8Array {
  if (!/^\d*$/.test(digits) || digits.length > bytes * 2) throw new RangeError(`not ${bytes * 2} digits: ${digits.length}`);
  return hex(digits.padStart(bytes * 2, '0'));
}

/** Compressed numeric (cn) format: digits left-justified, padded with F nibbles to `bytes`. */
export function compressedNumeric(digits: string, bytes: number): Uint8Array {
  if (!/^\d*$/.test(digits) || digits.length > bytes * 2) throw new RangeError(`not up to ${bytes * 2} digits`);
  return hex(digits.padEnd(bytes * 2, 'F'));
}
