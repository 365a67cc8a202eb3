import { SmartCardError, isSmartCardError } from '../errors.js';
import type { CardConnection, ConnectOptions, ReaderBackend, ReaderStatus } from '../reader/types.js';
import * as C from './constants.js';
import { pcscError } from './errors.js';
import { callAsync, pcscNative, type PcscNative, type ReaderStateStruct } from './native.js';
import { PcscConnection, protocolMask } from './pcsc-connection.js';

/** SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, SCARD_E_INVALID_HANDLE: the context died with the service. */
const SERVICE_GONE: ReadonlySet<number> = new Set([0x8010001d, 0x8010001e, 0x80100003]);

/** A pcsc-lite / winscard / PCSC.framework context, re-established if the service restarts. */
class Context {
  private handle: number | undefined;
  constructor(private readonly native: PcscNative) {}

  get(): number {
    if (this.handle !== undefined && this.native.isValidContext(this.handle) === C.SCARD_S_SUCCESS) return this.handle;
    this.handle = undefined;
    const out = [0];
    const rv = this.native.establishContext(C.SCARD_SCOPE_SYSTEM, null, null, out);
    if (rv !== C.SCARD_S_SUCCESS) throw pcscError('SCardEstablishContext', rv);
    this.handle = out[0] ?? 0;
    return this.handle;
  }

  peek(): number | undefined {
    return this.handle;
  }

  release(): void {
    if (this.handle !== undefined) this.native.releaseContext(this.handle);
    this.handle = undefined;
  }
}

function toStatus(state: ReaderStateStruct): ReaderStatus {
  const present = (state.dwEventState & C.SCARD_STATE_PRESENT) !== 0;
  const mute = (state.dwEventState & C.SCARD_STATE_MUTE) !== 0;
  return {
    name: state.szReader,
    atr: present && !mute && state.cbAtr > 0 ? Uint8Array.from(state.rgbAtr.slice(0, state.cbAtr)) : null,
    inUse: (state.dwEventState & C.SCARD_STATE_INUSE) !== 0,
    exclusive: (state.dwEventState & C.SCARD_STATE_EXCLUSIVE) !== 0,
    mute,
    events: state.dwEventState >>> 16,
  };
}

export class PcscBackend implements ReaderBackend {
  readonly kind = 'pcsc' as const;
  private readonly native = pcscNative();
  private readonly commands = new Context(this.native);
  private readonly waits = new Set<Context>();
  private closed = false;
  /** Reader names are not secret: one buffer is reused for every listing. */
  private readonly namesBuffer = Buffer.alloc(4096);

  private blankState(name: string, current = C.SCARD_STATE_UNAWARE): ReaderStateStruct {
    return { szReader: name, pvUserData: null, dwCurrentState: current, dwEventState: 0, cbAtr: 0, rgbAtr: new Array<number>(this.native.atrSize).fill(0) };
  }

  private readerNames(): string[] {
    const ctx = this.commands.get();
    // Usually one call: a buffer that holds most reader lists; asked for the size only when it is short.
    let buffer = this.namesBuffer;
    const size = [buffer.length];
    let rv = this.native.listReaders(ctx, null, buffer, size);
    if ((rv >>> 0) === 0x80100008) {
      size[0] = 0;
      rv = this.native.listReaders(ctx, null, null, size);
      if ((rv >>> 0) === 0x8010002e) return [];
      if (rv !== C.SCARD_S_SUCCESS) throw pcscError('SCardListReaders', rv);
      buffer = Buffer.alloc(size[0] ?? 0);
      rv = this.native.listReaders(ctx, null, buffer, size);
    }
    if ((rv >>> 0) === 0x8010002e) return [];
    if (rv !== C.SCARD_S_SUCCESS) throw pcscError('SCardListReaders', rv);
    return buffer.subarray(0, Math.min(size[0] ?? 0, buffer.length)).toString('utf8').split('\0').filter((n) => n.length > 0);
  }

  async listReaders(): Promise<ReaderStatus[]> {
    this.assertOpen();
    try {
      return await this.readStatuses();
    } catch (error) {
      if (!(error instanceof SmartCardError) || !SERVICE_GONE.has(Number(error.details.pcscCode))) throw error;
      // A context from before a service restart is dead: make a new one and ask once more.
      this.commands.release();
      return this.readStatuses();
    }
  }

  async readerStatus(readerName: string): Promise<ReaderStatus | undefined> {
    this.assertOpen();
    try {
      return await this.readOneStatus(readerName);
    } catch (error) {
      if (!(error instanceof SmartCardError) || !SERVICE_GONE.has(Number(error.details.pcscCode))) throw error;
      this.commands.release();
      return this.readOneStatus(readerName);
    }
  }

  private async readOneStatus(readerName: string): Promise<ReaderStatus | undefined> {
    const states = [this.blankState(readerName)];
    const rv = (await callAsync(this.native.getStatusChange, this.commands.get(), 0, states, states.length)) >>> 0;
    if (rv === 0x80100009) return undefined;
    if (rv !== C.SCARD_S_SUCCESS && rv !== 0x8010000a) throw pcscError('SCardGetStatusChange', rv);
    const [state] = states;
    return state ? toStatus(state) : undefined;
  }

  private async readStatuses(): Promise<ReaderStatus[]> {
    const names = this.readerNames();
    if (names.length === 0) return [];
    const states = names.map((n) => this.blankState(n));
    const rv = await callAsync(this.native.getStatusChange, this.commands.get(), 0, states, states.length);
    // A reader unplugged between the two calls: list again.
    if ((rv >>> 0) === 0x80100009) return this.readStatuses();
    if (rv !== C.SCARD_S_SUCCESS && (rv >>> 0) !== 0x8010000a) throw pcscError('SCardGetStatusChange', rv);
    return states.map(toStatus);
  }

  async waitForChange(known: readonly ReaderStatus[], timeoutMs: number): Promise<ReaderStatus[]> {
    this.assertOpen();
    // Each wait gets its own context: a blocking SCardGetStatusChange holds its context, and
    // SCardCancel on that context is how close() wakes it.
    const deadline = Date.now() + timeoutMs;
    const context = new Context(this.native);
    const ctx = context.get();
    this.waits.add(context);
    try {
      const states = known.map((r) => this.blankState(r.name, r.atr ? C.SCARD_STATE_PRESENT : C.SCARD_STATE_EMPTY));
      // The PnP pseudo-reader reports readers added or removed; its state carries the count.
      states.push(this.blankState(C.PNP_NOTIFICATION, known.length << 16));
      const rv = (await callAsync(this.native.getStatusChange, ctx, Math.max(0, Math.floor(timeoutMs)), states, states.length)) >>> 0;
      // The service went away (restart, upgrade): that is a change too; wait for it to return.
      if (SERVICE_GONE.has(rv) || rv === 0x80100013) {
        this.commands.release();
        return await this.listWhenServiceReturns(known, deadline);
      }
      if (rv !== C.SCARD_S_SUCCESS && rv !== 0x8010000a && rv !== 0x80100009 && rv !== 0x80100002 && rv !== 0x80100017) {
        throw pcscError('SCardGetStatusChange', rv);
      }
      return this.closed ? [...known] : await this.listReaders();
    } finally {
      this.waits.delete(context);
      context.release();
    }
  }

  private async listWhenServiceReturns(known: readonly ReaderStatus[], deadline: number): Promise<ReaderStatus[]> {
    for (;;) {
      if (this.closed) return [...known];
      try {
        return await this.listReaders();
      } catch (error) {
        if (!isServiceDown(error) || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  async connect(readerName: string, options: ConnectOptions = {}): Promise<CardConnection> {
    this.assertOpen();
    const share = options.shareMode === 'exclusive' ? C.SCARD_SHARE_EXCLUSIVE : C.SCARD_SHARE_SHARED;
    const wanted = protocolMask(options.protocols ?? ['T0', 'T1']);
    const handle = [0];
    const active = [0];
    const rv = await callAsync(this.native.connect, this.commands.get(), readerName, share, wanted, handle, active);
    if (rv !== C.SCARD_S_SUCCESS) throw pcscError('SCardConnect', rv);
    try {
      return await PcscConnection.open(this.native, readerName, handle[0] ?? 0, active[0] ?? 0);
    } catch (error) {
      this.native.disconnect(handle[0] ?? 0, C.SCARD_LEAVE_CARD);
      throw error;
    }
  }

  /** Wakes every pending waitForChange (SCardCancel is the one call safe from another thread). */
  cancelWaits(): void {
    for (const context of this.waits) {
      const ctx = context.peek();
      if (ctx !== undefined) this.native.cancel(ctx);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelWaits();
    while (this.waits.size > 0) await new Promise((r) => setTimeout(r, 5));
    this.commands.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new SmartCardError('PCSC_CANCELLED', 'the PC/SC backend is closed');
  }
}

export function isServiceDown(error: unknown): boolean {
  return isSmartCardError(error, 'PCSC_NO_SERVICE');
}
