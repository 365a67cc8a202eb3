/**
 * Error codes that may cross from the sandbox to the API. The sandbox sends a card module's
 * code unchanged (its server checks, at compile time, that every card error code is listed
 * here); the API maps each one to a T1C error with an exhaustive table.
 */
export const CARD_ERROR_CODES = [
  // codecs: the bytes do not follow the format
  'APDU_MALFORMED', 'TLV_MALFORMED', 'ATR_MALFORMED', 'ASN1_MALFORMED',
  // PC/SC and reader environment
  'PCSC_NO_SERVICE', 'PCSC_NO_READERS', 'PCSC_UNKNOWN_READER', 'PCSC_READER_UNAVAILABLE', 'PCSC_NO_CARD',
  'PCSC_CARD_REMOVED', 'PCSC_CARD_RESET', 'PCSC_CARD_UNRESPONSIVE', 'PCSC_SHARING_VIOLATION', 'PCSC_TIMEOUT',
  'PCSC_CANCELLED', 'PCSC_COMM_ERROR', 'PCSC_NOT_TRANSACTED', 'PCSC_UNSUPPORTED', 'PCSC_INVALID_PARAMETER',
  'PCSC_LIBRARY_MISSING', 'PCSC_ERROR',
  // card answers
  'CARD_UNKNOWN', 'CARD_STATUS', 'CARD_FILE_NOT_FOUND', 'CARD_DATA_INVALID',
  'PIN_INCORRECT', 'PIN_BLOCKED', 'PIN_FORMAT', 'PIN_CANCELLED', 'PIN_TIMEOUT', 'PIN_REQUIRED',
  'ALGORITHM_UNSUPPORTED', 'DIGEST_INVALID',
  // PKCS#11 libraries and tokens
  'PKCS11_LIBRARY_REFUSED', 'PKCS11_LIBRARY_MISSING', 'PKCS11_SLOT_UNKNOWN', 'PKCS11_TOKEN_ABSENT', 'PKCS11_KEY_NOT_FOUND', 'PKCS11_BUSY', 'PKCS11_ERROR',
] as const;
export type CardErrorCode = (typeof CARD_ERROR_CODES)[number];

/** Failures of the request itself, found by the sandbox before any card code runs. */
export const CONTRACT_ERROR_CODES = [
  'REQUEST_MALFORMED', 'MODULE_UNKNOWN', 'OP_UNKNOWN', 'ARGS_INVALID', 'READER_REQUIRED', 'SANDBOX_INTERNAL',
  // remote loading: the session named is not held (closed, timed out, sandbox restarted), or too many are
  'SESSION_UNKNOWN', 'SESSION_LIMIT',
] as const;
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number];

export type SandboxErrorCode = CardErrorCode | ContractErrorCode;
const ALL: ReadonlySet<string> = new Set<string>([...CARD_ERROR_CODES, ...CONTRACT_ERROR_CODES]);

export function isSandboxErrorCode(code: string): code is SandboxErrorCode {
  return ALL.has(code);
}

/** A failure the sandbox reported, as the API process holds it: code, safe message, safe details. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number | boolean>> = {},
  ) {
    super(message);
  }
}
