import { SmartCardError } from '@t1c/smartcard/errors';

/**
 * How long an op waits for the reader behind another op. Shorter than every op's IPC timeout
 * (past which the API restarts the sandbox), so a reader kept busy by a pinpad entry gives a
 * clear "reader busy" instead of a killed sandbox.
 */
export const READER_WAIT_MS = 20_000;

/**
 * One card operation per reader at a time inside the sandbox. All connections share one PC/SC
 * context, and pcsc-lite holds that context's lock while SCardBeginTransaction waits: two of our
 * own transactions on one reader would wait on each other forever. Queued in arrival order.
 */
export class ReaderLocks {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly maxWaitMs: number = READER_WAIT_MS) {}

  async run<T>(readerName: string, work: () => Promise<T>): Promise<T> {
    return this.runUntil(readerName, async () => ({ value: await work(), released: Promise.resolve() }));
  }

  /**
   * As run, but the caller gets `value` as soon as `work` has it, while the reader stays held
   * until `released` settles: an answer need not wait for the card to be let go of, and the
   * next op still never overlaps it.
   */
  async runUntil<T>(readerName: string, work: () => Promise<{ readonly value: T; readonly released: Promise<unknown> }>): Promise<T> {
    const before = this.tails.get(readerName) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    this.tails.set(readerName, tail);
    const cleanup = (): void => {
      release();
      if (this.tails.get(readerName) === tail) this.tails.delete(readerName);
    };
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      before.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), this.maxWaitMs);
      }),
    ]);
    clearTimeout(timer);
    if (!waited) {
      // Keep the queue's order: those behind this op wait for the op ahead, not for us.
      void before.then(cleanup);
      throw new SmartCardError('PCSC_SHARING_VIOLATION', 'the reader is busy with another operation');
    }
    let outcome: { readonly value: T; readonly released: Promise<unknown> };
    try {
      outcome = await work();
    } catch (error) {
      cleanup();
      throw error;
    }
    outcome.released.then(cleanup, cleanup);
    return outcome.value;
  }
}
