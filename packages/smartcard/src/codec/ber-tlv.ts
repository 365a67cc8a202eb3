import { SmartCardError } from '../errors.js';

/**
 * ISO 7816-4 / EMV Book 3 Annex B BER-TLV: tags of one to three bytes, definite lengths of
 * up to three bytes, constructed objects decoded into children. 00 and FF between objects
 * are padding (Book 3 Annex B1). No BER library on npm keeps EMV's padding rule and raw tag
 * numbers without pulling in ASN.1 types, hence this small codec.
 */
export interface BerTlv {
  /** The tag bytes as one number, e.g. 0x9F38 or 0xBF0C. */
  readonly tag: number;
  readonly constructed: boolean;
  readonly value: Uint8Array;
  /** Decoded children of a constructed object. */
  readonly children: readonly BerTlv[];
}

/** Nesting deeper than any EMV template (FCI > A5 > BF0C > 61) plus margin; stops hostile recursion. */
const MAX_DEPTH = 8;

function malformed(reason: string, offset: number): SmartCardError {
  return new SmartCardError('TLV_MALFORMED', `malformed BER-TLV at byte ${offset}: ${reason}`, { offset });
}

function readTag(bytes: Uint8Array, start: number): { tag: number; next: number } {
  let offset = start;
  const first = bytes[offset++] ?? 0;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    for (let count = 1; ; count++) {
      if (count > 2) throw malformed('tag longer than 3 bytes', start);
      if (offset >= bytes.length) throw malformed('tag runs past the end', start);
      const b = bytes[offset++] ?? 0;
      tag = tag * 256 + b;
      if ((b & 0x80) === 0) break;
    }
  }
  return { tag, next: offset };
}

function readLength(bytes: Uint8Array, start: number): { length: number; next: number } {
  if (start >= bytes.length) throw malformed('length missing', start);
  const first = bytes[start] ?? 0;
  if (first < 0x80) return { length: first, next: start + 1 };
  const count = first & 0x7f;
  if (count === 0) throw malformed('indefinite length', start);
  if (count > 3) throw malformed(`length of ${count} bytes`, start);
  if (start + 1 + count > bytes.length) throw malformed('length runs past the end', start);
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + 1 + i] ?? 0);
  return { length, next: start + 1 + count };
}

function decodeLevel(bytes: Uint8Array, depth: number, base: number): BerTlv[] {
  if (depth > MAX_DEPTH) throw malformed(`nested deeper than ${MAX_DEPTH}`, base);
  const out: BerTlv[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const b = bytes[offset] ?? 0;
    if (b === 0x00 || b === 0xff) {
      offset++;
      continue;
    }
    const start = offset;
    const { tag, next } = readTag(bytes, offset);
    const { length, next: valueStart } = readLength(bytes, next);
    if (valueStart + length > bytes.length) {
      throw malformed(`tag ${tag.toString(16).toUpperCase()} declares ${length} bytes, ${bytes.length - valueStart} remain`, base + start);
    }
    const value = bytes.slice(valueStart, valueStart + length);
    const constructed = (b & 0x20) !== 0;
    out.push({ tag, constructed, value, children: constructed ? decodeLevel(value, depth + 1, base + valueStart) : [] });
    offset = valueStart + length;
  }
  return out;
}

export function decodeBerTlv(bytes: Uint8Array): BerTlv[] {
  return decodeLevel(bytes, 0, 0);
}

function tagBytes(tag: number): number[] {
  if (!Number.isInteger(tag) || tag <= 0 || tag > 0xffffff) throw new RangeError(`BER tag ${tag}`);
  if (tag > 0xffff) return [tag >> 16, (tag >> 8) & 0xff, tag & 0xff];
  if (tag > 0xff) return [tag >> 8, tag & 0xff];
  return [tag];
}

export function encodeBerLength(length: number): number[] {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffff) throw new RangeError(`BER length ${length}`);
  if (length < 0x80) return [length];
  if (length <= 0xff) return [0x81, length];
  if (length <= 0xffff) return [0x82, length >> 8, length & 0xff];
  return [0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
}

export function encodeBerTlv(tag: number, value: Uint8Array): Uint8Array {
  const head = [...tagBytes(tag), ...encodeBerLength(value.length)];
  const out = new Uint8Array(head.length + value.length);
  out.set(head);
  out.set(value, head.length);
  return out;
}

/** The first object reached by following `path` (tags, outermost first), or undefined. */
export function findBerTlv(nodes: readonly BerTlv[], path: readonly number[]): BerTlv | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  for (const node of nodes) {
    if (node.tag !== head) continue;
    if (rest.length === 0) return node;
    const found = findBerTlv(node.children, rest);
    if (found) return found;
  }
  return undefined;
}

/** Every primitive object under `nodes`, depth first; the first of a repeated tag wins. */
export function flattenBerTlv(nodes: readonly BerTlv[], into = new Map<number, Uint8Array>()): Map<number, Uint8Array> {
  for (const node of nodes) {
    if (node.constructed) flattenBerTlv(node.children, into);
    else if (!into.has(node.tag)) into.set(node.tag, node.value);
  }
  return into;
}

/** A data object list entry (Book 3 §5.4): a tag and the length the card wants for it. */
export interface DolEntry {
  readonly tag: number;
  readonly length: number;
}

export function decodeDol(bytes: Uint8Array): DolEntry[] {
  const out: DolEntry[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const { tag, next } = readTag(bytes, offset);
    const { length, next: after } = readLength(bytes, next);
    out.push({ tag, length });
    offset = after;
  }
  return out;
}
