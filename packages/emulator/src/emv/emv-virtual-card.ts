import { parseCommand, type CommandApdu } from '@t1c/smartcard/codec';
import type { VirtualCard } from '@t1c/smartcard/reader';
import { decodePinBlock } from '../beid/pin-state.js';
import { hex, tlv } from './ber-tlv-writer.js';
import { pseFci, pseRecords, ppseFci, PSE_DIRECTORY_SFI } from './emv-directories.js';
import { emvKeyChain, type EmvKeyChain } from './emv-keys.js';
import { EmvPinState } from './emv-pin.js';
import { SPECIMEN_APPLICATIONS, type EmvApplicationProfile } from './emv-profile.js';
import { personaliseApplication, type EmvApplicationImage } from './emv-records.js';
import {
  EmvInstruction as I, EmvStatus as S, EmvTag as T, PLAINTEXT_PIN_QUALIFIER, PPSE_NAME, PSE_NAME, SelectOccurrence,
} from './emv-spec.js';

/** Replaces the card's answer to one command when it returns bytes; for tests of a faulty card. */
export type EmvFaultHook = (command: Uint8Array) => Uint8Array | undefined;

export interface EmvVirtualCardOptions {
  /** Default: a Visa credit (priority 2) and a Maestro debit (priority 1) application. */
  readonly applications?: readonly EmvApplicationProfile[];
  /** Whether the contact PSE (1PAY.SYS.DDF01) exists; default true. */
  readonly pse?: boolean;
  /** Whether the PPSE (2PAY.SYS.DDF01) exists; default true. */
  readonly ppse?: boolean;
  /** 4 to 12 digits; default 1234. */
  readonly pin?: string;
  /** 0 makes a card with a blocked PIN; default 3. */
  readonly pinTriesLeft?: number;
  /** A new CA, issuer and card key instead of the per-process chain. */
  readonly freshKeys?: boolean;
}

/** The test certification authority's public key, as a terminal's CA key table holds it. */
export interface EmvTestCertificationAuthority {
  /** Registered application provider identifier, hex (first 5 bytes of the AID). */
  readonly rid: string;
  readonly index: number;
  readonly modulus: Uint8Array;
  readonly exponent: Uint8Array;
}

/** One command the card answered, for tests that check the order a reader used. */
export interface EmvExchange {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly sw: number;
}

const PIN_TRY_LIMIT = 3;
const SELECT_FIRST = SelectOccurrence.first;
const SELECT_NEXT = SelectOccurrence.next;
/** A T=0 contact card's ATR (Book 1 §8.3: TB1 = 00, TC1 = 00, then historical bytes). */
const ATR = hex('3B68000000 73C84012009000');
const EMPTY = new Uint8Array(0);

type Selection =
  | { readonly kind: 'none' }
  | { readonly kind: 'pse' }
  | { readonly kind: 'ppse' }
  | { readonly kind: 'application'; readonly app: EmvApplicationImage; processing: boolean };

function reply(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

const status = (sw: number): Uint8Array => reply(EMPTY, sw);

function startsWith(whole: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.length <= whole.length && prefix.every((b, i) => whole[i] === b);
}

/**
 * A contact EMV payment card (EMV 4.4 Books 1–3): PSE and PPSE directories, applications
 * selected by (partial) AID, GET PROCESSING OPTIONS with a PDOL, records per the AFL with
 * certificates a terminal can recover, offline plaintext PIN and GET DATA. Like a T=0 card it
 * answers case-4 commands with 61xx and a wrong Le with 6Cxx. `process` never throws.
 */
export class EmvVirtualCard implements VirtualCard {
  readonly atr = Uint8Array.from(ATR);
  readonly applications: readonly EmvApplicationProfile[];
  private readonly images: readonly EmvApplicationImage[];
  private readonly pin: EmvPinState;
  private selection: Selection = { kind: 'none' };
  private pending: Uint8Array | undefined;
  private atc = 0;
  private readonly log: EmvExchange[] = [];
  /** Answers in the card's stead when it returns bytes (logged like the card's own answers). */
  faultHook: EmvFaultHook | undefined;

  private constructor(
    private readonly options: { readonly pse: boolean; readonly ppse: boolean },
    images: readonly EmvApplicationImage[],
    pin: EmvPinState,
    private readonly keys: EmvKeyChain,
  ) {
    this.images = images;
    this.applications = images.map((i) => i.profile);
    this.pin = pin;
  }

  static async create(options: EmvVirtualCardOptions = {}): Promise<EmvVirtualCard> {
    const pin = options.pin ?? '1234';
    if (!/^\d{4,12}$/.test(pin)) throw new RangeError('pin must be 4 to 12 digits');
    const tries = options.pinTriesLeft ?? PIN_TRY_LIMIT;
    if (!Number.isInteger(tries) || tries < 0 || tries > PIN_TRY_LIMIT) throw new RangeError(`pinTriesLeft must be 0..${PIN_TRY_LIMIT}`);
    const profiles = options.applications ?? SPECIMEN_APPLICATIONS;
    if (profiles.length === 0) throw new RangeError('a payment card needs at least one application');
    for (const p of profiles) {
      if (!/^(?:[0-9A-F]{2}){5,16}$/.test(p.aid)) throw new RangeError(`AID ${p.aid} must be 5 to 16 bytes of upper-case hex`);
      if (!/^\d{12,19}$/.test(p.pan)) throw new RangeError('a PAN is 12 to 19 digits');
    }
    const keys = await emvKeyChain(options.freshKeys ?? false);
    const images = profiles.map((p, i) => personaliseApplication(p, keys, i + 1));
    return new EmvVirtualCard({ pse: options.pse ?? true, ppse: options.ppse ?? true }, images, new EmvPinState(pin, PIN_TRY_LIMIT, tries), keys);
  }

  /** The CA key the issuer certificates are signed with, under each application's RID and index. */
  certificationAuthorities(): EmvTestCertificationAuthority[] {
    const seen = new Map<string, EmvTestCertificationAuthority>();
    for (const p of this.applications) {
      const rid = p.aid.slice(0, 10);
      seen.set(`${rid}:${p.caIndex}`, { rid, index: p.caIndex, modulus: Uint8Array.from(this.keys.ca.modulus), exponent: Uint8Array.from(this.keys.ca.exponent) });
    }
    return [...seen.values()];
  }

  get pinTriesLeft(): number {
    return this.pin.triesLeft;
  }

  /** Commands answered since the last `clearExchanges`, oldest first (GET RESPONSE included). */
  get exchanges(): readonly EmvExchange[] {
    return [...this.log];
  }

  clearExchanges(): void {
    this.log.length = 0;
  }

  reset(): void {
    this.selection = { kind: 'none' };
    this.pending = undefined;
    this.pin.reset();
  }

  process(command: Uint8Array): Uint8Array {
    let apdu: CommandApdu;
    try {
      apdu = parseCommand(command);
    } catch {
      return status(S.wrongLength);
    }
    let response: Uint8Array;
    try {
      response = this.faultHook?.(command) ?? this.respond(apdu);
    } catch {
      // A bug here must look like a card fault, not crash the reader.
      response = status(S.noPreciseDiagnosis);
    }
    const n = response.length;
    this.log.push({ cla: apdu.cla, ins: apdu.ins, p1: apdu.p1, p2: apdu.p2, sw: ((response[n - 2] ?? 0) << 8) | (response[n - 1] ?? 0) });
    return response;
  }

  private respond(apdu: CommandApdu): Uint8Array {
    // T=0: anything but GET RESPONSE drops an unread case-4 answer.
    if (apdu.ins !== I.getResponse.ins) this.pending = undefined;
    const handlers: readonly (readonly [{ readonly cla: number; readonly ins: number }, (a: CommandApdu) => Uint8Array])[] = [
      [I.select, (a) => this.select(a)],
      [I.readRecord, (a) => this.readRecord(a)],
      [I.getProcessingOptions, (a) => this.getProcessingOptions(a)],
      [I.verify, (a) => this.verify(a)],
      [I.getData, (a) => this.getData(a)],
      [I.getResponse, (a) => this.getResponse(a)],
    ];
    const byIns = handlers.filter(([c]) => c.ins === apdu.ins);
    if (byIns.length === 0) return status(S.insNotSupported);
    const handler = byIns.find(([c]) => c.cla === apdu.cla);
    return handler ? handler[1](apdu) : status(S.claNotSupported);
  }

  /** Case 4 on T=0: keep the answer for GET RESPONSE and announce its length. */
  private announce(data: Uint8Array): Uint8Array {
    this.pending = data;
    return status(0x6100 | (data.length & 0xff));
  }

  /** Case 2 on T=0: the data when Le is exactly right, else 6Cxx with the right Le. */
  private exact(data: Uint8Array, ne: number): Uint8Array {
    if (ne !== data.length && !(ne === 256 && data.length === 0)) return status(0x6c00 | (data.length & 0xff));
    return reply(data, S.ok);
  }

  /**
   * Book 1 §11.3.2: SELECT by DF name. P2 00 selects the first application whose name begins
   * with the data (partial names), P2 02 the next one after the current selection, in card
   * order; none left is 6A82. A blocked application is selected with 6283 (Book 1 §12.3.3)
   * and its FCI kept for GET RESPONSE, as a T=0 card does with a warning (Book 1 §9.3.1.3).
   */
  private select({ p1, p2, data }: CommandApdu): Uint8Array {
    if (p1 !== 0x04) return status(S.incorrectP1P2);
    if (p2 !== SELECT_FIRST && p2 !== SELECT_NEXT) return status(S.incorrectP1P2);
    if (data.length < 5 || data.length > 16) return status(S.wrongLength);
    const name = Buffer.from(data).toString('latin1');
    if (p2 === SELECT_FIRST && name === PSE_NAME && this.options.pse) {
      this.enter({ kind: 'pse' });
      return this.announce(pseFci(this.applications[0]?.language ?? 'en'));
    }
    if (p2 === SELECT_FIRST && name === PPSE_NAME && this.options.ppse) {
      this.enter({ kind: 'ppse' });
      return this.announce(ppseFci(this.applications));
    }
    let from = 0;
    if (p2 === SELECT_NEXT) {
      const current = this.selection.kind === 'application' ? this.images.indexOf(this.selection.app) : -1;
      // "Next" is relative to a current application that matches the same name.
      if (current < 0 || !startsWith(this.images[current]?.aid ?? EMPTY, data)) return status(S.fileNotFound);
      from = current + 1;
    }
    const app = this.images.slice(from).find((i) => startsWith(i.aid, data));
    if (!app) return status(S.fileNotFound);
    this.enter({ kind: 'application', app, processing: false });
    if (app.profile.blocked) {
      this.pending = app.fci;
      return status(S.selectedFileDeactivated);
    }
    return this.announce(app.fci);
  }

  private enter(selection: Selection): void {
    this.selection = selection;
    this.pin.reset();
  }

  /** Book 3 §6.5.8: only once per selection, with a template as long as the PDOL asks. */
  private getProcessingOptions({ p1, p2, data }: CommandApdu): Uint8Array {
    if (p1 !== 0 || p2 !== 0) return status(S.incorrectP1P2);
    const selection = this.selection;
    if (selection.kind !== 'application' || selection.processing || selection.app.profile.blocked) return status(S.conditionsNotSatisfied);
    const { app } = selection;
    if (data.length !== 2 + app.pdolLength || data[0] !== T.commandTemplate || data[1] !== app.pdolLength) return status(S.wrongLength);
    selection.processing = true;
    this.atc++;
    const answer = app.profile.responseFormat === 1
      ? tlv(T.responseFormat1, [app.aip, app.afl])
      : tlv(T.responseFormat2, [tlv(T.aip, app.aip), tlv(T.afl, app.afl)]);
    return this.announce(answer);
  }

  /** Book 3 §6.5.11: P2 = SFI << 3 | 4; an application's files open only after GPO. */
  private readRecord({ p1, p2, data, ne }: CommandApdu): Uint8Array {
    if (data.length > 0) return status(S.wrongLength);
    if (p1 === 0 || (p2 & 0x07) !== 0x04 || p2 >> 3 === 0) return status(S.incorrectP1P2);
    const sfi = p2 >> 3;
    const selection = this.selection;
    let file: readonly Uint8Array[] | undefined;
    switch (selection.kind) {
      case 'pse':
        file = sfi === PSE_DIRECTORY_SFI ? pseRecords(this.applications) : undefined;
        break;
      case 'application':
        if (!selection.processing) return status(S.conditionsNotSatisfied);
        file = selection.app.records.get(sfi);
        break;
      case 'ppse':
        file = undefined;
        break;
      case 'none':
        return status(S.conditionsNotSatisfied);
    }
    if (!file) return status(S.fileNotFound);
    const record = file[p1 - 1];
    if (!record) return status(S.recordNotFound);
    return this.exact(record, ne);
  }

  /** Book 3 §6.5.12: offline plaintext PIN (P2 80) after GPO; no data asks for the status. */
  private verify({ p1, p2, data }: CommandApdu): Uint8Array {
    if (p1 !== 0) return status(S.incorrectP1P2);
    if (p2 === 0x88) return status(S.functionNotSupported);
    if (p2 !== PLAINTEXT_PIN_QUALIFIER) return status(S.incorrectP1P2);
    const selection = this.selection;
    if (selection.kind !== 'application' || !selection.processing) return status(S.conditionsNotSatisfied);
    if (data.length === 0) {
      if (this.pin.triesLeft === 0) return status(S.authenticationBlocked);
      return status(this.pin.isVerified ? S.ok : 0x63c0 | this.pin.triesLeft);
    }
    if (data.length !== 8) return status(S.wrongLength);
    const candidate = decodePinBlock(data);
    if (candidate === undefined) return status(S.wrongData);
    return status(this.pin.present(candidate));
  }

  /** Book 3 §6.5.7: the PIN try counter and the transaction counters, in the selected application. */
  private getData({ p1, p2, data, ne }: CommandApdu): Uint8Array {
    if (data.length > 0) return status(S.wrongLength);
    if (this.selection.kind !== 'application') return status(S.conditionsNotSatisfied);
    const tag = (p1 << 8) | p2;
    let value: Uint8Array;
    if (tag === T.pinTryCounter) value = Uint8Array.of(this.pin.triesLeft);
    else if (tag === T.applicationTransactionCounter) value = Uint8Array.of(this.atc >> 8, this.atc & 0xff);
    else if (tag === T.lastOnlineAtc) value = Uint8Array.of(0, 0);
    else return status(S.referencedDataNotFound);
    return this.exact(tlv(tag, value), ne);
  }

  private getResponse({ p1, p2, data, ne }: CommandApdu): Uint8Array {
    if (p1 !== 0 || p2 !== 0) return status(S.incorrectP1P2);
    if (data.length > 0) return status(S.wrongLength);
    const pending = this.pending;
    if (!pending) return status(S.conditionsNotSatisfied);
    const wanted = ne === 0 ? 256 : ne;
    if (wanted > pending.length) return status(0x6c00 | (pending.length & 0xff));
    const rest = pending.subarray(wanted);
    if (rest.length === 0) {
      this.pending = undefined;
      return reply(pending, S.ok);
    }
    this.pending = rest;
    return reply(pending.subarray(0, wanted), 0x6100 | (rest.length & 0xff));
  }
}
