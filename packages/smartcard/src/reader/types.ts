/**
 * The one reader abstraction every card module uses. Two backends implement it: PC/SC
 * (the operating system's smart-card service) and an in-process virtual reader.
 */
export type ShareMode = 'shared' | 'exclusive';
export type Protocol = 'T0' | 'T1' | 'RAW';
/** What happens to the card when a connection or transaction ends. */
export type Disposition = 'leave' | 'reset' | 'unpower' | 'eject';

export interface ReaderStatus {
  readonly name: string;
  /** ATR of the inserted card, or null when the slot is empty (or the card is mute). */
  readonly atr: Uint8Array | null;
  readonly inUse: boolean;
  readonly exclusive: boolean;
  readonly mute: boolean;
  /**
   * Card insertions and removals seen in this reader so far, where the platform counts them
   * (PC/SC: the upper 16 bits of dwEventState). A new value with the same ATR means the card
   * was taken out and put back, or swapped for an identical one, between two listings.
   */
  readonly events?: number;
}

export interface ConnectOptions {
  readonly shareMode?: ShareMode;
  readonly protocols?: readonly Protocol[];
}

/** PC/SC part 10 reader features (control codes by feature tag). */
export interface ReaderFeatures {
  readonly verifyPinDirect?: number;
  readonly modifyPinDirect?: number;
  readonly pinProperties?: number;
  readonly tlvProperties?: number;
}

/** A live connection to the card in one reader. */
export interface CardConnection {
  readonly readerName: string;
  readonly protocol: Protocol;
  readonly atr: Uint8Array;
  /** Raw transmit: no T=0 handling; see CardSession for that. */
  transmit(command: Uint8Array): Promise<Uint8Array>;
  control(code: number, data: Uint8Array): Promise<Uint8Array>;
  features(): Promise<ReaderFeatures>;
  beginTransaction(): Promise<void>;
  endTransaction(disposition?: Disposition): Promise<void>;
  disconnect(disposition?: Disposition): Promise<void>;
}

export interface ReaderBackend {
  readonly kind: 'pcsc' | 'virtual';
  listReaders(): Promise<ReaderStatus[]>;
  /**
   * One reader's status (undefined: no such reader), without listing them all: for a per-request
   * check, one service round trip instead of three. Backends without it are listed instead.
   */
  readerStatus?(readerName: string): Promise<ReaderStatus | undefined>;
  /**
   * Resolves with the new reader list as soon as it differs from `known` (reader added or
   * removed, card inserted or removed), or with the unchanged list after `timeoutMs`.
   */
  waitForChange(known: readonly ReaderStatus[], timeoutMs: number): Promise<ReaderStatus[]>;
  connect(readerName: string, options?: ConnectOptions): Promise<CardConnection>;
  close(): Promise<void>;
}

export function sameReaderStatus(a: readonly ReaderStatus[], b: readonly ReaderStatus[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((r, i) => {
    const o = b[i];
    if (!o || o.name !== r.name || o.mute !== r.mute || o.events !== r.events) return false;
    if (r.atr === null || o.atr === null) return r.atr === o.atr;
    return Buffer.from(r.atr).equals(Buffer.from(o.atr));
  });
}
