import { SmartCardError } from '../errors.js';
import type { CardConnection, ConnectOptions, Disposition, ReaderBackend, ReaderFeatures, ReaderStatus } from './types.js';
import { sameReaderStatus } from './types.js';

/** What a virtual card must do to sit in a virtual (or vpcd) reader. */
export interface VirtualCard {
  readonly atr: Uint8Array;
  /** Power-on or reset: volatile state (selected file, PIN status, security environment) is lost. */
  reset(): void;
  process(command: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

interface Slot {
  readonly name: string;
  card: VirtualCard | null;
  /** Bumped on every insert/remove so stale connections notice. */
  generation: number;
  exclusiveHolder: VirtualConnection | null;
  transactionHolder: VirtualConnection | null;
}

/** Readers that live in this process and host virtual cards; for unit tests and demos. */
export class VirtualReaderBackend implements ReaderBackend {
  readonly kind = 'virtual' as const;
  private readonly slots: Slot[] = [];
  private listeners = new Set<() => void>();

  addReader(name: string, card: VirtualCard | null = null): void {
    if (this.slots.some((s) => s.name === name)) throw new RangeError(`reader ${name} exists`);
    this.slots.push({ name, card, generation: 0, exclusiveHolder: null, transactionHolder: null });
    this.changed();
  }

  removeReader(name: string): void {
    const index = this.slots.findIndex((s) => s.name === name);
    if (index >= 0) {
      const [slot] = this.slots.splice(index, 1);
      if (slot) slot.generation++;
    }
    this.changed();
  }

  insert(name: string, card: VirtualCard): void {
    const slot = this.slot(name);
    slot.card = card;
    slot.generation++;
    card.reset();
    this.changed();
  }

  remove(name: string): void {
    const slot = this.slot(name);
    slot.card = null;
    slot.generation++;
    slot.exclusiveHolder = null;
    slot.transactionHolder = null;
    this.changed();
  }

  async listReaders(): Promise<ReaderStatus[]> {
    return this.slots.map((s) => ({
      name: s.name,
      atr: s.card ? Uint8Array.from(s.card.atr) : null,
      inUse: s.exclusiveHolder !== null,
      exclusive: s.exclusiveHolder !== null,
      mute: false,
      events: s.generation,
    }));
  }

  async waitForChange(known: readonly ReaderStatus[], timeoutMs: number): Promise<ReaderStatus[]> {
    const now = await this.listReaders();
    if (!sameReaderStatus(now, known)) return now;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.listeners.add(done);
    });
    return this.listReaders();
  }

  async connect(readerName: string, options: ConnectOptions = {}): Promise<CardConnection> {
    const slot = this.slots.find((s) => s.name === readerName);
    if (!slot) throw new SmartCardError('PCSC_UNKNOWN_READER', `SCardConnect failed: no reader named ${readerName}`);
    if (!slot.card) throw new SmartCardError('PCSC_NO_CARD', `SCardConnect failed: no card in ${readerName}`);
    if (slot.exclusiveHolder) throw new SmartCardError('PCSC_SHARING_VIOLATION', `SCardConnect failed: ${readerName} is held exclusively`);
    const connection = new VirtualConnection(slot, slot.card);
    if (options.shareMode === 'exclusive') slot.exclusiveHolder = connection;
    return connection;
  }

  async close(): Promise<void> {
    for (const l of [...this.listeners]) l();
  }

  private slot(name: string): Slot {
    const slot = this.slots.find((s) => s.name === name);
    if (!slot) throw new RangeError(`no virtual reader named ${name}`);
    return slot;
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}

class VirtualConnection implements CardConnection {
  readonly readerName: string;
  readonly protocol = 'T0' as const;
  readonly atr: Uint8Array;
  private readonly generation: number;
  private open = true;

  constructor(private readonly slot: Slot, private readonly card: VirtualCard) {
    this.readerName = slot.name;
    this.atr = Uint8Array.from(card.atr);
    this.generation = slot.generation;
  }

  private check(): void {
    if (!this.open) throw new SmartCardError('PCSC_CARD_REMOVED', 'the card connection is closed');
    if (this.slot.generation !== this.generation || this.slot.card !== this.card) {
      throw new SmartCardError('PCSC_CARD_REMOVED', 'SCardTransmit failed: SCARD_W_REMOVED_CARD', { call: 'SCardTransmit' });
    }
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    this.check();
    const answer = await this.card.process(Uint8Array.from(command));
    this.check();
    return answer;
  }

  async control(): Promise<Uint8Array> {
    this.check();
    throw new SmartCardError('PCSC_UNSUPPORTED', 'SCardControl failed: SCARD_E_UNSUPPORTED_FEATURE');
  }

  async features(): Promise<ReaderFeatures> {
    return {};
  }

  async beginTransaction(): Promise<void> {
    this.check();
    // One process, one event loop: waiting for another holder would deadlock a test, so refuse.
    if (this.slot.transactionHolder && this.slot.transactionHolder !== this) {
      throw new SmartCardError('PCSC_SHARING_VIOLATION', 'SCardBeginTransaction failed: card in use');
    }
    this.slot.transactionHolder = this;
  }

  async endTransaction(disposition: Disposition = 'leave'): Promise<void> {
    if (this.slot.transactionHolder === this) this.slot.transactionHolder = null;
    if (disposition !== 'leave' && this.slot.card === this.card) this.card.reset();
  }

  async disconnect(disposition: Disposition = 'leave'): Promise<void> {
    if (!this.open) return;
    this.open = false;
    if (this.slot.exclusiveHolder === this) this.slot.exclusiveHolder = null;
    if (this.slot.transactionHolder === this) this.slot.transactionHolder = null;
    if (disposition !== 'leave' && this.slot.card === this.card) this.card.reset();
  }
}
