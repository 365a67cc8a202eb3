/**
 * How one API ↔ sandbox message travels: one JSON text over Node's IPC channel. Bytes travel as
 * `{"$b64": "..."}` so card files survive JSON unchanged.
 */
export const MAX_MESSAGE_CHARS = 4 * 1024 * 1024;

/** JSON.stringify with bytes as `{$b64}`. */
export function encodeMessage(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return { $b64: Buffer.from(v).toString('base64') };
    // Buffer.toJSON runs before the replacer sees it.
    if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return { $b64: Buffer.from((v as { data: number[] }).data).toString('base64') };
    }
    return v;
  });
}

/** JSON.parse that turns `{$b64}` back into Uint8Array; refuses oversized messages. */
export function decodeMessage(text: string): unknown {
  if (text.length > MAX_MESSAGE_CHARS) throw new RangeError('sandbox message too large');
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const b = (v as { $b64?: unknown }).$b64;
      if (keys.length === 1 && typeof b === 'string') return new Uint8Array(Buffer.from(b, 'base64'));
    }
    return v;
  });
}

/** Sets every byte array inside a decoded message to zero: arguments may hold a PIN. */
export function wipeBytes(value: unknown, depth = 0): void {
  if (depth > 8) return;
  if (value instanceof Uint8Array) {
    value.fill(0);
    return;
  }
  if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) wipeBytes(v, depth + 1);
}
