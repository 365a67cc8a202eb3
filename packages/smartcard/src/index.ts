// Codecs, errors and the reader interface: nothing here loads the PC/SC binding (that is
// `@t1c/smartcard/pcsc`), so a process may import this without koffi.
export { SmartCardError, isSmartCardError, type SmartCardErrorCode } from './errors.js';
export * from './codec/index.js';
export * from './reader/index.js';
