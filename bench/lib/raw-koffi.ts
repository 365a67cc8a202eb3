// The lowest floor: the same APDUs through libpcsclite with a minimal koffi binding and one
// reused response buffer. Calls go through koffi's worker thread (.async) like the binding's:
// the virtual card answers on this process's event loop, so a synchronous call would deadlock.
// Linux (pcsc-lite LP64 types) only; bench use only.
import koffi from 'koffi';

interface Native {
  (...args: unknown[]): number;
  async: (...args: unknown[]) => void;
}
const lib = koffi.load('libpcsclite.so.1');
const fn = (decl: string): Native => lib.func(decl) as unknown as Native;
const establish = fn('long SCardEstablishContext(unsigned long scope, void *r1, void *r2, _Out_ long *ctx)');
const release = fn('long SCardReleaseContext(long ctx)');
const connect = fn('long SCardConnect(long ctx, const char *reader, unsigned long share, unsigned long protocols, _Out_ long *card, _Out_ unsigned long *active)');
const disconnect = fn('long SCardDisconnect(long card, unsigned long disposition)');
const begin = fn('long SCardBeginTransaction(long card)');
const end = fn('long SCardEndTransaction(long card, unsigned long disposition)');
const io = koffi.struct('BENCH_SCARD_IO_REQUEST', { dwProtocol: 'unsigned long', cbPciLength: 'unsigned long' });
const transmit = lib.func('SCardTransmit', 'long', ['long', koffi.pointer(io), 'uint8_t*', 'unsigned long', 'void*', 'uint8_t*', koffi.inout(koffi.pointer('unsigned long'))]) as unknown as Native;

const check = (call: string, rv: number): void => {
  if (rv !== 0) throw new Error(`${call}: 0x${(rv >>> 0).toString(16)}`);
};
const call = (f: Native, name: string, ...args: unknown[]): Promise<void> => new Promise((resolve, reject) => {
  f.async(...args, (error: unknown, rv: unknown) => {
    if (error) reject(error instanceof Error ? error : new Error(String(error)));
    else if (Number(rv) !== 0) reject(new Error(`${name}: 0x${(Number(rv) >>> 0).toString(16)}`));
    else resolve();
  });
});

/** One context for the run, like the sandbox keeps one. */
export class RawKoffiFloor {
  private readonly context: number;
  private readonly response = Buffer.alloc(65538);

  constructor() {
    const out = [0];
    check('SCardEstablishContext', establish(2, null, null, out));
    this.context = out[0] ?? 0;
  }

  /** Connect, one transaction, every command, disconnect: what a full read minimally costs. */
  async replay(reader: string, commands: readonly Buffer[]): Promise<void> {
    const card = [0];
    const active = [0];
    await call(connect, 'SCardConnect', this.context, reader, 2, 3, card, active);
    const handle = card[0] ?? 0;
    const pci = { dwProtocol: active[0] ?? 0, cbPciLength: 16 };
    try {
      await call(begin, 'SCardBeginTransaction', handle);
      for (const c of commands) await call(transmit, 'SCardTransmit', handle, pci, c, c.length, null, this.response, [this.response.length]);
      await call(end, 'SCardEndTransaction', handle, 0);
    } finally {
      await call(disconnect, 'SCardDisconnect', handle, 0);
    }
  }

  close(): void {
    release(this.context);
  }
}
