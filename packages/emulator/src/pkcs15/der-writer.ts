/**
 * The few DER encodings PKCS#15 directory files need (X.690 §8): definite lengths, single-byte
 * tags. Written for the emulator's card images, never for parsing.
 */
export type Der = Uint8Array;

function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

export function element(tag: number, ...content: readonly Der[]): Der {
  const body = content.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(1 + length(body).length + body);
  out.set([tag, ...length(body)]);
  let at = out.length - body;
  for (const part of content) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const sequence = (...content: readonly Der[]): Der => element(0x30, ...content);
export const context = (n: number, ...content: readonly Der[]): Der => element(0xa0 | n, ...content);
export const contextPrimitive = (n: number, value: Der): Der => element(0x80 | n, value);
export const octets = (value: Uint8Array): Der => element(0x04, value);
export const utf8 = (text: string): Der => element(0x0c, new TextEncoder().encode(text));
export const boolean = (value: boolean): Der => element(0x01, Uint8Array.of(value ? 0xff : 0x00));

/** Minimal two's-complement content of a non-negative integer. */
export function integerContent(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return Uint8Array.from(bytes);
}

export const integer = (value: number): Der => element(0x02, integerContent(value));
export const enumerated = (value: number): Der => element(0x0a, integerContent(value));

/**
 * A named-bit BIT STRING from the numbers of its set bits (bit 0 is the most significant bit
 * of the first byte), trailing zero bits dropped as DER asks (X.690 §11.2.2).
 */
export function bits(...set: readonly number[]): Der {
  if (set.length === 0) return element(0x03, Uint8Array.of(0));
  const highest = Math.max(...set);
  const content = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of set) content[Math.floor(bit / 8)] = (content[Math.floor(bit / 8)] ?? 0) | (0x80 >> (bit % 8));
  return element(0x03, Uint8Array.of(7 - (highest % 8)), content);
}
