import { atrPattern } from '../codec/atr.js';
import { concatBytes, fromHex } from '../codec/hex.js';
import type { BeidApplet } from './applet.js';
import { BEID_ATR_1_7, DIGEST_INFO_PREFIX, MSE_ALGORITHM } from './constants.js';

/** Applet 1.1-1.7, RSA-2048: the 13-byte ATR family under a mask, PKCS#1 v1.5 over a full DigestInfo. */
export const applet17: BeidApplet = {
  version: '1.7',
  atr: BEID_ATR_1_7,
  // TA1 and TC2 vary between issues (beid-card.md §1.1).
  atrPattern: atrPattern('3B98004000000000 0101AD1310', 'FFFF00FF00000000FFFFFFFFF0'),
  description: 'Belgian eID (applet 1.1-1.7, RSA)',
  cardData: { p2: 0x00, le: 0x1c },
  hasBasicPublicKey: false,
  signatureInput: (algorithm, digest) => ({
    algorithm: MSE_ALGORITHM.rsaPkcs1DigestInfo,
    dtbs: concatBytes(fromHex(DIGEST_INFO_PREFIX[algorithm]), digest),
  }),
};
