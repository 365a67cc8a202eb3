import { encodeResponse, type CommandApdu } from '@t1c/smartcard/codec';
import type { AppletVersion } from './card-spec.js';
import type { CardImage } from './card-files.js';
import type { CardFileSystem } from './file-system.js';
import type { PinState } from './pin-state.js';

/** The security environment MSE:SET leaves behind for PSO:CDS. */
export interface SecurityEnvironment {
  readonly key: number;
  readonly algorithm: number;
}

/** Everything a command handler reads or changes; volatile parts are cleared by reset. */
export interface CardContext {
  readonly applet: AppletVersion;
  readonly image: CardImage;
  readonly fs: CardFileSystem;
  readonly pin: PinState;
  /** Whether key 83 exists (false for `emptyNonRepudiation` cards). */
  readonly hasNonRepudiationKey: boolean;
  se: SecurityEnvironment | undefined;
  /** Response bytes waiting for GET RESPONSE (T=0 case 4). */
  pending: Uint8Array | undefined;
}

export type CommandHandler = (card: CardContext, apdu: CommandApdu) => Uint8Array;

const EMPTY = new Uint8Array(0);

export function status(sw: number): Uint8Array {
  return encodeResponse(EMPTY, sw);
}

export function answer(data: Uint8Array, sw = 0x9000): Uint8Array {
  return encodeResponse(data, sw);
}

/** Keeps a case-4 result for GET RESPONSE and announces it with 61xx (xx = 00 for 256). */
export function announce(card: CardContext, data: Uint8Array): Uint8Array {
  card.pending = data;
  return status(0x6100 | (data.length & 0xff));
}
