import { atrMatches } from '../codec/atr.js';
import type { BeidApplet } from './applet.js';
import { applet17 } from './applet-1-7.js';
import { applet18 } from './applet-1-8.js';
import type { AppletVersion } from './constants.js';

/** Every applet version this module knows, oldest first. */
export const BEID_APPLETS: readonly BeidApplet[] = [applet17, applet18];

/** The applet leaf for a card's ATR, or undefined when it is not a Belgian eID. */
export function appletForAtr(atr: Uint8Array): BeidApplet | undefined {
  return BEID_APPLETS.find((a) => atrMatches(atr, a.atrPattern));
}

/** The applet a card's ATR announces, or undefined when it is not a Belgian eID. */
export function recogniseBeid(atr: Uint8Array): AppletVersion | undefined {
  return appletForAtr(atr)?.version;
}
