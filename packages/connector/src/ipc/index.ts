// The API ↔ sandbox contract: imported by both processes, so it depends on zod only.
export { CONTRACT, lookupOp, type ModuleName, type OpName, type OpArgs, type OpResult, type OpTargetOf } from './contract.js';
export { CARD_MODULES, CARD_MODULE_NAMES, isCardModuleName, type CardModuleName } from './modules.js';
export { defineOp, bytes, pinInputSchema, noArgs, type OpSpec, type OpTarget, type PinInput } from './op.js';
export { CORE_OPS, readerInfoSchema, readersResultSchema, atrEntrySchema, type ReaderInfo, type AtrEntry } from './core.js';
export {
  BEID_OPS, beidReadoutSchema, beidCertificateNames, beidSigningKeys, digestAlgorithms,
  type BeidReadout, type BeidCertificateName, type BeidSigningKey, type DigestAlgorithm,
} from './beid.js';
export {
  EMV_OPS, aidSchema, emvApplicationSchema, emvApplicationDataSchema, emvCertificateSchema,
  type EmvApplication, type EmvApplicationData, type EmvCertificate,
} from './emv.js';
export {
  PKCS11_OPS, pkcs11SlotSchema, pkcs11TokenInfoSchema, pkcs11CertificateSchema, pkcs11DigestAlgorithms,
  type Pkcs11SlotInfo, type Pkcs11TokenInfoData, type Pkcs11CertificateData,
} from './pkcs11.js';
export {
  REMOTELOADING_OPS, MAX_EXTENDED_APDU, MAX_SHORT_APDU, MAX_APDUS_PER_CALL, MAX_REMOTE_SESSIONS, MAX_SESSION_TIMEOUT_S,
  DEFAULT_SESSION_TIMEOUT_S, sessionIdSchema, ccidFeatureNames, type CcidFeatureName, type RemoteExchange,
} from './remoteloading.js';
export {
  requestSchema, requestIdSchema, responseSchema, readySchema, errorSchema, pcscStateSchema, contractError,
  type SandboxRequest, type SandboxResponse, type ErrorBody, type PcscState,
} from './envelope.js';
export {
  CARD_ERROR_CODES, CONTRACT_ERROR_CODES, SandboxError, isSandboxErrorCode,
  type CardErrorCode, type ContractErrorCode, type SandboxErrorCode,
} from './errors.js';
export { IPC_SERIALIZATION, wipeBytes } from './message.js';
