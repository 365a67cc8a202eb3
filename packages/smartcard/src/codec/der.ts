import { SmartCardError } from '../errors.js';

/** One DER element: enough to walk TokenInfo and to find where a padded certificate ends. */
export interface DerElement {
  readonly tag: number;
  readonly headerLength: number;
  readonly value: Uint8Array;
  /** Offset just past this element in the buffer it was read from. */
  readonly end: number;
}

function malformed(reason: string, offset: number): SmartCardError {
  return new SmartCardError('ASN1_MALFORMED', `malformed DER at byte ${offset}: ${reason}`, { offset });
}

/** Reads the header of a single-byte-tag element; returns undefined for lengths we refuse. */
function readHeader(bytes: Uint8Array, offset: number): { tag: number; length: number; headerLength: number } {
  if (offset + 2 > bytes.length) throw malformed('truncated header', offset);
  const tag = bytes[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) throw malformed('multi-byte tags are not used here', offset);
  const first = bytes[offset + 1] ?? 0;
  if (first < 0x80) return { tag, length: first, headerLength: 2 };
  const count = first & 0x7f;
  if (count === 0 || count > 3) throw malformed(`length of ${count} bytes`, offset);
  if (offset + 2 + count > bytes.length) throw malformed('truncated length', offset);
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (bytes[offset + 2 + i] ?? 0);
  return { tag, length, headerLength: 2 + count };
}

export function readDer(bytes: Uint8Array, offset = 0): DerElement {
  const { tag, length, headerLength } = readHeader(bytes, offset);
  const start = offset + headerLength;
  if (start + length > bytes.length) throw malformed(`element of ${length} bytes runs past the end`, offset);
  return { tag, headerLength, value: bytes.subarray(start, start + length), end: start + length };
}

/** Children of a constructed element, in order. */
export function readDerChildren(value: Uint8Array): DerElement[] {
  const out: DerElement[] = [];
  let offset = 0;
  while (offset < value.length) {
    const child = readDer(value, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/**
 * Size of the DER element at the start of `prefix` when only its first bytes are known, or
 * undefined when the prefix does not start like DER (all-zero "absent" files, for instance).
 */
export function derSizeFromPrefix(prefix: Uint8Array): number | undefined {
  if (prefix.length < 2 || prefix[0] === 0) return undefined;
  try {
    const { length, headerLength } = readHeader(prefix, 0);
    return headerLength + length;
  } catch {
    return undefined;
  }
}

/** Cuts a zero-padded DER value down to its element; undefined when nothing DER-like is there. */
export function trimDer(bytes: Uint8Array): Uint8Array | undefined {
  const size = derSizeFromPrefix(bytes);
  if (size === undefined || size > bytes.length) return undefined;
  return bytes.slice(0, size);
}
