import { SmartCardError } from '../errors.js';

export const PIN_MIN_LENGTH = 4;
export const PIN_MAX_LENGTH = 12;

/** Checks a PIN given as ASCII digits without turning it into a string (so it can be wiped). */
export function assertPinFormat(pin: Uint8Array): void {
  if (pin.length < PIN_MIN_LENGTH || pin.length > PIN_MAX_LENGTH || pin.some((c) => c < 0x30 || c > 0x39)) {
    throw new SmartCardError('PIN_FORMAT', `the PIN must be ${PIN_MIN_LENGTH} to ${PIN_MAX_LENGTH} digits`);
  }
}

/** GlobalPlatform format-2 PIN block: 0x20+length, BCD digits, F padding, 8 bytes. */
export function pinBlock(pin: Uint8Array): Uint8Array {
  assertPinFormat(pin);
  const block = new Uint8Array(8).fill(0xff);
  block[0] = 0x20 | pin.length;
  for (let i = 0; i < pin.length; i++) {
    const digit = (pin[i] ?? 0x30) - 0x30;
    const at = 1 + (i >> 1);
    const current = block[at] ?? 0xff;
    block[at] = i % 2 === 0 ? (digit << 4) | (current & 0x0f) : (current & 0xf0) | digit;
  }
  return block;
}

/**
 * PC/SC part 10 PIN_VERIFY_STRUCTURE for FEATURE_VERIFY_PIN_DIRECT: the reader collects the
 * PIN and inserts it, BCD, into a VERIFY whose block starts as 20 FF…FF.
 */
export function pinpadVerifyStructure(pinReference: number, languageId = 0x0409): Uint8Array {
  const apdu = [0x00, 0x20, 0x00, pinReference, 0x08, 0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  const out = Buffer.alloc(19 + apdu.length);
  out[0] = 30; // bTimerOut
  out[1] = 30; // bTimerOut2
  out[2] = 0x89; // bmFormatString: BCD, left justified, PIN starts at byte 1 of the block
  out[3] = 0x47; // bmPINBlockString: length field 4 bits, 7-byte PIN area
  out[4] = 0x04; // bmPINLengthFormat: length at bit 4 of byte 0
  out.writeUInt16LE((PIN_MIN_LENGTH << 8) | PIN_MAX_LENGTH, 5);
  out[7] = 0x02; // bEntryValidationCondition: validation key pressed
  out[8] = 0x01; // bNumberMessage
  out.writeUInt16LE(languageId, 9);
  out[11] = 0; // bMsgIndex
  out.writeUInt32LE(apdu.length, 15);
  Buffer.from(apdu).copy(out, 19);
  return Uint8Array.from(out);
}
