import { bytesEqual, SW, toHex } from '@t1c/smartcard/codec';
import { BELPIC_APPLET_AID, BELPIC_DF_AID, ID_DF_AID } from './card-spec.js';
import { answer, status, type CommandHandler } from './card-context.js';
import { CARD_DATA_LENGTH, cardData, EXTENDED_CARD_DATA_LENGTH } from './card-data.js';

/** Largest answer a short T=0 Le can ask for. */
const MAX_SHORT_LE = 256;

/** SELECT FILE: P1 02 FID, 04 AID, 08 path; P2 00 or 0C; no FCI is ever returned (beid-card.md §3.1). */
export const select: CommandHandler = (card, { p1, p2, data }) => {
  if (p2 !== 0x00 && p2 !== 0x0c) return status(SW.INCORRECT_P1P2);
  let found: boolean;
  switch (p1) {
    case 0x02:
      if (data.length !== 2) return status(SW.LC_INCONSISTENT);
      found = card.fs.selectFid(toHex(data));
      break;
    case 0x08:
      if (data.length === 0 || data.length % 2 !== 0) return status(SW.LC_INCONSISTENT);
      found = card.fs.selectPath(toHex(data));
      break;
    case 0x04:
      if (data.length < 5 || data.length > 16) return status(SW.LC_INCONSISTENT);
      if (bytesEqual(data, BELPIC_APPLET_AID)) {
        card.fs.reset();
        found = true;
      } else if (bytesEqual(data, BELPIC_DF_AID)) {
        found = card.fs.selectDirectory('3F00DF00');
      } else if (bytesEqual(data, ID_DF_AID)) {
        found = card.fs.selectDirectory('3F00DF01');
      } else {
        found = false;
      }
      break;
    default:
      return status(SW.INCORRECT_P1P2);
  }
  return status(found ? SW.OK : SW.FILE_NOT_FOUND);
};

/** READ BINARY: 6B00 past the end, 6Cxx when Le asks for more than is left; no Le means 256 (T=0 P3 = 00). */
export const readBinary: CommandHandler = (card, { p1, p2, data, ne }) => {
  if (data.length > 0) return status(SW.WRONG_LENGTH);
  if (ne > MAX_SHORT_LE) return status(SW.WRONG_LENGTH);
  if ((p1 & 0x80) !== 0) return status(SW.WRONG_P1P2);
  const file = card.fs.selectedFile;
  if (!file) return status(SW.NO_CURRENT_EF);
  const offset = (p1 << 8) | p2;
  if (offset >= file.length) return status(SW.WRONG_P1P2);
  const wanted = ne === 0 ? MAX_SHORT_LE : ne;
  const rest = file.length - offset;
  if (wanted > rest) return status(0x6c00 | rest);
  return answer(file.subarray(offset, offset + wanted));
};

/** GET RESPONSE: hands out what a case-4 command left, in Le-sized pieces. */
export const getResponse: CommandHandler = (card, { p1, p2, data, ne }) => {
  if (p1 !== 0 || p2 !== 0) return status(SW.INCORRECT_P1P2);
  if (data.length > 0 || ne > MAX_SHORT_LE) return status(SW.WRONG_LENGTH);
  const pending = card.pending;
  if (!pending) return status(SW.CONDITIONS_NOT_SATISFIED);
  const wanted = ne === 0 ? MAX_SHORT_LE : ne;
  if (wanted > pending.length) return status(0x6c00 | pending.length);
  const rest = pending.subarray(wanted);
  if (rest.length === 0) {
    card.pending = undefined;
    return answer(pending);
  }
  const part = answer(pending.subarray(0, wanted), 0x6100 | (rest.length & 0xff));
  card.pending = rest;
  return part;
};

/** GET CARD DATA: P2 00 (28 bytes) everywhere, P2 01 (31 bytes, PIN tries) on 1.8 only; exact Le or 6Cxx. */
export const getCardData: CommandHandler = (card, { p1, p2, data, ne }) => {
  if (data.length > 0) return status(SW.WRONG_LENGTH);
  const extended = p2 === 0x01 && card.applet === '1.8';
  if (p1 !== 0 || (p2 !== 0x00 && !extended)) return status(SW.WRONG_P1P2);
  const length = extended ? EXTENDED_CARD_DATA_LENGTH : CARD_DATA_LENGTH;
  if (ne !== length) return status(0x6c00 | length);
  return answer(cardData(card.applet, card.image.chipNumber, extended, card.pin.triesLeft));
};
