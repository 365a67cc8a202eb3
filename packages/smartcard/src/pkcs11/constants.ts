import type { SmartCardErrorCode } from '../errors.js';

/** PKCS#11 v2.40 numbers this binding uses (OASIS pkcs11t.h). */
export const CKR_OK = 0x0;
export const CKR_BUFFER_TOO_SMALL = 0x150;

export const CKF_TOKEN_PRESENT = 0x1;
export const CKF_REMOVABLE_DEVICE = 0x2;
export const CKF_HW_SLOT = 0x4;
export const CKF_SERIAL_SESSION = 0x4;
export const CKF_PROTECTED_AUTHENTICATION_PATH = 0x100;
export const CKF_OS_LOCKING_OK = 0x2;

export const CKU_USER = 1;
export const CKU_CONTEXT_SPECIFIC = 2;

export const CKO_CERTIFICATE = 1;
export const CKO_PRIVATE_KEY = 3;
export const CKC_X_509 = 0;

export const CKA_CLASS = 0x0;
export const CKA_LABEL = 0x3;
export const CKA_VALUE = 0x11;
export const CKA_CERTIFICATE_TYPE = 0x80;
export const CKA_KEY_TYPE = 0x100;
export const CKA_ID = 0x102;
export const CKA_ALWAYS_AUTHENTICATE = 0x202;

export const CKK_RSA = 0x0;
export const CKK_EC = 0x3;

export const CKM_RSA_PKCS = 0x1;
export const CKM_RSA_PKCS_PSS = 0xd;
export const CKM_ECDSA = 0x1041;
export const CKM_SHA_1 = 0x220;
export const CKM_SHA256 = 0x250;
export const CKM_SHA384 = 0x260;
export const CKM_SHA512 = 0x270;
export const CKG_MGF1_SHA1 = 0x1;
export const CKG_MGF1_SHA256 = 0x2;
export const CKG_MGF1_SHA384 = 0x3;
export const CKG_MGF1_SHA512 = 0x4;

/** CK_TOKEN_INFO flags, named as T1C's PKCS11TokenInfo names them (t1c-api.md §2.3.3). */
export const TOKEN_FLAGS = {
  isRandomNumberGenerator: 0x1,
  isWriteProtected: 0x2,
  isLoginRequired: 0x4,
  isUserPinInitialized: 0x8,
  isRestoreKeyNotNeeded: 0x20,
  isClockOnToken: 0x40,
  isProtectedAuthenticationPath: 0x100,
  isDualCryptoOperations: 0x200,
  isTokenInitialized: 0x400,
  isSecondaryAuthentication: 0x800,
  isUserPinCountLow: 0x10000,
  isUserPinFinalTry: 0x20000,
  isUserPinLocked: 0x40000,
  isUserPinToBeChanged: 0x80000,
  isSoPinCountLow: 0x100000,
  isSoPinFinalTry: 0x200000,
  isSoPinLocked: 0x400000,
  isSoPinToBeChanged: 0x800000,
} as const;

/** CK_MECHANISM_INFO flags. */
export const MECHANISM_FLAGS = {
  isHardware: 0x1,
  isEncrypt: 0x100,
  isDecrypt: 0x200,
  isDigest: 0x400,
  isSign: 0x800,
  isSignRecover: 0x1000,
  isVerify: 0x2000,
  isVerifyRecover: 0x4000,
  isGenerate: 0x8000,
  isGenerateKeyPair: 0x10000,
  isWrap: 0x20000,
  isUnwrap: 0x40000,
  isDerive: 0x80000,
  isExtension: 0x80000000,
  isEcFp: 0x100000,
  isEcF2m: 0x200000,
  isEcParameters: 0x400000,
  isEcNamedCurve: 0x800000,
  isEcUncompress: 0x1000000,
  isEcCompress: 0x2000000,
} as const;

/** CK_RV values worth a name, with the error code a caller can act on. Unknown values become PKCS11_ERROR. */
export const ckrErrors: ReadonlyMap<number, readonly [string, SmartCardErrorCode]> = new Map([
  [0x1, ['CKR_CANCEL', 'PIN_CANCELLED']],
  [0x2, ['CKR_HOST_MEMORY', 'PKCS11_ERROR']],
  [0x3, ['CKR_SLOT_ID_INVALID', 'PKCS11_SLOT_UNKNOWN']],
  [0x5, ['CKR_GENERAL_ERROR', 'PKCS11_ERROR']],
  [0x6, ['CKR_FUNCTION_FAILED', 'PKCS11_ERROR']],
  [0x7, ['CKR_ARGUMENTS_BAD', 'PKCS11_ERROR']],
  [0x30, ['CKR_DEVICE_ERROR', 'PKCS11_ERROR']],
  [0x31, ['CKR_DEVICE_MEMORY', 'PKCS11_ERROR']],
  [0x32, ['CKR_DEVICE_REMOVED', 'PKCS11_TOKEN_ABSENT']],
  [0x21, ['CKR_DATA_LEN_RANGE', 'DIGEST_INVALID']],
  [0x20, ['CKR_DATA_INVALID', 'DIGEST_INVALID']],
  [0x50, ['CKR_FUNCTION_CANCELED', 'PIN_CANCELLED']],
  [0x54, ['CKR_FUNCTION_NOT_SUPPORTED', 'ALGORITHM_UNSUPPORTED']],
  [0x60, ['CKR_KEY_HANDLE_INVALID', 'PKCS11_KEY_NOT_FOUND']],
  [0x63, ['CKR_KEY_TYPE_INCONSISTENT', 'ALGORITHM_UNSUPPORTED']],
  [0x68, ['CKR_KEY_FUNCTION_NOT_PERMITTED', 'ALGORITHM_UNSUPPORTED']],
  [0x70, ['CKR_MECHANISM_INVALID', 'ALGORITHM_UNSUPPORTED']],
  [0x71, ['CKR_MECHANISM_PARAM_INVALID', 'ALGORITHM_UNSUPPORTED']],
  [0x82, ['CKR_OBJECT_HANDLE_INVALID', 'PKCS11_KEY_NOT_FOUND']],
  [0xa0, ['CKR_PIN_INCORRECT', 'PIN_INCORRECT']],
  [0xa1, ['CKR_PIN_INVALID', 'PIN_FORMAT']],
  [0xa2, ['CKR_PIN_LEN_RANGE', 'PIN_FORMAT']],
  [0xa3, ['CKR_PIN_EXPIRED', 'PIN_BLOCKED']],
  [0xa4, ['CKR_PIN_LOCKED', 'PIN_BLOCKED']],
  [0xb0, ['CKR_SESSION_CLOSED', 'PKCS11_TOKEN_ABSENT']],
  [0xb1, ['CKR_SESSION_COUNT', 'PKCS11_ERROR']],
  [0xb3, ['CKR_SESSION_HANDLE_INVALID', 'PKCS11_TOKEN_ABSENT']],
  [0xe0, ['CKR_TOKEN_NOT_PRESENT', 'PKCS11_TOKEN_ABSENT']],
  [0xe1, ['CKR_TOKEN_NOT_RECOGNIZED', 'PKCS11_TOKEN_ABSENT']],
  [0x101, ['CKR_USER_NOT_LOGGED_IN', 'PIN_REQUIRED']],
  [0x102, ['CKR_USER_PIN_NOT_INITIALIZED', 'PKCS11_ERROR']],
  [0x150, ['CKR_BUFFER_TOO_SMALL', 'PKCS11_ERROR']],
  [0x190, ['CKR_CRYPTOKI_NOT_INITIALIZED', 'PKCS11_ERROR']],
]);
