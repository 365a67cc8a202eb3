/**
 * Readers for fields of the CK_* structures koffi decodes into plain objects: CK_UTF8CHAR
 * arrays (blank-padded, not NUL-terminated), CK_VERSION, CK_FLAGS and CK_ULONG counters.
 */
export type CkStruct = Record<string, unknown>;

export function text(value: unknown): string {
  if (!(value instanceof Uint8Array)) return '';
  return Buffer.from(value).toString('utf8').replace(/[\s\0]+$/u, '');
}

export function version(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const { major, minor } = value as CkStruct;
  return `${String(major)}.${String(minor)}`;
}

/** CK_FLAGS fit in 32 bits; koffi gives a bigint only for values past 2^53. */
export function flags(value: unknown): number {
  return typeof value === 'bigint' ? Number(value & 0xffffffffn) : typeof value === 'number' ? value : 0;
}

export function flagSet<K extends string>(bits: number, table: Readonly<Record<K, number>>): Record<K, boolean> {
  const entries = (Object.keys(table) as K[]).map((name) => [name, ((bits & table[name]) >>> 0) === table[name] >>> 0] as const);
  return Object.fromEntries(entries) as Record<K, boolean>;
}

/** A CK_ULONG counter; CK_UNAVAILABLE_INFORMATION (all ones at the platform's width) becomes -1. */
export function counter(value: unknown, ulongBytes: number): number {
  const unavailable = ulongBytes === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  if (typeof value === 'bigint') return value === unavailable ? -1 : Number(value);
  if (typeof value === 'number') return BigInt(value) === unavailable ? -1 : value;
  return -1;
}
