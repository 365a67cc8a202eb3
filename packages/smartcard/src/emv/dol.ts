import { decodeDol, type DolEntry } from '../codec/ber-tlv.js';

/**
 * What this terminal answers to a PDOL (Book 3 §5.4, Book 4 §6.5): the values a read-only
 * reader can honestly give; anything else is zero-filled, as Book 3 §5.4 prescribes for data
 * the terminal does not have.
 */
export interface TerminalData {
  /** ISO 3166 numeric, 3 digits. */
  readonly countryCode: string;
  /** ISO 4217 numeric, 3 digits. */
  readonly currencyCode: string;
  readonly date: Date;
  readonly unpredictableNumber: Uint8Array;
}

function bcd(digits: string, bytes: number): Uint8Array {
  const padded = digits.padStart(bytes * 2, '0');
  return Uint8Array.from(Buffer.from(padded.slice(-bytes * 2), 'hex'));
}

function yymmdd(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return two(date.getUTCFullYear() % 100) + two(date.getUTCMonth() + 1) + two(date.getUTCDate());
}

function terminalValue(tag: number, data: TerminalData): Uint8Array | undefined {
  switch (tag) {
    case 0x9f1a: return bcd(data.countryCode, 2); // terminal country code
    case 0x5f2a: return bcd(data.currencyCode, 2); // transaction currency code
    case 0x9a: return bcd(yymmdd(data.date), 3); // transaction date
    case 0x9c: return Uint8Array.of(0x00); // transaction type: goods and services
    case 0x9f37: return data.unpredictableNumber;
    case 0x9f35: return Uint8Array.of(0x22); // terminal type: attended, offline with online capability
    case 0x9f66: return Uint8Array.of(0x26, 0x00, 0x00, 0x00); // contactless TTQ: EMV mode, offline only
    default: return undefined;
  }
}

/**
 * Book 3 §5.4: each value cut or padded to the length the card asked for (numeric values
 * keep their rightmost bytes, others their leftmost), unknown ones zero-filled.
 */
export function answerDol(entries: readonly DolEntry[], data: TerminalData): Uint8Array {
  const out = new Uint8Array(entries.reduce((n, e) => n + e.length, 0));
  let at = 0;
  for (const { tag, length } of entries) {
    const value = terminalValue(tag, data);
    if (value) {
      const numeric = tag === 0x9f1a || tag === 0x5f2a || tag === 0x9a;
      const part = value.length > length ? (numeric ? value.slice(value.length - length) : value.slice(0, length)) : value;
      out.set(part, numeric ? at + length - part.length : at);
    }
    at += length;
  }
  return out;
}

export function pdolEntries(pdol: Uint8Array | undefined): DolEntry[] {
  return pdol ? decodeDol(pdol) : [];
}
