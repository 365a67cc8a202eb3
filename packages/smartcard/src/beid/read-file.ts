import { command } from '../codec/apdu.js';
import { derSizeFromPrefix } from '../codec/der.js';
import { concatBytes, fromHex } from '../codec/hex.js';
import { describeStatusWord, SW } from '../codec/status-words.js';
import { SmartCardError } from '../errors.js';
import type { CardSession } from '../reader/session.js';

/** Le for READ BINARY: the card is T=0 only, so 256 (sent as 00) is the most one APDU returns. */
const BLOCK = 256;
/** The biggest EF on the card (photo, certificates with padding) is a few KB; refuse runaway reads. */
const MAX_FILE = 32 * 1024;

export type LengthOracle = (firstBlock: Uint8Array) => number | undefined;

/** Certificates are DER followed by zero padding: the DER header says where to stop. */
export const derLength: LengthOracle = (first) => derSizeFromPrefix(first);

/** The card's few file paths, decoded once instead of for every SELECT. */
const pathBytes = new Map<string, Uint8Array>();

function pathOf(path: string): Uint8Array {
  let bytes = pathBytes.get(path);
  if (!bytes) {
    bytes = fromHex(path);
    if (pathBytes.size < 64) pathBytes.set(path, bytes);
  }
  return bytes;
}

export async function selectFile(session: CardSession, path: string): Promise<void> {
  const { sw } = await session.transmit(command(0x00, 0xa4, 0x08, 0x0c, pathOf(path)));
  if (sw === SW.OK) return;
  if (sw === SW.FILE_NOT_FOUND) throw new SmartCardError('CARD_FILE_NOT_FOUND', `file ${path} not found`, { sw });
  throw new SmartCardError('CARD_STATUS', `SELECT ${path}: ${describeStatusWord(sw)}`, { sw });
}

/**
 * SELECT by path, then READ BINARY in 256-byte blocks until a short block or 6B00. When an
 * oracle tells the size from the first block, the last read asks for exactly what is left and
 * padding is never read; a file known never to exceed `maxSize` ends there without a 6B00 probe.
 */
export async function readFile(session: CardSession, path: string, oracle?: LengthOracle, maxSize = MAX_FILE): Promise<Uint8Array> {
  await selectFile(session, path);
  const blocks: Uint8Array[] = [];
  let offset = 0;
  let size: number | undefined;
  while (offset < maxSize) {
    const want = size === undefined ? BLOCK : Math.min(BLOCK, size - offset);
    if (want <= 0) break;
    const { data, sw } = await session.transmit(command(0x00, 0xb0, offset >> 8, offset & 0xff, new Uint8Array(0), want));
    if (sw === SW.WRONG_P1P2 && offset > 0) break;
    if (sw !== SW.OK) throw new SmartCardError('CARD_STATUS', `READ BINARY ${path} at ${offset}: ${describeStatusWord(sw)}`, { sw });
    blocks.push(data);
    offset += data.length;
    if (offset === data.length && oracle) size = oracle(data);
    if (data.length < want || data.length === 0) break;
  }
  const file = concatBytes(...blocks);
  return size !== undefined && size < file.length ? file.slice(0, size) : file;
}
