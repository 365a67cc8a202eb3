import type { BeidReadout, BeidSigningKey, DigestAlgorithm } from '@t1c/smartcard/beid';

/** A reader as the connector shows it: a stable id while it stays connected. */
export interface ReaderInfo {
  /** Stable while the reader stays plugged in; derived from the name and its plug-in order. */
  readonly id: string;
  readonly name: string;
  readonly card: {
    readonly atr: string;
    readonly module: CardModuleName | null;
    /** Random per insertion of a card: a card taken out and put back gets a new one. Never sent to pages. */
    readonly insertion: string;
  } | null;
  readonly pinpad: boolean;
  readonly virtual: boolean;
}

export type CardModuleName = 'beid';

/** The PIN as ASCII digits (a buffer so it can be wiped), or "use the reader's pinpad". */
export type PinInput = { readonly kind: 'digits'; readonly pin: Uint8Array } | { readonly kind: 'pinpad' };

export interface SignInput {
  readonly key: BeidSigningKey;
  readonly algorithm: DigestAlgorithm;
  readonly digest: Uint8Array;
  readonly pin?: PinInput;
}

/**
 * Everything card-facing the connector needs, over PC/SC and the optional in-process virtual
 * reader. The sandbox process and `t1c card` use it; the API reaches the sandbox's over IPC.
 */
export interface CardService {
  listReaders(): Promise<ReaderInfo[]>;
  /** Resolves when the reader list differs from the `known` one or after `timeoutMs`. */
  waitForReaderChange(known: readonly ReaderInfo[], timeoutMs: number): Promise<ReaderInfo[]>;
  /** Full read; immutable files are cached per inserted card and dropped on removal. */
  readBeid(readerId: string): Promise<BeidReadout>;
  verifyBeidPin(readerId: string, pin: PinInput): Promise<void>;
  signBeid(readerId: string, input: SignInput): Promise<Uint8Array>;
  close(): Promise<void>;
}
