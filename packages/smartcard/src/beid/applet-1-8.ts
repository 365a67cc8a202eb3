import { atrPattern } from '../codec/atr.js';
import type { BeidApplet } from './applet.js';
import { BEID_ATR_1_8, MSE_ALGORITHM, type DigestAlgorithm } from './constants.js';

/** ECDSA by hash; SHA-1 has no algorithm of its own and goes as a raw hash. */
const BY_HASH: Record<DigestAlgorithm, number> = {
  'SHA-1': MSE_ALGORITHM.ecdsaRawHash,
  'SHA-256': MSE_ALGORITHM.ecdsaSha256,
  'SHA-384': MSE_ALGORITHM.ecdsaSha384,
  'SHA-512': MSE_ALGORITHM.ecdsaSha512,
};

/** Applet 1.8, EC P-384: one exact ATR, extended card data with the PIN tries, a basic key file. */
export const applet18: BeidApplet = {
  version: '1.8',
  atr: BEID_ATR_1_8,
  atrPattern: atrPattern(BEID_ATR_1_8),
  description: 'Belgian eID (applet 1.8, EC P-384)',
  cardData: { p2: 0x01, le: 0x1f },
  hasBasicPublicKey: true,
  signatureInput: (algorithm, digest) => ({ algorithm: BY_HASH[algorithm], dtbs: Uint8Array.from(digest) }),
};
