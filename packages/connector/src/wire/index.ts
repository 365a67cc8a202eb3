export {
  toBiometric, toAddress, toPicture, toTokenInfo, toT1CCertificate,
  type TokenBiometricData, type TokenAddressData, type TokenPictureData, type TokenInfo, type T1CCertificate,
} from './beid.js';
export { jpegSize } from './jpeg-size.js';
