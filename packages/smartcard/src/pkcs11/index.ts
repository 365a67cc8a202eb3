export { Pkcs11Module, type Pkcs11OpenOptions } from './pkcs11-module.js';
export { Pkcs11Libraries } from './library-cache.js';
export {
  checkLibraryPath, knownLibraryDirectories, currentOs, type Pkcs11Os,
} from './library-path.js';
export type {
  Pkcs11LibraryInfo, Pkcs11Slot, Pkcs11TokenInfo, Pkcs11Mechanism, Pkcs11Certificate, CertificateUsage, KeyType,
  DigestName, Pkcs11SignRequest, Pkcs11Signature, Pkcs11Pin,
} from './types.js';
export { PROTECTED_AUTHENTICATION_PATH } from './types.js';
