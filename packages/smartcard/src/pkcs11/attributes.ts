import { UlongArray } from './native.js';

/**
 * CK_ATTRIBUTE templates as koffi marshals them: pValue points straight into a typed array the
 * library reads or fills. CK_ULONG values take the platform's width.
 */
export interface AttributeEntry {
  type: number;
  pValue: Uint8Array | BigUint64Array | Uint32Array | null;
  ulValueLen: number | bigint;
}

export function ulongAttribute(width: number, type: number, value: number): AttributeEntry {
  const cell = new UlongArray(width, 1);
  cell.set(0, value);
  return { type, pValue: cell.raw, ulValueLen: width };
}

export function bytesAttribute(type: number, value: Uint8Array): AttributeEntry {
  return { type, pValue: value, ulValueLen: value.length };
}

export function emptyAttribute(type: number): AttributeEntry {
  return { type, pValue: null, ulValueLen: 0 };
}

/** ulValueLen after C_GetAttributeValue: CK_UNAVAILABLE_INFORMATION (all ones) means the attribute is absent. */
export function attributeLength(entry: AttributeEntry, width: number): number | undefined {
  const length = BigInt(entry.ulValueLen);
  const unavailable = width === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  return length === unavailable ? undefined : Number(length);
}

/** Every platform koffi ships for here (x64, arm64) is little-endian. */
export function readUlong(bytes: Uint8Array, width: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return width === 8 ? Number(view.getBigUint64(0, true)) : view.getUint32(0, true);
}

