export {
  toBiometric, toAddress, toPicture, toTokenInfo, toT1CCertificate, certificateOf,
  type TokenBiometricData, type TokenAddressData, type TokenPictureData, type TokenInfo, type T1CCertificate,
} from './beid.js';
export { jpegSize } from './jpeg-size.js';
