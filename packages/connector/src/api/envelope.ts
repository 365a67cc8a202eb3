import type { DeviceKey } from '../security/device-key.js';

/**
 * `{success, data, signature}` as the body text: the signature is over `JSON.stringify(data)`,
 * the exact text SDK 3.8.8 rebuilds from the parsed body, and the body embeds that same text,
 * so the data is serialised once (the route's serializer sends `text` as it is).
 */
export class SignedEnvelope {
  private constructor(readonly text: string) {}

  static of(key: DeviceKey, data: unknown): SignedEnvelope {
    const text = JSON.stringify(data);
    // Byte for byte what JSON.stringify({ success: true, data, signature }) gives.
    return new SignedEnvelope(`{"success":true,"data":${text},"signature":${JSON.stringify(key.sign(text))}}`);
  }
}
