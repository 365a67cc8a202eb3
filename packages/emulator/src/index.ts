export { BeidVirtualCard, type BeidVirtualCardOptions, type FaultHook } from './beid/beid-virtual-card.js';
export { SPECIMEN_HOLDER, type HolderData, type HolderAddress } from './beid/holder-data.js';
export { parseHolderData, describeHolderDataFormat, nationalNumberIsValid } from './beid/holder-data-format.js';
export { buildIdentityFile, buildAddressFile, ADDRESS_FILE_SIZE } from './beid/identity-file.js';
export { decodePinBlock } from './beid/pin-state.js';
export type { BeidTestPki } from './pki/test-pki.js';
export { attachToVpcd, type VpcdLink, type VpcdOptions } from './vpcd/vpcd-link.js';
export { encodeFrame, FrameReader, VpcdControl } from './vpcd/frames.js';
export { startPcscd, type PcscdHarness, type PcscdOptions, type PcscdReader } from './testing/pcscd.js';
export {
  EmvVirtualCard, type EmvVirtualCardOptions, type EmvFaultHook, type EmvTestCertificationAuthority, type EmvExchange,
} from './emv/emv-virtual-card.js';
export { NO_DIRECTORY_APPLICATIONS, SPECIMEN_APPLICATIONS, type EmvApplicationProfile } from './emv/emv-profile.js';
