import { createHash, randomBytes } from 'node:crypto';
import { toHex } from '@t1c/smartcard/codec';
import { SmartCardError } from '@t1c/smartcard/errors';
import { CardSession, type CardConnection, type ReaderBackend, type ReaderStatus } from '@t1c/smartcard/reader';
import type { CardModuleName, ReaderInfo } from '../ipc/index.js';
import type { AnyCardModule, CardContext } from './card-module.js';
import { ReaderLocks } from './reader-locks.js';
import type { CardModuleRegistry } from './registry.js';

interface KnownReader {
  readonly id: string;
  readonly backend: ReaderBackend;
  pinpad: boolean | undefined;
  /** The card in it as last seen: what tells a new insertion from the same one. */
  inserted: Insertion | undefined;
}

interface Insertion {
  readonly id: string;
  readonly atr: string;
  readonly events: number | undefined;
  /** The module a probe found for this insertion (null: none); undefined until probed. */
  probed?: CardModuleName | null;
}

/**
 * The readers of one or more backends (PC/SC, and the in-process virtual reader for demos):
 * stable ids while plugged in, one id per card insertion, the card module of each card (from
 * the registry's ATR table), and the one way to reach a card (`withCard`).
 */
export class ReaderTracker {
  private readonly known = new Map<string, KnownReader>();
  private plugCounter = 0;
  private readonly locks = new ReaderLocks();

  constructor(private readonly backends: readonly ReaderBackend[], private readonly registry: CardModuleRegistry) {}

  async listReaders(): Promise<ReaderInfo[]> {
    const seen: { status: ReaderStatus; backend: ReaderBackend }[] = [];
    for (const backend of this.backends) {
      for (const status of await backend.listReaders()) seen.push({ status, backend });
    }
    const names = new Set(seen.map((s) => s.status.name));
    for (const name of [...this.known.keys()]) {
      if (!names.has(name)) {
        this.known.delete(name);
        this.registry.forget(name);
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
      if (!status.atr) this.registry.forget(status.name);
      if (status.atr && entry.pinpad === undefined) entry.pinpad = await this.probePinpad(backend, status.name);
      const inserted = this.insertion(entry, status);
      const module = status.atr && inserted ? this.registry.recognise(status.atr) ?? await this.probe(backend, status.name, inserted) : null;
      out.push({
        id: entry.id,
        name: status.name,
        card: status.atr && inserted ? { atr: inserted.atr, module, insertion: inserted.id } : null,
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
  private insertion(entry: KnownReader, status: ReaderStatus): Insertion | undefined {
    if (!status.atr) {
      entry.inserted = undefined;
      return undefined;
    }
    const atr = toHex(status.atr);
    const last = entry.inserted;
    if (!last || last.atr !== atr || last.events !== status.events) {
      // What modules kept was for the card that went: dropped now, not at the next op.
      if (last) this.registry.forget(status.name);
      entry.inserted = { id: randomBytes(12).toString('hex'), atr, events: status.events };
    }
    return entry.inserted;
  }

  /** Runs the probing modules once per insertion on a card no ATR row claimed. */
  private async probe(backend: ReaderBackend, name: string, inserted: Insertion): Promise<CardModuleName | null> {
    if (inserted.probed !== undefined) return inserted.probed;
    const modules = this.registry.probing();
    inserted.probed = null;
    if (modules.length === 0) return null;
    try {
      const connection = await backend.connect(name, { shareMode: 'shared' });
      try {
        for (const module of modules) {
          // A card that refuses one module's probe may still be another's.
          if (await module.probe?.(new CardSession(connection)).catch(() => false)) {
            inserted.probed = module.name;
            this.registry.rememberProbed(inserted.atr, module.name);
            break;
          }
        }
      } finally {
        await connection.disconnect('leave').catch(() => undefined);
      }
    } catch {
      // Busy or gone: listed without a module; the next insertion is probed again.
    }
    return inserted.probed;
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
    // Several backends cannot share one blocking wait; the first waits, the others are polled.
    const [first, ...rest] = this.backends;
    for (;;) {
      // The snapshot the wait compares against is taken before the listing: a change between
      // the two shows in the listing or ends the wait at once, never waits out the timeout.
      const statuses = first ? await first.listReaders() : [];
      const now = await this.listReaders();
      const left = deadline - Date.now();
      if (!first || fingerprint(now) !== before || left <= 0) return now;
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

  /**
   * Connects, runs `work` on the card in the reader if `module` handles it, and always
   * disconnects: after the answer is handed back, before the next op on the reader connects.
   */
  async withCard<T>(readerId: string, module: AnyCardModule, work: (card: CardContext) => Promise<T>): Promise<T> {
    const { name, entry } = await this.reader(readerId);
    return this.locks.runUntil(name, () => this.onCard(name, entry, module, work));
  }

  /** A shared connection to the card in the reader, for modules that hold one across ops. */
  async connect(readerId: string): Promise<{ connection: CardConnection; readerName: string }> {
    const { name, entry } = await this.reader(readerId);
    return { connection: await entry.backend.connect(name, { shareMode: 'shared' }), readerName: name };
  }

  /** Runs `work` when no other op uses the reader (one op per reader at a time, in arrival order). */
  withReaderLock<T>(readerName: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(readerName, work);
  }

  private async onCard<T>(name: string, entry: KnownReader, module: AnyCardModule, work: (card: CardContext) => Promise<T>): Promise<{ value: T; released: Promise<void> }> {
    const connection = await this.connectCard(name, entry);
    const release = (): Promise<void> => connection.disconnect('leave').catch(() => undefined);
    try {
      if (entry.pinpad === undefined) entry.pinpad = (await connection.features()).verifyPinDirect !== undefined;
      // Read after connecting, once per op: a card swapped later breaks this connection instead.
      let inserted: Promise<Insertion | undefined> | undefined;
      const insertion = (): Promise<Insertion | undefined> => (inserted ??= this.currentInsertion(name, entry));
      await this.checkModule(name, entry, connection.atr, module, insertion);
      const value = await work({ session: new CardSession(connection), readerName: name, insertion: async () => (await insertion())?.id });
      return { value, released: release() };
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** Connects; a failure on an empty reader says "no card", whatever the platform answered. */
  private async connectCard(name: string, entry: KnownReader): Promise<CardConnection> {
    try {
      return await entry.backend.connect(name, { shareMode: 'shared' });
    } catch (error) {
      const status = await this.readerStatus(name, entry).catch(() => undefined);
      if (status && !status.atr) throw new SmartCardError('PCSC_NO_CARD', `no card in ${name}`);
      throw error;
    }
  }

  private async readerStatus(name: string, entry: KnownReader): Promise<ReaderStatus | undefined> {
    return entry.backend.readerStatus
      ? entry.backend.readerStatus(name)
      : (await entry.backend.listReaders()).find((s) => s.name === name);
  }

  private async currentInsertion(name: string, entry: KnownReader): Promise<Insertion | undefined> {
    const status = await this.readerStatus(name, entry);
    return status ? this.insertion(entry, status) : undefined;
  }

  /**
   * The card must be the module's, as a listing would have named it: claimed by the module's
   * ATR rows, or, for a module that probes (no ATR rows), unclaimed and recognised by this
   * insertion's probe. The error names the module, so the API can say which.
   */
  private async checkModule(name: string, entry: KnownReader, atr: Uint8Array, module: AnyCardModule, insertion: () => Promise<Insertion | undefined>): Promise<void> {
    const claimed = this.registry.recognise(atr);
    let handled: CardModuleName | null | undefined = claimed;
    if (claimed === undefined && module.atrs.length === 0) {
      const inserted = await insertion();
      handled = inserted ? await this.probe(entry.backend, name, inserted) : undefined;
    }
    if (handled !== module.name) {
      throw new SmartCardError('CARD_UNKNOWN', `the card in the reader is not handled by the ${module.name} module`, { module: module.name });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.backends.map((b) => b.close()));
  }
}
