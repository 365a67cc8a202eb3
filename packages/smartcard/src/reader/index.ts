export type {
  ReaderBackend, ReaderStatus, CardConnection, ConnectOptions, ReaderFeatures, ShareMode, Protocol, Disposition,
} from './types.js';
export { sameReaderStatus } from './types.js';
export { CardSession } from './session.js';
export { VirtualReaderBackend, type VirtualCard } from './virtual-backend.js';
