import { fromHex, parseCommand, SW, type CommandApdu } from '@t1c/smartcard/codec';
import type { VirtualCard } from '@t1c/smartcard/reader';
import { BEID_ATR_1_7, BEID_ATR_1_8, type AppletVersion } from './card-spec.js';
import type { BeidTestPki } from '../pki/test-pki.js';
import { status, type CardContext, type CommandHandler } from './card-context.js';
import { personalise } from './card-files.js';
import { CardFileSystem } from './file-system.js';
import { getCardData, getResponse, readBinary, select } from './file-commands.js';
import { SPECIMEN_HOLDER, type HolderData } from './holder-data.js';
import { MAX_PIN_TRIES, PinState } from './pin-state.js';
import {
  changeReferenceData, computeDigitalSignature, internalAuthenticate, logOff, manageSecurityEnvironment, verify,
} from './security-commands.js';

export interface BeidVirtualCardOptions {
  /** Default 1.8 (EC P-384); 1.7 is RSA-2048. */
  readonly appletVersion?: AppletVersion;
  readonly holder?: HolderData;
  /** 4 to 12 digits; default 1234. */
  readonly pin?: string;
  /** 0 makes a blocked card; default 3. */
  readonly pinTriesLeft?: number;
  readonly tampered?: boolean;
  readonly emptyNonRepudiation?: boolean;
  /** New keys for this card instead of the per-process set. */
  readonly freshKeys?: boolean;
  /** Delay before every answer, for slow-card tests. */
  readonly latencyMs?: number;
}

/** Replaces the card's answer to one command when it returns bytes; for fault injection. */
export type FaultHook = (command: Uint8Array) => Uint8Array | undefined;

const ISO = 0x00;
const PROPRIETARY = 0x80;

/** INS → handler and the CLA it belongs to (RM17 Table 7, RM18 Table 7). */
const commands: ReadonlyMap<number, { readonly cla: number; readonly handle: CommandHandler }> = new Map([
  [0xa4, { cla: ISO, handle: select }],
  [0xb0, { cla: ISO, handle: readBinary }],
  [0xc0, { cla: ISO, handle: getResponse }],
  [0x20, { cla: ISO, handle: verify }],
  [0x24, { cla: ISO, handle: changeReferenceData }],
  [0x22, { cla: ISO, handle: manageSecurityEnvironment }],
  [0x2a, { cla: ISO, handle: computeDigitalSignature }],
  [0x88, { cla: ISO, handle: internalAuthenticate }],
  [0xe4, { cla: PROPRIETARY, handle: getCardData }],
  [0xe6, { cla: PROPRIETARY, handle: logOff }],
]);

/**
 * A Belgian eID card (BELPIC applet 1.7 or 1.8) that answers APDUs like the real one:
 * file system, PIN rules, signing keys and RRN-signed identity data from a test PKI.
 * `process` never throws; every bad command gets a status word.
 */
export class BeidVirtualCard implements VirtualCard {
  readonly atr: Uint8Array;
  readonly applet: AppletVersion;
  readonly holder: HolderData;
  readonly pki: BeidTestPki;
  latencyMs: number;
  faultHook: FaultHook | undefined;
  private readonly context: CardContext;

  private constructor(context: CardContext, holder: HolderData, latencyMs: number) {
    this.context = context;
    this.applet = context.applet;
    this.atr = fromHex(context.applet === '1.7' ? BEID_ATR_1_7 : BEID_ATR_1_8);
    this.holder = holder;
    this.pki = context.image.pki;
    this.latencyMs = latencyMs;
  }

  static async create(options: BeidVirtualCardOptions = {}): Promise<BeidVirtualCard> {
    const applet = options.appletVersion ?? '1.8';
    if (applet !== '1.7' && applet !== '1.8') throw new RangeError(`appletVersion must be 1.7 or 1.8, got ${String(applet)}`);
    const pin = options.pin ?? '1234';
    if (!/^\d{4,12}$/.test(pin)) throw new RangeError('pin must be 4 to 12 digits');
    const tries = options.pinTriesLeft ?? MAX_PIN_TRIES;
    if (!Number.isInteger(tries) || tries < 0 || tries > MAX_PIN_TRIES) throw new RangeError(`pinTriesLeft must be 0..${MAX_PIN_TRIES}`);
    const latency = options.latencyMs ?? 0;
    if (!(latency >= 0)) throw new RangeError('latencyMs must be 0 or more');
    const holder = options.holder ?? SPECIMEN_HOLDER;
    const image = await personalise({
      applet, holder, tampered: options.tampered ?? false,
      emptyNonRepudiation: options.emptyNonRepudiation ?? false, freshKeys: options.freshKeys ?? false,
    });
    const context: CardContext = {
      applet, image, fs: new CardFileSystem(image.files), pin: new PinState(pin, tries),
      hasNonRepudiationKey: !(options.emptyNonRepudiation ?? false), se: undefined, pending: undefined,
    };
    return new BeidVirtualCard(context, holder, latency);
  }

  /** File content by absolute path (`3F00DF014031`), as READ BINARY returns it. */
  file(path: string): Uint8Array {
    const content = this.context.image.files.get(path.toUpperCase());
    if (!content) throw new RangeError(`no file ${path} on this card`);
    return Uint8Array.from(content);
  }

  get pinTriesLeft(): number {
    return this.context.pin.triesLeft;
  }

  reset(): void {
    this.context.fs.reset();
    this.context.pin.logOff();
    this.context.se = undefined;
    this.context.pending = undefined;
  }

  process(command: Uint8Array): Uint8Array | Promise<Uint8Array> {
    const response = this.faultHook?.(command) ?? this.respond(command);
    if (this.latencyMs <= 0) return response;
    return new Promise((resolve) => setTimeout(() => resolve(response), this.latencyMs));
  }

  private respond(bytes: Uint8Array): Uint8Array {
    let apdu: CommandApdu;
    try {
      apdu = parseCommand(bytes);
    } catch {
      return status(SW.WRONG_LENGTH);
    }
    const context = this.context;
    context.pin.commandArrived();
    // T=0: anything but GET RESPONSE drops an unread case-4 answer.
    if (apdu.ins !== 0xc0) context.pending = undefined;
    if (apdu.cla !== ISO && apdu.cla !== PROPRIETARY) return status(SW.CLA_NOT_SUPPORTED);
    const entry = commands.get(apdu.ins);
    if (!entry) return status(SW.INS_NOT_SUPPORTED);
    if (entry.cla !== apdu.cla) return status(SW.CLA_NOT_SUPPORTED);
    try {
      return entry.handle(context, apdu);
    } catch {
      // A bug here must look like a card fault, not crash the reader.
      return status(SW.NO_PRECISE_DIAGNOSIS_6F);
    }
  }
}
