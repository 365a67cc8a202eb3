/**
 * One card operation per reader at a time inside the sandbox. All connections share one PC/SC
 * context, and pcsc-lite holds that context's lock while SCardBeginTransaction waits: two of our
 * own transactions on one reader would wait on each other forever. Queued in arrival order.
 */
export class ReaderLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(readerName: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(readerName) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    this.tails.set(readerName, tail);
    await before;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(readerName) === tail) this.tails.delete(readerName);
    }
  }
}
