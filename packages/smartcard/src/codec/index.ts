export { toHex, fromHex, concatBytes, bytesEqual, wipe } from './hex.js';
export {
  command, encodeCommand, parseCommand, parseResponse, encodeResponse,
  type CommandApdu, type ResponseApdu,
} from './apdu.js';
export { SW, isOk, bytesAvailable, correctLe, triesLeft, describeStatusWord } from './status-words.js';
export { decodeTlv, encodeTlv, encodeTlvLength, tlvMap, type TlvField } from './tlv.js';
export { parseAtr, atrPattern, atrMatches, type ParsedAtr, type AtrPattern } from './atr.js';
export {
  decodeBerTlv, encodeBerTlv, encodeBerLength, findBerTlv, flattenBerTlv, decodeDol, type BerTlv, type DolEntry,
} from './ber-tlv.js';
