import { isCardModuleName, SandboxError, type SandboxErrorCode } from '../ipc/index.js';

/**
 * The one error catalogue of the local API. Codes follow T1C's six-digit `OTTDDD` scheme
 * (t1c-api.md §3): O origin (1 general, 3 certificate, 6 identity, 7 reader), TT type
 * (01 reader, 02 card, 04 security, 06 input, 08 PIN, 12 system, 13 I/O). HTTP 401 is kept for
 * JWT failures and 404 for unknown routes: the SDK throws the body away for both.
 */
export const CATALOGUE = {
  INVALID_INPUT: { code: '106001', status: 400, description: 'The request is malformed' },
  BODY_TOO_LARGE: { code: '106002', status: 413, description: 'The request body is too large' },
  INVALID_DIGEST_ENCODING: { code: '106003', status: 400, description: 'The data is not valid base64' },
  DIGEST_INVALID: { code: '106004', status: 400, description: 'The digest length does not match the algorithm' },
  ALGORITHM_UNSUPPORTED: { code: '106005', status: 400, description: 'The algorithm is not supported by this card' },
  PIN_NOT_ENCRYPTED: { code: '106006', status: 400, description: 'The PIN could not be encrypted by the client (is the device key an SPKI RSA key?)' },
  UNSUPPORTED_MEDIA_TYPE: { code: '106007', status: 415, description: 'The body must be application/json' },
  JWT_INVALID: { code: '104025', status: 401, description: 'Unauthorized to do this action' },
  ORIGIN_DENIED: { code: '104001', status: 403, description: 'The origin is not allowed to use this connector' },
  // 421 Misdirected Request (RFC 9110 §15.5.20): the request names an authority this server does not serve.
  HOST_DENIED: { code: '104030', status: 421, description: 'This connector does not serve the host name in the request (DNS rebinding?); use 127.0.0.1, localhost or a configured name with the connector port' },
  // The OS user behind the TCP connection is not the one running this connector (shared hosts).
  OTHER_OS_USER: { code: '104032', status: 403, description: 'This connector belongs to another user of this computer; connect to your own' },
  NO_APPLICATION: { code: '104031', status: 403, description: 'Transaction counters are shown only to the application they belong to; this request names none (no JWT)' },
  RATE_LIMITED: { code: '104002', status: 429, description: 'Too many PIN operations; wait and try again' },
  PIN_DECRYPTION_FAILED: { code: '104010', status: 400, description: 'The PIN could not be decrypted with the device key' },
  PLAIN_PIN_REFUSED: { code: '104011', status: 400, description: 'A plain PIN is not accepted; encrypt it with the device key' },
  PIN_REPLAYED: { code: '104012', status: 400, description: 'This encrypted PIN was already used; encrypt the PIN again' },
  PIN_STALE: { code: '104013', status: 400, description: 'The encrypted PIN is outside its time window; encrypt the PIN again' },
  PIN_REQUIRED: { code: '108001', status: 400, description: 'A PIN is required' },
  PIN_FORMAT: { code: '108002', status: 400, description: 'The PIN must be 4 to 12 digits' },
  PIN_INCORRECT: { code: '108003', status: 400, description: 'Wrong PIN' },
  PIN_BLOCKED: { code: '108004', status: 423, description: 'The PIN is blocked' },
  PIN_CANCELLED: { code: '108005', status: 400, description: 'PIN entry was cancelled' },
  PIN_TIMEOUT: { code: '108006', status: 408, description: 'PIN entry timed out' },
  PIN_DIALOG_UNAVAILABLE: { code: '108007', status: 501, description: 'No native PIN dialog is available on this desktop' },
  READER_UNKNOWN: { code: '701001', status: 400, description: 'No reader with this id' },
  NO_READERS: { code: '701002', status: 400, description: 'No card reader found' },
  READER_UNAVAILABLE: { code: '701003', status: 503, description: 'The reader is not available' },
  READER_BUSY: { code: '701004', status: 409, description: 'The reader is used by another application' },
  READER_TIMEOUT: { code: '701005', status: 504, description: 'The reader did not answer in time' },
  READER_UNSUPPORTED: { code: '701006', status: 400, description: 'The reader does not support this operation' },
  NO_CARD: { code: '702001', status: 400, description: 'No card in the reader' },
  CARD_REMOVED: { code: '702002', status: 409, description: 'The card was removed or reset during the operation' },
  CARD_UNRESPONSIVE: { code: '702003', status: 502, description: 'The card does not answer' },
  CARD_UNKNOWN: { code: '602001', status: 400, description: 'The card is not a Belgian eID' },
  CARD_ERROR: { code: '602002', status: 502, description: 'The card answered with an error' },
  CARD_DATA_INVALID: { code: '602003', status: 502, description: 'The card data could not be parsed' },
  CERTIFICATE_NOT_FOUND: { code: '302001', status: 400, description: 'The card holds no such certificate' },
  CA_KEY_UNKNOWN: { code: '302003', status: 400, description: 'No EMV CA public key is configured for the RID and CA public key index of this application' },
  CA_KEY_EXPIRED: { code: '302004', status: 400, description: 'The EMV CA public key for this application has expired; it is not used' },
  CERTIFICATE_INVALID: { code: '302005', status: 502, description: 'The certificate does not recover with its signer\'s key (EMV Book 2 §5.3, §6.4)' },
  KEY_NOT_FOUND: { code: '302002', status: 400, description: 'The token holds no such key' },
  TOKEN_ERROR: { code: '602004', status: 502, description: 'The PKCS#11 token reported an error' },
  PKCS11_LIBRARY_REFUSED: { code: '105010', status: 400, description: 'The PKCS#11 library path is not allowed (relative, outside the allowed directories, or writable by every user)' },
  PKCS11_LIBRARY_MISSING: { code: '111010', status: 503, description: 'The PKCS#11 library is not installed or could not be loaded' },
  PCSC_UNAVAILABLE: { code: '712001', status: 503, description: 'The PC/SC service is not running' },
  PCSC_ERROR: { code: '713001', status: 502, description: 'The PC/SC service reported an error' },
  SANDBOX_UNAVAILABLE: { code: '112002', status: 503, description: 'The card service stopped; it is being restarted, try again' },
  SANDBOX_TIMEOUT: { code: '112003', status: 504, description: 'The card service did not answer in time' },
  VERSION_NOT_ALLOWED: { code: '112010', status: 426, description: 'This connector version may not be used; update it' },
  DS_NOT_CONFIGURED: { code: '112011', status: 400, description: 'This connector does not use a Distribution Service' },
  DS_UNAVAILABLE: { code: '112012', status: 503, description: 'The Distribution Service could not be reached; try again later' },
  NOT_CONFIGURED: { code: '112013', status: 503, description: 'This connector is not configured: it has no Distribution Service or JWT key to check tokens with (set DsUrl, or --ds-url, --jwks-url or --jwt-public-key)' },
  MODULE_UNKNOWN: { code: '111001', status: 400, description: 'No card module with this name' },
  OPERATION_UNKNOWN: { code: '111004', status: 400, description: 'The card module has no such operation' },
  NO_AGENT: { code: '112020', status: 503, description: 'No connector of your user is registered with the Registry on this computer; start `t1c api --registry` in your session' },
  AGENT_UNREACHABLE: { code: '112021', status: 502, description: 'Your connector is registered but did not answer; it is restarted at login' },
  APDU_INVALID: { code: '106008', status: 400, description: 'The APDU is not well-formed hex of an ISO 7816-4 command' },
  APDU_TOO_LONG: { code: '106009', status: 400, description: 'The APDU is longer than ISO 7816-4 allows (261 bytes in short form, 65544 in extended form)' },
  SESSION_UNKNOWN: { code: '107001', status: 400, description: 'No remote loading session with this id' },
  SESSION_CLOSED: { code: '107002', status: 410, description: 'The remote loading session was closed or timed out' },
  SESSION_OTHER_READER: { code: '107003', status: 400, description: 'The remote loading session was opened on another reader' },
  SESSION_LIMIT: { code: '107004', status: 429, description: 'Too many remote loading sessions are open; close one first' },
  SESSION_FOREIGN: { code: '104035', status: 403, description: 'The remote loading session belongs to another application' },
  NOT_FOUND: { code: '112999', status: 404, description: 'Functionality not found' },
  INTERNAL: { code: '112999', status: 500, description: 'Internal error' },
} as const satisfies Record<string, { code: string; status: number; description: string }>;

export type ErrorKey = keyof typeof CATALOGUE;

/**
 * Every code the card service may answer with (ipc/errors.ts), as a T1C error. Exhaustive:
 * adding a code to the contract without mapping it here fails the type-check.
 */
export const SANDBOX_ERRORS: Record<SandboxErrorCode, ErrorKey> = {
  APDU_MALFORMED: 'CARD_DATA_INVALID',
  TLV_MALFORMED: 'CARD_DATA_INVALID',
  ATR_MALFORMED: 'CARD_DATA_INVALID',
  ASN1_MALFORMED: 'CARD_DATA_INVALID',
  PCSC_NO_SERVICE: 'PCSC_UNAVAILABLE',
  PCSC_LIBRARY_MISSING: 'PCSC_UNAVAILABLE',
  PCSC_NO_READERS: 'NO_READERS',
  PCSC_UNKNOWN_READER: 'READER_UNKNOWN',
  PCSC_READER_UNAVAILABLE: 'READER_UNAVAILABLE',
  PCSC_NO_CARD: 'NO_CARD',
  PCSC_CARD_REMOVED: 'CARD_REMOVED',
  PCSC_CARD_RESET: 'CARD_REMOVED',
  PCSC_CARD_UNRESPONSIVE: 'CARD_UNRESPONSIVE',
  PCSC_SHARING_VIOLATION: 'READER_BUSY',
  PCSC_TIMEOUT: 'READER_TIMEOUT',
  PCSC_CANCELLED: 'PIN_CANCELLED',
  PCSC_COMM_ERROR: 'PCSC_ERROR',
  PCSC_NOT_TRANSACTED: 'PCSC_ERROR',
  PCSC_UNSUPPORTED: 'READER_UNSUPPORTED',
  PCSC_INVALID_PARAMETER: 'INVALID_INPUT',
  PCSC_ERROR: 'PCSC_ERROR',
  CARD_UNKNOWN: 'CARD_UNKNOWN',
  CARD_STATUS: 'CARD_ERROR',
  CARD_FILE_NOT_FOUND: 'CARD_ERROR',
  CARD_DATA_INVALID: 'CARD_DATA_INVALID',
  PIN_INCORRECT: 'PIN_INCORRECT',
  PIN_BLOCKED: 'PIN_BLOCKED',
  PIN_FORMAT: 'PIN_FORMAT',
  PIN_CANCELLED: 'PIN_CANCELLED',
  PIN_TIMEOUT: 'PIN_TIMEOUT',
  PIN_REQUIRED: 'PIN_REQUIRED',
  ALGORITHM_UNSUPPORTED: 'ALGORITHM_UNSUPPORTED',
  DIGEST_INVALID: 'DIGEST_INVALID',
  PKCS11_LIBRARY_REFUSED: 'PKCS11_LIBRARY_REFUSED',
  PKCS11_LIBRARY_MISSING: 'PKCS11_LIBRARY_MISSING',
  PKCS11_SLOT_UNKNOWN: 'READER_UNKNOWN',
  PKCS11_TOKEN_ABSENT: 'NO_CARD',
  PKCS11_KEY_NOT_FOUND: 'KEY_NOT_FOUND',
  PKCS11_BUSY: 'READER_BUSY',
  PKCS11_ERROR: 'TOKEN_ERROR',
  // The request itself: the API built it, so a refusal is the connector's fault, not the page's.
  REQUEST_MALFORMED: 'INTERNAL',
  MODULE_UNKNOWN: 'MODULE_UNKNOWN',
  OP_UNKNOWN: 'OPERATION_UNKNOWN',
  ARGS_INVALID: 'INVALID_INPUT',
  READER_REQUIRED: 'INVALID_INPUT',
  SANDBOX_INTERNAL: 'INTERNAL',
  SESSION_UNKNOWN: 'SESSION_CLOSED',
  SESSION_LIMIT: 'SESSION_LIMIT',
};

/** An API failure as a value: the catalogue entry plus an optional more precise description. */
export class T1CError extends Error {
  override readonly name = 'T1CError';
  readonly key: ErrorKey;
  readonly code: string;
  readonly status: number;
  readonly description: string;

  constructor(key: ErrorKey, description?: string) {
    const entry = CATALOGUE[key];
    super(description ?? entry.description);
    this.key = key;
    this.code = entry.code;
    this.status = entry.status;
    this.description = description ?? entry.description;
  }
}

/** Any thrown value as a T1CError; card errors keep their safe detail (tries left). */
export function toT1CError(error: unknown): T1CError {
  if (error instanceof T1CError) return error;
  if (error instanceof SandboxError) {
    const key = SANDBOX_ERRORS[error.code];
    // A PKCS#11 token's own PIN pad (protected authentication path): say where the PIN was typed.
    const onPad = error.details.protectedPath === true ? ' on the token\'s PIN pad' : '';
    if (error.code === 'PIN_INCORRECT' && typeof error.details.triesLeft === 'number') {
      return new T1CError(key, `Wrong PIN${onPad}, ${error.details.triesLeft} tries left`);
    }
    if (onPad && error.code === 'PIN_INCORRECT') return new T1CError(key, `Wrong PIN entered${onPad}`);
    if (onPad && error.code === 'PIN_CANCELLED') return new T1CError(key, `PIN entry${onPad} was cancelled`);
    // The catalogue's text names the Belgian eID, the first module; others say which they are.
    const module = error.details.module;
    if (error.code === 'CARD_UNKNOWN' && typeof module === 'string' && module !== 'beid' && isCardModuleName(module)) {
      return new T1CError(key, `The card is not handled by the ${module} module`);
    }
    // Which library and why it was refused or failed to load: a path, never a secret.
    if (error.code === 'PKCS11_LIBRARY_REFUSED' || error.code === 'PKCS11_LIBRARY_MISSING') return new T1CError(key, error.message);
    return new T1CError(key);
  }
  return new T1CError('INTERNAL');
}

export function errorBody(error: T1CError): { success: false; code: string; description: string } {
  return { success: false, code: error.code, description: error.description };
}
