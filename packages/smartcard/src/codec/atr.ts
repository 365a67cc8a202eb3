import { SmartCardError } from '../errors.js';
import { fromHex, toHex } from './hex.js';

/** An Answer-To-Reset split into its ISO 7816-3 parts. */
export interface ParsedAtr {
  readonly ts: number;
  readonly t0: number;
  /** TA1, TB1, TC1, TD1, TA2, … in order, keyed by name. */
  readonly interfaceBytes: Readonly<Record<string, number>>;
  readonly protocols: readonly number[];
  readonly historicalBytes: Uint8Array;
  readonly tck: number | undefined;
}

function malformed(reason: string, atr: Uint8Array): SmartCardError {
  return new SmartCardError('ATR_MALFORMED', `malformed ATR: ${reason}`, { atr: toHex(atr.subarray(0, 33)) });
}

export function parseAtr(atr: Uint8Array): ParsedAtr {
  if (atr.length < 2 || atr.length > 33) throw malformed(`length ${atr.length}`, atr);
  const ts = atr[0] ?? 0;
  if (ts !== 0x3b && ts !== 0x3f) throw malformed(`TS ${ts.toString(16)}`, atr);
  const t0 = atr[1] ?? 0;
  const interfaceBytes: Record<string, number> = {};
  const protocols: number[] = [];
  let y = t0 >> 4;
  let offset = 2;
  for (let i = 1; ; i++) {
    for (const [bit, name] of [[1, 'A'], [2, 'B'], [4, 'C'], [8, 'D']] as const) {
      if ((y & bit) === 0) continue;
      if (offset >= atr.length) throw malformed(`T${name}${i} missing`, atr);
      interfaceBytes[`T${name}${i}`] = atr[offset++] ?? 0;
    }
    const td = interfaceBytes[`TD${i}`];
    if (td === undefined || (y & 8) === 0) break;
    protocols.push(td & 0x0f);
    y = td >> 4;
  }
  if (protocols.length === 0) protocols.push(0);
  const k = t0 & 0x0f;
  if (offset + k > atr.length) throw malformed(`${k} historical bytes announced, ${atr.length - offset} present`, atr);
  const historicalBytes = atr.slice(offset, offset + k);
  offset += k;
  const needsTck = protocols.some((p) => p !== 0);
  let tck: number | undefined;
  if (needsTck) {
    if (offset >= atr.length) throw malformed('TCK missing', atr);
    tck = atr[offset++];
    let x = 0;
    for (let i = 1; i < offset; i++) x ^= atr[i] ?? 0;
    if (x !== 0) throw malformed('TCK check failed', atr);
  }
  if (offset !== atr.length) throw malformed(`${atr.length - offset} trailing bytes`, atr);
  return { ts, t0, interfaceBytes, protocols: [...new Set(protocols)], historicalBytes, tck };
}

/** An ATR pattern: bytes to compare under a mask (all FF = exact). */
export interface AtrPattern {
  readonly atr: Uint8Array;
  readonly mask: Uint8Array;
}

export function atrPattern(atrHex: string, maskHex?: string): AtrPattern {
  const atr = fromHex(atrHex);
  const mask = maskHex === undefined ? new Uint8Array(atr.length).fill(0xff) : fromHex(maskHex);
  if (mask.length !== atr.length) throw new RangeError('ATR pattern and mask differ in length');
  return { atr, mask };
}

export function atrMatches(atr: Uint8Array, pattern: AtrPattern): boolean {
  if (atr.length !== pattern.atr.length) return false;
  for (let i = 0; i < atr.length; i++) {
    const m = pattern.mask[i] ?? 0;
    if (((atr[i] ?? 0) & m) !== ((pattern.atr[i] ?? 0) & m)) return false;
  }
  return true;
}
