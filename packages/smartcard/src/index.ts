export { SmartCardError, isSmartCardError, type SmartCardErrorCode } from './errors.js';
export { toHex, fromHex, concatBytes, bytesEqual, wipe } from './codec/hex.js';
export {
  command, encodeCommand, parseCommand, parseResponse, encodeResponse,
  type CommandApdu, type ResponseApdu,
} from './codec/apdu.js';
export { SW, isOk, bytesAvailable, correctLe, triesLeft, describeStatusWord } from './codec/status-words.js';
export { decodeTlv, encodeTlv, encodeTlvLength, tlvMap, type TlvField } from './codec/tlv.js';
export { parseAtr, atrPattern, atrMatches, type ParsedAtr, type AtrPattern } from './codec/atr.js';
export type {
  ReaderBackend, ReaderStatus, CardConnection, ConnectOptions, ReaderFeatures, ShareMode, Protocol, Disposition,
} from './reader/types.js';
export { sameReaderStatus } from './reader/types.js';
export { CardSession } from './reader/session.js';
export { VirtualReaderBackend, type VirtualCard } from './reader/virtual-backend.js';
export { PcscBackend } from './pcsc/pcsc-backend.js';
export { parseFeatures } from './pcsc/pcsc-connection.js';
export { controlCode } from './pcsc/native.js';
export { pcscError } from './pcsc/errors.js';
export {
  decodeBerTlv, encodeBerTlv, encodeBerLength, findBerTlv, flattenBerTlv, decodeDol, type BerTlv, type DolEntry,
} from './codec/ber-tlv.js';
