import { sdkError } from '../errors/t1c-error.js';
import { base64ToBytes } from '../util/base64.js';
import type { DeviceKey } from './device-key.js';

/**
 * Checks a response signature: RSASSA-PKCS1-v1_5/SHA-256 over `JSON.stringify(data)` of the
 * parsed body (t1c-api.md §1.8), the same text the connector signed. Anything else than a
 * valid signature is 'signature-mismatch': a page must not use data it cannot vouch for.
 */
export async function verifyResponseSignature(key: DeviceKey, data: unknown, signature: string): Promise<void> {
  const bytes = base64ToBytes(signature);
  const text = JSON.stringify(data);
  let valid = false;
  if (bytes && text !== undefined) {
    try {
      valid = await crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, key.verifyKey, bytes, new TextEncoder().encode(text));
    } catch {
      valid = false;
    }
  }
  if (!valid) throw sdkError('signature-mismatch', 'Signature data does not equal the expected data');
}
