import { T1CError } from '../api/errors.js';
import type { DeviceKey } from './device-key.js';
import type { SeenCiphertexts } from './seen-ciphertexts.js';

export type PinScheme = 'pkcs1' | 'oaep-sha256';

/**
 * Our SDK announces RSA-OAEP with this header; without it the PIN is PKCS#1 v1.5 (the official
 * SDK's jsencrypt). The scheme is chosen by the header, never by trying both, so a failure
 * says nothing about which padding check failed.
 */
export const PIN_ENCRYPTION_HEADER = 'x-t1c-pin-encryption';
export const OAEP_HEADER_VALUE = 'RSA-OAEP-256';

/**
 * The OAEP plaintext: `T1C-PIN-1:<milliseconds since the epoch>:<digits>` (ASCII), written by
 * packages/sdk/src/crypto/pin.ts. The official SDK's PKCS#1 plaintext stays the bare PIN.
 */
export const OAEP_PIN_PREFIX = 'T1C-PIN-1:';
/** How far the OAEP timestamp may be from the connector's clock, either way (same machine). */
export const PIN_FRESHNESS_MS = 120_000;

const PLAIN_PIN = /^\d{4,12}$/;
const BASE64 = /^[A-Za-z0-9+/]{16,}={0,2}$/;
const PREFIX_BYTES = new TextEncoder().encode(OAEP_PIN_PREFIX);

export interface PinFieldContext {
  readonly key: DeviceKey;
  readonly scheme: PinScheme;
  readonly allowPlain: boolean;
  readonly seen: SeenCiphertexts;
  readonly now: () => number;
}

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

function isPinDigits(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes.length <= 12 && bytes.every(isDigit);
}

/** The PIN and timestamp of an OAEP plaintext, read byte by byte so the PIN never becomes a string. */
function parseOaepPlain(plain: Uint8Array): { at: number; pin: Uint8Array } | undefined {
  if (plain.length <= PREFIX_BYTES.length || !PREFIX_BYTES.every((b, i) => plain[i] === b)) return undefined;
  const colon = plain.indexOf(0x3a, PREFIX_BYTES.length);
  const stamp = plain.subarray(PREFIX_BYTES.length, colon);
  if (colon < 0 || stamp.length === 0 || stamp.length > 15 || !stamp.every(isDigit)) return undefined;
  const pin = plain.subarray(colon + 1);
  if (!isPinDigits(pin)) return undefined;
  return { at: Number(Buffer.from(stamp).toString('ascii')), pin: Uint8Array.from(pin) };
}

/**
 * The `pin` body field as ASCII digits in a wipeable buffer, or undefined when absent.
 * `false` is what SDK 3.6.1 sends when jsencrypt could not use the device key. An encrypted
 * PIN is accepted once: it is remembered (on disk) before it is returned, so a replay is
 * refused before anything reaches the card. OAEP PINs also carry a time that must be recent.
 */
export function decodePinField(field: unknown, ctx: PinFieldContext): Uint8Array | undefined {
  if (field === undefined || field === null || field === '') return undefined;
  if (field === false) throw new T1CError('PIN_NOT_ENCRYPTED');
  if (typeof field !== 'string') throw new T1CError('INVALID_INPUT', 'pin must be a string');
  if (PLAIN_PIN.test(field)) {
    if (!ctx.allowPlain) throw new T1CError('PLAIN_PIN_REFUSED');
    return new TextEncoder().encode(field);
  }
  if (!BASE64.test(field) || field.length > 1024) throw new T1CError('PIN_DECRYPTION_FAILED');
  const received = Buffer.from(field, 'base64');
  // One value, one entry: jsencrypt's missing leading zeros must not make a "new" ciphertext.
  const size = ctx.key.modulusBytes;
  const ciphertext = new Uint8Array(Math.max(size, received.length));
  ciphertext.set(received, ciphertext.length - received.length);
  received.fill(0);
  const plain = ctx.key.decrypt(ciphertext, ctx.scheme);
  try {
    if (!plain) throw new T1CError('PIN_DECRYPTION_FAILED');
    let pin: Uint8Array;
    if (ctx.scheme === 'oaep-sha256') {
      const parsed = parseOaepPlain(plain);
      if (!parsed) throw new T1CError('PIN_DECRYPTION_FAILED');
      pin = parsed.pin;
      if (Math.abs(ctx.now() - parsed.at) > PIN_FRESHNESS_MS) {
        pin.fill(0);
        throw new T1CError('PIN_STALE');
      }
    } else {
      if (!isPinDigits(plain)) throw new T1CError('PIN_DECRYPTION_FAILED');
      pin = Uint8Array.from(plain);
    }
    let first = false;
    try {
      first = ctx.seen.firstUse(ciphertext);
    } finally {
      if (!first) pin.fill(0);
    }
    if (!first) throw new T1CError('PIN_REPLAYED');
    return pin;
  } finally {
    plain?.fill(0);
    ciphertext.fill(0);
  }
}
