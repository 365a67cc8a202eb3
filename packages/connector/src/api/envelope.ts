import type { DeviceKey } from '../security/device-key.js';

export interface Envelope<T> {
  success: true;
  data: T;
  signature: string;
}

/**
 * `{success, data, signature}`: the signature is over `JSON.stringify(data)`, the exact text
 * SDK 3.8.8 rebuilds from the parsed body. The body is then sent as that same serialisation.
 */
export function envelope<T>(key: DeviceKey, data: T): Envelope<T> {
  return { success: true, data, signature: key.sign(JSON.stringify(data)) };
}
