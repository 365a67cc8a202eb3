import { createHash, randomBytes } from 'node:crypto';
import { CardSession, SmartCardError, toHex, type ReaderBackend, type ReaderStatus } from '@t1c/smartcard';
import { BeidCard, readAll, recogniseBeid, type BeidReadout } from '@t1c/smartcard/beid';
import type { CardService, PinInput, ReaderInfo, SignInput } from './types.js';

interface KnownReader {
  readonly id: string;
  readonly backend: ReaderBackend;
  pinpad: boolean | undefined;
  /** The card in it as last listed: what tells a new insertion from the same one. */
  inserted: { readonly id: string; readonly atr: string; readonly events: number | undefined } | undefined;
}

/**
 * CardService over one or more reader backends (PC/SC, and the in-process virtual reader for
 * demos). Runs in the sandbox process; nothing here knows about HTTP.
 */
export class LocalCardService implements CardService {
  private readonly known = new Map<string, KnownReader>();
  private plugCounter = 0;
  /** Full reads by reader name, reused while GET CARD DATA shows the same chip. */
  private readonly cache = new Map<string, BeidReadout>();

  constructor(private readonly backends: readonly ReaderBackend[]) {}

  async listReaders(): Promise<ReaderInfo[]> {
    const seen: { status: ReaderStatus; backend: ReaderBackend }[] = [];
    for (const backend of this.backends) {
      for (const status of await backend.listReaders()) seen.push({ status, backend });
    }
    const names = new Set(seen.map((s) => s.status.name));
    for (const name of [...this.known.keys()]) {
      if (!names.has(name)) {
        this.known.delete(name);
        this.cache.delete(name);
      }
    }
    const out: ReaderInfo[] = [];
    for (const { status, backend } of seen) {
      let entry = this.known.get(status.name);
      if (!entry) {
        // A new id each time a reader is plugged in: stable while connected, never reused.
        const id = createHash('sha256').update(`${status.name}\0${++this.plugCounter}\0${process.pid}`).digest('hex').slice(0, 16);
        entry = { id, backend, pinpad: undefined, inserted: undefined };
        this.known.set(status.name, entry);
      }
      if (!status.atr) this.cache.delete(status.name);
      if (status.atr && entry.pinpad === undefined) entry.pinpad = await this.probePinpad(backend, status.name);
      const inserted = this.insertion(entry, status);
      out.push({
        id: entry.id,
        name: status.name,
        card: status.atr && inserted ? { atr: inserted.atr, module: recogniseBeid(status.atr) ? 'beid' : null, insertion: inserted.id } : null,
        pinpad: entry.pinpad ?? false,
        virtual: backend.kind === 'virtual',
      });
    }
    return out;
  }

  /**
   * Same insertion while the card stayed listed with the same ATR and the platform's event
   * counter did not move; otherwise a fresh random id (so a restarted sandbox never reuses one).
   */
  private insertion(entry: KnownReader, status: ReaderStatus): KnownReader['inserted'] {
    if (!status.atr) {
      entry.inserted = undefined;
      return undefined;
    }
    const atr = toHex(status.atr);
    const last = entry.inserted;
    if (!last || last.atr !== atr || last.events !== status.events) {
      entry.inserted = { id: randomBytes(12).toString('hex'), atr, events: status.events };
    }
    return entry.inserted;
  }

  /** Asks the reader for its PC/SC part 10 features once; undefined when it is busy. */
  private async probePinpad(backend: ReaderBackend, name: string): Promise<boolean | undefined> {
    try {
      const connection = await backend.connect(name, { shareMode: 'shared' });
      try {
        return (await connection.features()).verifyPinDirect !== undefined;
      } finally {
        await connection.disconnect('leave').catch(() => undefined);
      }
    } catch {
      return undefined;
    }
  }

  async waitForReaderChange(known: readonly ReaderInfo[], timeoutMs: number): Promise<ReaderInfo[]> {
    const deadline = Date.now() + timeoutMs;
    const fingerprint = (list: readonly ReaderInfo[]): string => JSON.stringify(list.map((r) => [r.id, r.card?.atr ?? null, r.card?.insertion ?? null]));
    const before = fingerprint(known);
    for (;;) {
      const now = await this.listReaders();
      const left = deadline - Date.now();
      if (fingerprint(now) !== before || left <= 0) return now;
      // Several backends cannot share one blocking wait; the first waits, the others are polled.
      const [first, ...rest] = this.backends;
      if (!first) return now;
      const statuses = await first.listReaders();
      await first.waitForChange(statuses, rest.length > 0 ? Math.min(left, 250) : left);
    }
  }

  private async reader(readerId: string): Promise<{ name: string; entry: KnownReader }> {
    let found = [...this.known.entries()].find(([name, e]) => e.id === readerId || name === readerId);
    if (!found) {
      await this.listReaders();
      found = [...this.known.entries()].find(([name, e]) => e.id === readerId || name === readerId);
    }
    if (!found) throw new SmartCardError('PCSC_UNKNOWN_READER', `no reader with id ${readerId}`);
    return { name: found[0], entry: found[1] };
  }

  /** Connects, runs `work` on the Belgian eID in the reader, and always disconnects. */
  private async withBeid<T>(readerId: string, work: (card: BeidCard, name: string) => Promise<T>): Promise<T> {
    const { name, entry } = await this.reader(readerId);
    const connection = await entry.backend.connect(name, { shareMode: 'shared' });
    try {
      if (entry.pinpad === undefined) entry.pinpad = (await connection.features()).verifyPinDirect !== undefined;
      return await work(BeidCard.open(new CardSession(connection)), name);
    } finally {
      await connection.disconnect('leave').catch(() => undefined);
    }
  }

  readBeid(readerId: string): Promise<BeidReadout> {
    return this.withBeid(readerId, async (card, name) => {
      const cached = this.cache.get(name);
      if (cached) {
        const data = await card.readCardData();
        if (data.serialNumber === cached.cardData.serialNumber) return { ...cached, cardData: data, apduCount: card.session.apduCount };
      }
      const readout = await readAll(card);
      this.cache.set(name, readout);
      return readout;
    });
  }

  verifyBeidPin(readerId: string, pin: PinInput): Promise<void> {
    return this.withBeid(readerId, (card) => card.verifyPin(pin));
  }

  signBeid(readerId: string, input: SignInput): Promise<Uint8Array> {
    return this.withBeid(readerId, (card) => card.sign({ ...input }));
  }

  async close(): Promise<void> {
    this.cache.clear();
    await Promise.all(this.backends.map((b) => b.close()));
  }
}
