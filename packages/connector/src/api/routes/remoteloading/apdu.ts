import { MAX_EXTENDED_APDU, MAX_SHORT_APDU } from '../../../ipc/index.js';
import { T1CError } from '../../errors.js';

const HEX = /^(?:[0-9A-Fa-f]{2})+$/;

/** Hex as bytes, or the T1C error naming the field (never its value: it may hold a PIN). */
export function hexBytes(text: string, what: string): Uint8Array {
  if (!HEX.test(text)) throw new T1CError('APDU_INVALID', `${what} is not hex (two digits per byte)`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** VERIFY (both INS), CHANGE REFERENCE DATA, RESET RETRY COUNTER (ISO 7816-4 §11.5). */
const PIN_INSTRUCTIONS: ReadonlySet<number> = new Set([0x20, 0x21, 0x24, 0x2c]);

/**
 * A command that tries a PIN (or PUK): one of the reference-data instructions with data. A
 * VERIFY without data only asks how many tries are left and spends none.
 */
export function carriesPinAttempt(apdu: Uint8Array): boolean {
  return PIN_INSTRUCTIONS.has(apdu[1] ?? 0) && apdu.length > 5;
}

/** True when the bytes are one of ISO 7816-4's seven command cases (§5.1). */
function wellFormed(apdu: Uint8Array): boolean {
  const n = apdu.length;
  if (n === 4 || n === 5) return true;
  const b4 = apdu[4] ?? 0;
  if (b4 !== 0) return n === 5 + b4 || n === 6 + b4;
  if (n === 7) return true;
  const lc = ((apdu[5] ?? 0) << 8) | (apdu[6] ?? 0);
  return lc !== 0 && (n === 7 + lc || n === 9 + lc);
}

/** A command APDU given as hex, checked for form and size before it goes near the card. */
export function commandFromHex(text: string): Uint8Array {
  if (text.length > 2 * MAX_EXTENDED_APDU) throw new T1CError('APDU_TOO_LONG');
  const apdu = hexBytes(text, 'The command');
  if (apdu.length < 4) throw new T1CError('APDU_INVALID', 'A command APDU has at least the four header bytes');
  if (!wellFormed(apdu)) {
    // Past the short limit and not a consistent extended APDU: too long for the short form.
    throw apdu.length > MAX_SHORT_APDU ? new T1CError('APDU_TOO_LONG') : new T1CError('APDU_INVALID');
  }
  return apdu;
}

export interface ApduFields {
  readonly cla: string;
  readonly ins: string;
  readonly p1: string;
  readonly p2: string;
  readonly data?: string | undefined;
  readonly le?: string | undefined;
}

function headerByte(text: string, name: string): number {
  const bytes = hexBytes(text, name);
  if (bytes.length !== 1) throw new T1CError('APDU_INVALID', `${name} must be one byte of hex`);
  return bytes[0] ?? 0;
}

/**
 * The SDK's `{cla, ins, p1, p2, data?, le?}` (hex strings) as command bytes: short form when
 * the data fit 255 bytes and Le is one byte, extended otherwise. Le "00" asks for 256 bytes
 * (short) or 65536 (two bytes "0000").
 */
export function commandFromFields(fields: ApduFields): Uint8Array {
  const header = [headerByte(fields.cla, 'cla'), headerByte(fields.ins, 'ins'), headerByte(fields.p1, 'p1'), headerByte(fields.p2, 'p2')];
  if (fields.data !== undefined && fields.data.length > 2 * 65_535) throw new T1CError('APDU_TOO_LONG');
  const data = fields.data === undefined || fields.data === '' ? new Uint8Array(0) : hexBytes(fields.data, 'data');
  const le = fields.le === undefined || fields.le === '' ? new Uint8Array(0) : hexBytes(fields.le, 'le');
  if (le.length > 2) throw new T1CError('APDU_INVALID', 'le must be one or two bytes of hex');
  const extended = data.length > 255 || le.length === 2;
  const out: number[] = [...header];
  if (!extended) {
    if (data.length > 0) out.push(data.length, ...data);
    out.push(...le);
  } else {
    if (data.length > 0) out.push(0, data.length >> 8, data.length & 0xff, ...data);
    if (le.length > 0) {
      if (data.length === 0) out.push(0);
      out.push(...(le.length === 2 ? le : [0, le[0] ?? 0]));
    }
  }
  if (out.length > MAX_EXTENDED_APDU) throw new T1CError('APDU_TOO_LONG');
  return Uint8Array.from(out);
}
