import type { EncryptedPin } from '../connection.js';
import { T1cError } from '../errors/t1c-error.js';
import type { PinOptions, SignOptions } from '../types/beid.js';
import { bytesToBase64, isBase64 } from '../util/base64.js';

/** `TokenVerifyPinData` (t1c-api.md §2.2); undefined fields stay out of the JSON. */
export function verifyPinBody(options: PinOptions, pin: EncryptedPin): Record<string, unknown> {
  return {
    pin: pin.pin,
    osDialog: options.osDialog,
    base64Encoded: true,
    timeout: options.timeout,
  };
}

/** The digest as the base64 string the connector expects in `data`. */
export function digestBase64(digest: Uint8Array | string): string {
  if (typeof digest !== 'string') return bytesToBase64(digest);
  if (!isBase64(digest) || digest === '') throw new T1cError('invalid-input', '106003', 'The digest is not valid base64');
  return digest;
}

/** `TokenAuthenticateOrSignData`: `data` is the base64 digest, `algorithm` its hash name. */
export function signBody(options: SignOptions, pin: EncryptedPin): Record<string, unknown> {
  return {
    algorithm: options.algorithm,
    data: digestBase64(options.digest),
    pin: pin.pin,
    osDialog: options.osDialog,
    id: options.id,
    txId: options.txId,
    language: options.language,
    base64Encoded: true,
    timeout: options.timeout,
  };
}
