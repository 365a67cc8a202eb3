import { SmartCardError } from '../errors.js';

/**
 * The Belgian eID's "simplified TLV" (CC54 §6.1): a one-byte tag, a length written as a
 * run of FF bytes (255 each) closed by a byte below FF, then the value. A tag 00 after the
 * first field starts the zero padding that ends the data. No general-purpose BER library
 * speaks this length rule, hence our own.
 */
export interface TlvField {
  readonly tag: number;
  readonly value: Uint8Array;
}

/** Longest value we accept; the largest field the card defines is 110 bytes. */
const MAX_VALUE_LENGTH = 65535;

function malformed(reason: string, offset: number): SmartCardError {
  return new SmartCardError('TLV_MALFORMED', `malformed TLV at byte ${offset}: ${reason}`, { offset });
}

export function decodeTlv(bytes: Uint8Array): TlvField[] {
  const fields: TlvField[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const start = offset;
    const tag = bytes[offset++] ?? 0;
    if (tag === 0 && fields.length > 0) break;
    let length = 0;
    for (;;) {
      if (offset >= bytes.length) throw malformed(`length of tag ${tag} runs past the end`, start);
      const b = bytes[offset++] ?? 0;
      length += b;
      if (length > MAX_VALUE_LENGTH) throw malformed(`length of tag ${tag} exceeds ${MAX_VALUE_LENGTH}`, start);
      if (b !== 0xff) break;
    }
    if (offset + length > bytes.length) {
      throw malformed(`tag ${tag} declares ${length} bytes, ${bytes.length - offset} remain`, start);
    }
    fields.push({ tag, value: bytes.slice(offset, offset + length) });
    offset += length;
  }
  return fields;
}

export function encodeTlvLength(length: number): number[] {
  if (!Number.isInteger(length) || length < 0 || length > MAX_VALUE_LENGTH) throw new RangeError(`TLV length ${length}`);
  const out: number[] = [];
  let rest = length;
  while (rest >= 0xff) {
    out.push(0xff);
    rest -= 0xff;
  }
  out.push(rest);
  return out;
}

export function encodeTlv(fields: readonly TlvField[]): Uint8Array {
  const out: number[] = [];
  for (const { tag, value } of fields) {
    if (!Number.isInteger(tag) || tag < 0 || tag > 0xff) throw new RangeError(`TLV tag ${tag}`);
    out.push(tag, ...encodeTlvLength(value.length), ...value);
  }
  return Uint8Array.from(out);
}

/** Index by tag; when a tag repeats the first occurrence wins, as in the reference readers. */
export function tlvMap(fields: readonly TlvField[]): ReadonlyMap<number, Uint8Array> {
  const map = new Map<number, Uint8Array>();
  for (const f of fields) if (!map.has(f.tag)) map.set(f.tag, f.value);
  return map;
}
