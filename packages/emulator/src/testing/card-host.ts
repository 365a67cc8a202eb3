import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cardHostReplySchema, type CardHostRequest, type HostedBeidCard } from './card-host-protocol.js';

export type { HostedBeidCard } from './card-host-protocol.js';

/**
 * Virtual BEID cards in vpcd readers, served from their own process: a real card is a separate
 * device, so CPU the reading program spends on its event loop must not delay the card's
 * answers (and the card's work must not count as the reader's). For benchmarks and tests.
 */
export interface CardHost {
  /** The card process, for callers that account for every process they started. */
  readonly pid: number;
  /** Builds a card from `card` in the card process and puts it in the vpcd reader on `port` (replacing one there). */
  insert(port: number, card?: HostedBeidCard): Promise<void>;
  /** Takes the card out of the reader on `port`; nothing when it is empty. */
  remove(port: number): Promise<void>;
  /** Removes every card and ends the card process. */
  close(): Promise<void>;
}

type Pending = { resolve: () => void; reject: (error: Error) => void };

class ProcessCardHost implements CardHost {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;
  private closed = false;

  readonly pid: number;

  constructor(private readonly child: ChildProcess) {
    this.pid = child.pid ?? -1;
    child.on('message', (message: unknown) => {
      const reply = cardHostReplySchema.safeParse(message);
      if (!reply.success) return;
      const waiting = this.pending.get(reply.data.id);
      this.pending.delete(reply.data.id);
      if (reply.data.error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(`card host: ${reply.data.error}`));
    });
    const fail = (error: Error): void => {
      this.failure = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`card host process exited (${signal ?? code ?? 'unknown'})`)));
  }

  insert(port: number, card: HostedBeidCard = {}): Promise<void> {
    return this.send({ id: this.nextId++, op: 'insert', port, card });
  }

  remove(port: number): Promise<void> {
    return this.send({ id: this.nextId++, op: 'remove', port });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failure) await this.send({ id: this.nextId++, op: 'close' });
    } finally {
      this.closed = true;
      await this.end();
    }
  }

  private async end(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.disconnect();
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }

  private send(request: CardHostRequest): Promise<void> {
    if (this.closed) return Promise.reject(new RangeError('the card host is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.child.send(request);
    });
  }
}

/** Starts the card process with this process's loader flags (execArgv, e.g. `--import tsx`). */
export async function startCardHost(): Promise<CardHost> {
  const child = fork(fileURLToPath(new URL('./card-host-process.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return new ProcessCardHost(child);
}
