/**
 * Every failure below the HTTP layer is a SmartCardError with a stable string code.
 * The connector maps these codes to T1C's six-digit codes in one place.
 */
export type SmartCardErrorCode =
  // codecs: the bytes do not follow the format
  | 'APDU_MALFORMED'
  | 'TLV_MALFORMED'
  | 'ATR_MALFORMED'
  | 'ASN1_MALFORMED'
  // PC/SC and reader environment
  | 'PCSC_NO_SERVICE'
  | 'PCSC_NO_READERS'
  | 'PCSC_UNKNOWN_READER'
  | 'PCSC_READER_UNAVAILABLE'
  | 'PCSC_NO_CARD'
  | 'PCSC_CARD_REMOVED'
  | 'PCSC_CARD_RESET'
  | 'PCSC_CARD_UNRESPONSIVE'
  | 'PCSC_SHARING_VIOLATION'
  | 'PCSC_TIMEOUT'
  | 'PCSC_CANCELLED'
  | 'PCSC_COMM_ERROR'
  | 'PCSC_NOT_TRANSACTED'
  | 'PCSC_UNSUPPORTED'
  | 'PCSC_INVALID_PARAMETER'
  | 'PCSC_LIBRARY_MISSING'
  | 'PCSC_ERROR'
  // card answers
  | 'CARD_UNKNOWN'
  | 'CARD_STATUS'
  | 'CARD_FILE_NOT_FOUND'
  | 'CARD_DATA_INVALID'
  | 'PIN_INCORRECT'
  | 'PIN_BLOCKED'
  | 'PIN_FORMAT'
  | 'PIN_CANCELLED'
  | 'PIN_TIMEOUT'
  | 'PIN_REQUIRED'
  | 'ALGORITHM_UNSUPPORTED'
  | 'DIGEST_INVALID'
  // PKCS#11 libraries and tokens
  | 'PKCS11_LIBRARY_REFUSED'
  | 'PKCS11_LIBRARY_MISSING'
  | 'PKCS11_SLOT_UNKNOWN'
  | 'PKCS11_TOKEN_ABSENT'
  | 'PKCS11_KEY_NOT_FOUND'
  | 'PKCS11_BUSY'
  | 'PKCS11_ERROR';

export class SmartCardError extends Error {
  override readonly name = 'SmartCardError';
  readonly code: SmartCardErrorCode;
  /** Extra facts a caller may need (tries left, status word, the failing PC/SC call). */
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(code: SmartCardErrorCode, message: string, details: Record<string, string | number | boolean> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export function isSmartCardError(value: unknown, code?: SmartCardErrorCode): value is SmartCardError {
  return value instanceof SmartCardError && (code === undefined || value.code === code);
}
