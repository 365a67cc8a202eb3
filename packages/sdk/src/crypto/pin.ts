import { sdkError, T1cError } from '../errors/t1c-error.js';
import { bytesToBase64 } from '../util/base64.js';
import type { DeviceKey } from './device-key.js';

/**
 * The request header that tells the connector our PINs are RSA-OAEP/SHA-256 rather than the
 * official SDK's PKCS#1 v1.5. Name and value as the connector reads them
 * (packages/connector/src/security/pin-field.ts); the value is compared exactly.
 */
export const PIN_ENCRYPTION_HEADER = 'X-T1C-Pin-Encryption';
export const PIN_ENCRYPTION_OAEP = 'RSA-OAEP-256';

/**
 * What is encrypted: `T1C-PIN-1:<Date.now()>:<digits>`. The connector accepts each ciphertext
 * once and only within two minutes of its time, so a captured one is worth nothing later.
 */
export const PIN_PLAINTEXT_PREFIX = 'T1C-PIN-1:';

const PIN_DIGITS = /^\d{4,12}$/;

/** Base64 of RSA-OAEP/SHA-256 of the stamped PIN under the device key; the plaintext buffer is wiped. */
export async function encryptPin(key: DeviceKey, pin: string, now: number = Date.now()): Promise<string> {
  // Same code as the connector's own PIN format check, so the page handles one case.
  if (!PIN_DIGITS.test(pin)) throw new T1cError('invalid-input', '108002', 'The PIN must be 4 to 12 digits');
  const plain = new TextEncoder().encode(`${PIN_PLAINTEXT_PREFIX}${Math.floor(now)}:${pin}`);
  try {
    const cipher = await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, key.encryptKey, plain);
    return bytesToBase64(new Uint8Array(cipher));
  } catch (error) {
    throw sdkError('pin-encryption-failed', 'The PIN could not be encrypted with the device key', { cause: error });
  } finally {
    plain.fill(0);
  }
}
