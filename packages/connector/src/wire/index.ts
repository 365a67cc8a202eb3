export {
  toBiometric, toAddress, toPicture, toTokenInfo, toT1CCertificate, certificateOf,
  tokenBiometricDataSchema, tokenAddressDataSchema, tokenPictureDataSchema, t1cCertificateSchema, certificatesSchema, tokenInfoSchema,
  type TokenBiometricData, type TokenAddressData, type TokenPictureData, type TokenInfo, type T1CCertificate,
} from './beid.js';
export { jpegSize } from './jpeg-size.js';
export {
  emvApplicationsSchema, emvApplicationDataWireSchema, emvCertificateWireSchema, emvCertificatesSchema, emvCertListSchema,
  emvCertificateKeys, toEmvApplications, toEmvApplicationData, toEmvCertificate,
  type EmvApplications, type EmvApplicationDataWire, type EmvCertificateWire, type EmvCertificateKey,
} from './emv.js';
export {
  slotAsReader, toPkcs11TokenInfo, toPkcs11CertList, pkcs11ReaderSchema, pkcs11TokenInfoResponseSchema, pkcs11CertListSchema,
  pkcs11CertificateKinds, type Pkcs11Reader, type Pkcs11TokenInfoResponse, type Pkcs11CertList, type Pkcs11CertificateKind,
} from './pkcs11.js';
