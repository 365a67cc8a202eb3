import { atrMatches } from '../codec/atr.js';
import { beidAtrPatterns, type AppletVersion } from './constants.js';

/** The applet a card's ATR announces, or undefined when it is not a Belgian eID. */
export function recogniseBeid(atr: Uint8Array): AppletVersion | undefined {
  return beidAtrPatterns.find((p) => atrMatches(atr, p.pattern))?.applet;
}
