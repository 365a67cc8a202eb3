import type { AppletVersion } from './card-spec.js';

/**
 * GET CARD DATA answer (RM17 §6.9, RM18 §6.14; beid-card.md §1.3): 16-byte serial (= chip
 * number), chip and OS bytes copied from a real card's answer, applet version, and on 1.8
 * with P2 01 the PIN tries left and two RFU bytes.
 */
const CHIP_BYTES = [0xf3, 0x36, 0x01, 0x25, 0x01];
const APPLET_BYTES: Record<AppletVersion, readonly number[]> = {
  // applet version, global OS version (2), interface version, PKCS#1 support, key exchange, life cycle
  '1.7': [0x17, 0x00, 0x03, 0x00, 0x21, 0x01, 0x0f],
  '1.8': [0x18, 0x00, 0x01, 0x00, 0x00, 0x02, 0x0f],
};

export function cardData(applet: AppletVersion, serial: Uint8Array, extended: boolean, triesLeft: number): Uint8Array {
  const bytes = [...serial, ...CHIP_BYTES, ...APPLET_BYTES[applet]];
  if (extended) bytes.push(triesLeft, 0xff, 0xff);
  return Uint8Array.from(bytes);
}

export const CARD_DATA_LENGTH = 28;
export const EXTENDED_CARD_DATA_LENGTH = 31;
