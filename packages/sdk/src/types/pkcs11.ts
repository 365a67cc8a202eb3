import type { CertificateList, DigestAlgorithm, PinOptions, SignOptions } from './beid.js';

/** Library path per OS, as T1C's `pkcs11/config` carries it (t1c-api.md §2.6). */
export interface Pkcs11Config {
  macos: string;
  win: string;
  linux: string;
}

type FlagNames =
  | 'isRandomNumberGenerator' | 'isWriteProtected' | 'isLoginRequired' | 'isUserPinInitialized' | 'isRestoreKeyNotNeeded'
  | 'isClockOnToken' | 'isProtectedAuthenticationPath' | 'isDualCryptoOperations' | 'isTokenInitialized'
  | 'isSecondaryAuthentication' | 'isUserPinCountLow' | 'isUserPinFinalTry' | 'isUserPinLocked' | 'isUserPinToBeChanged'
  | 'isSoPinCountLow' | 'isSoPinFinalTry' | 'isSoPinLocked' | 'isSoPinToBeChanged';

export interface Pkcs11Mechanism {
  /** `CKM_…` name, or the number in hex. */
  mechanism: string;
  flags: Record<string, boolean>;
  ulMinKeySize: number;
  ulMaxKeySize: number;
}

/** CK_TOKEN_INFO in T1C's PKCS11TokenInfo names (t1c-api.md §2.3.3); unreported counters are -1. */
export interface Pkcs11TokenInfo {
  slot: number;
  label: string;
  manufacturerId: string;
  model: string;
  serialNumber: string;
  flags: Record<FlagNames, boolean>;
  mechanisms: Pkcs11Mechanism[];
  ulMaxSessionCount: number;
  ulSessionCount: number;
  ulMaxRwSessionCount: number;
  ulRwSessionCount: number;
  ulMaxPinLen: number;
  ulMinPinLen: number;
  ulTotalPublicMemory: number;
  ulFreePublicMemory: number;
  ulTotalPrivateMemory: number;
  ulFreePrivateMemory: number;
  hardwareVersion: string;
  firmwareVersion: string;
}

export interface Pkcs11TokenInfoResponse {
  info: Pkcs11TokenInfo;
  infoType: 'PKCS11';
  module: { name: 'pkcs11'; isHashedByToken: boolean };
}

/** `cert-list`: each kind as `{certificates: […]}`; `id` is the CKA_ID (hex) that names the key. */
export interface Pkcs11Certificates {
  authenticationCertificate?: CertificateList;
  nonRepudiationCertificate?: CertificateList;
  /** Self-signed CA certificates the token holds. */
  rootCertificate?: CertificateList;
  /** Other CA certificates the token holds. */
  intermediateCertificates?: CertificateList;
}

/**
 * Leave `pin` out for a token whose slot is listed with `pinpad: true` (a PIN pad reader, a
 * token with its own keypad or biometrics: PKCS#11's protected authentication path): the user
 * authenticates on the token. There a `pin` is not used either; the pad always asks.
 */
export type Pkcs11PinOptions = PinOptions;

/** As Pkcs11PinOptions: no `pin` on a `pinpad: true` slot. */
export interface Pkcs11SignOptions extends SignOptions {
  algorithm: DigestAlgorithm | (string & {});
  /** CKA_ID (hex) of the certificate whose key signs; default the first of the usage. */
  id?: string;
}

export interface ValidateSignatureOptions {
  algorithm: DigestAlgorithm | (string & {});
  /** Base64 digest that was signed. */
  hash: string;
  /** Base64 signature. */
  signedHash: string;
  /** CKA_ID (hex) of the certificate to check against; default the non-repudiation one. */
  id?: string;
}
