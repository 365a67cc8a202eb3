import { sdkError } from '../errors/t1c-error.js';
import { base64ToBytes } from '../util/base64.js';

export type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** The connector's RSA device key (t1c-api.md §1.8), imported once per use. */
export interface DeviceKey {
  /** The key as the connector sent it (PEM or base64 DER). */
  readonly text: string;
  /** RSA-OAEP/SHA-256, for PINs. */
  readonly encryptKey: WebCryptoKey;
  /** RSASSA-PKCS1-v1_5/SHA-256, for response signatures. */
  readonly verifyKey: WebCryptoKey;
}

const PEM = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/;
/** AlgorithmIdentifier rsaEncryption with NULL parameters. */
const RSA_ALGORITHM = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** WebCrypto imports SPKI only; a PKCS#1 RSAPublicKey (which jsencrypt also takes) is wrapped. */
function spkiFromPkcs1(pkcs1: Uint8Array): Uint8Array<ArrayBuffer> {
  const bitString = [0x03, ...derLength(pkcs1.length + 1), 0x00];
  const inner = RSA_ALGORITHM.length + bitString.length + pkcs1.length;
  const out = new Uint8Array([0x30, ...derLength(inner), ...RSA_ALGORITHM, ...bitString, ...pkcs1]);
  return out;
}

/** SPKI DER from PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) or bare base64 DER. */
export function spkiDer(text: string): Uint8Array<ArrayBuffer> | undefined {
  const pem = PEM.exec(text);
  const der = base64ToBytes((pem?.[2] ?? text).replace(/\s+/g, ''));
  if (!der) return undefined;
  return pem?.[1] === 'RSA PUBLIC KEY' ? spkiFromPkcs1(der) : der;
}

/** Imports the key for both uses; an unusable key is an invalid connector answer. */
export async function importDeviceKey(text: unknown): Promise<DeviceKey> {
  const der = typeof text === 'string' && text.length < 16_384 ? spkiDer(text) : undefined;
  if (!der || typeof text !== 'string') throw sdkError('invalid-response', 'The device key is not an RSA public key');
  try {
    const encryptKey = await crypto.subtle.importKey('spki', der, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
    const verifyKey = await crypto.subtle.importKey('spki', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    return { text, encryptKey, verifyKey };
  } catch (error) {
    throw sdkError('invalid-response', 'The device key is not an RSA public key', { cause: error });
  }
}
