/**
 * How one API ↔ sandbox message travels: a plain object over Node's IPC channel in its
 * `advanced` mode (the structured clone algorithm), so card bytes cross as Uint8Array, copied
 * once, with no text encoding either way. Both ends still check every message against the
 * contract's schemas; only plain data (objects, arrays, strings, numbers, booleans, null,
 * Uint8Array) is ever sent.
 */
export const IPC_SERIALIZATION = 'advanced';

/** Sets every byte array inside a received message to zero: arguments may hold a PIN. */
export function wipeBytes(value: unknown, depth = 0): void {
  if (depth > 8) return;
  if (value instanceof Uint8Array) {
    value.fill(0);
    return;
  }
  if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) wipeBytes(v, depth + 1);
}
