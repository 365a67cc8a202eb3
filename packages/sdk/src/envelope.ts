import { verifyResponseSignature } from './crypto/signature.js';
import type { DeviceKey } from './crypto/device-key.js';
import { asRecord, errorFromResponse } from './errors/from-response.js';
import { sdkError } from './errors/t1c-error.js';

/**
 * `data` of a `{success, data, signature?}` envelope (t1c-api.md §3), its signature checked
 * when a device key is known. A body without `success: true` is not trusted as data.
 */
export type SignatureCheck = 'off' | 'when-signed' | 'required';

export async function unwrapEnvelope(body: unknown, key: DeviceKey | undefined, check: SignatureCheck): Promise<unknown> {
  const record = asRecord(body);
  if (!record || typeof record.success !== 'boolean') {
    throw sdkError('invalid-response', 'The connector\'s answer is not a T1C envelope');
  }
  if (!record.success) throw errorFromResponse(200, record);
  if (!('data' in record)) throw sdkError('invalid-response', 'The connector\'s answer has no data');
  const { data, signature } = record;
  if (signature !== undefined && signature !== null && typeof signature !== 'string') {
    throw sdkError('invalid-response', 'The connector\'s signature is not a string');
  }
  if (check === 'off' || !key) return data;
  if (typeof signature === 'string' && signature !== '') await verifyResponseSignature(key, data, signature);
  else if (check === 'required') throw sdkError('signature-mismatch', 'The connector\'s answer is not signed');
  return data;
}
