import type { AtrPattern } from '../codec/atr.js';
import type { AppletVersion, DigestAlgorithm } from './constants.js';

/**
 * What sets one Belgian eID applet version apart: its ATR, how it answers GET CARD DATA, its
 * files and how it wants a digest signed. BeidCard holds the APDU flows; a leaf only sets these.
 */
export interface BeidApplet {
  readonly version: AppletVersion;
  /** A typical ATR (what `/atrs` shows) and the pattern that recognises the family. */
  readonly atr: string;
  readonly atrPattern: AtrPattern;
  readonly description: string;
  /** GET CARD DATA P2 and Le (beid-card.md §1.3). */
  readonly cardData: { readonly p2: number; readonly le: number };
  /** EF(PuK#1 Basic) 4040 and the identity file's tag 1A exist. */
  readonly hasBasicPublicKey: boolean;
  /** MSE:SET algorithm byte and the data PSO:CDS signs, for a digest made off-card. */
  signatureInput(algorithm: DigestAlgorithm, digest: Uint8Array): { readonly algorithm: number; readonly dtbs: Uint8Array };
}
