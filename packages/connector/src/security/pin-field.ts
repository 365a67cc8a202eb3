import { T1CError } from '../api/errors.js';
import type { DeviceKey } from './device-key.js';

export type PinScheme = 'pkcs1' | 'oaep-sha256';

/**
 * Our SDK announces RSA-OAEP with this header; without it the PIN is PKCS#1 v1.5 (the official
 * SDK's jsencrypt). The scheme is chosen by the header, never by trying both, so a failure
 * says nothing about which padding check failed.
 */
export const PIN_ENCRYPTION_HEADER = 'x-t1c-pin-encryption';
export const OAEP_HEADER_VALUE = 'RSA-OAEP-256';

const PLAIN_PIN = /^\d{4,12}$/;
const BASE64 = /^[A-Za-z0-9+/]{16,}={0,2}$/;

function isPinDigits(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes.length > 12) return false;
  return bytes.every((b) => b >= 0x30 && b <= 0x39);
}

/**
 * The `pin` body field as ASCII digits in a wipeable buffer, or undefined when absent.
 * `false` is what SDK 3.6.1 sends when jsencrypt could not use the device key.
 */
export function decodePinField(field: unknown, key: DeviceKey, scheme: PinScheme, allowPlain: boolean): Uint8Array | undefined {
  if (field === undefined || field === null || field === '') return undefined;
  if (field === false) throw new T1CError('PIN_NOT_ENCRYPTED');
  if (typeof field !== 'string') throw new T1CError('INVALID_INPUT', 'pin must be a string');
  if (PLAIN_PIN.test(field)) {
    if (!allowPlain) throw new T1CError('PLAIN_PIN_REFUSED');
    return new TextEncoder().encode(field);
  }
  if (!BASE64.test(field) || field.length > 1024) throw new T1CError('PIN_DECRYPTION_FAILED');
  const ciphertext = Buffer.from(field, 'base64');
  const plain = key.decrypt(ciphertext, scheme);
  ciphertext.fill(0);
  if (!plain || !isPinDigits(plain)) {
    plain?.fill(0);
    throw new T1CError('PIN_DECRYPTION_FAILED');
  }
  return plain;
}
