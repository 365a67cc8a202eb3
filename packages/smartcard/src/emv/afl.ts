import { SmartCardError } from '../errors.js';

/** One Application File Locator entry (Book 3 §10.2). */
export interface AflEntry {
  readonly sfi: number;
  readonly first: number;
  readonly last: number;
  /** How many records from `first` take part in offline data authentication. */
  readonly odaRecords: number;
}

export function parseAfl(afl: Uint8Array): AflEntry[] {
  if (afl.length === 0 || afl.length % 4 !== 0) {
    throw new SmartCardError('CARD_DATA_INVALID', `the AFL is ${afl.length} bytes, not a multiple of 4`);
  }
  const out: AflEntry[] = [];
  for (let i = 0; i < afl.length; i += 4) {
    const sfi = (afl[i] ?? 0) >> 3;
    const first = afl[i + 1] ?? 0;
    const last = afl[i + 2] ?? 0;
    const odaRecords = afl[i + 3] ?? 0;
    // Book 3 §10.2: SFI 1..30, first record ≥ 1, last ≥ first, ODA count within the range.
    if (sfi < 1 || sfi > 30 || first < 1 || last < first || odaRecords > last - first + 1) {
      throw new SmartCardError('CARD_DATA_INVALID', `AFL entry ${i / 4 + 1} is invalid`);
    }
    out.push({ sfi, first, last, odaRecords });
  }
  return out;
}
