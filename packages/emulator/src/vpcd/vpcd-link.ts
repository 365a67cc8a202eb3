import { connect, type Socket } from 'node:net';
import type { VirtualCard } from '@t1c/smartcard/reader';
import { encodeFrame, FrameReader, VpcdControl } from './frames.js';
import { setQuickAck } from './quick-ack.js';

export interface VpcdOptions {
  readonly host?: string;
  /** vpcd slot port: 35963 is "Virtual PCD 00 00", 35964 "… 00 01". */
  readonly port?: number;
  /** Keep trying to connect (and reconnect when pcscd restarts) instead of failing; for long-running emulators. */
  readonly retryMs?: number;
}

/** A card sitting in a vpcd reader. Removal closes the socket; insertion connects again. */
export interface VpcdLink {
  readonly host: string;
  readonly port: number;
  /** The inserted card, or undefined after removeCard(). */
  readonly card: VirtualCard | undefined;
  /** Whether TCP_QUICKACK could be set on the socket (Linux only). */
  readonly quickAck: boolean;
  insert(card: VirtualCard): Promise<void>;
  removeCard(): Promise<void>;
  close(): Promise<void>;
}

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const fail = (error: Error): void => {
      socket.destroy();
      reject(new Error(`cannot reach vpcd at ${host}:${port} (is pcscd with the vpcd driver running?): ${error.message}`));
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

class Link implements VpcdLink {
  card: VirtualCard | undefined;
  quickAck = false;
  private socket: Socket | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(readonly host: string, readonly port: number, private readonly retryMs: number | undefined) {}

  async insert(card: VirtualCard): Promise<void> {
    if (this.closed) throw new RangeError('the vpcd link is closed');
    if (this.socket) await this.removeCard();
    this.card = card;
    card.reset();
    await this.connectOrRetry();
  }

  async removeCard(): Promise<void> {
    this.card = undefined;
    clearTimeout(this.retryTimer);
    await this.disconnect();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.removeCard();
  }

  private async connectOrRetry(): Promise<void> {
    const card = this.card;
    if (!card || this.closed) return;
    try {
      this.attach(await openSocket(this.host, this.port), card);
    } catch (error) {
      if (this.retryMs === undefined) {
        this.card = undefined;
        throw error;
      }
      this.retryTimer = setTimeout(() => void this.connectOrRetry(), this.retryMs);
    }
  }

  private attach(socket: Socket, card: VirtualCard): void {
    this.socket = socket;
    this.quickAck = setQuickAck(socket);
    const frames = new FrameReader();
    // vpcd sends one request at a time, but process() may be async: keep answers in order.
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      setQuickAck(socket);
      for (const frame of frames.push(chunk)) {
        queue = queue.then(() => this.answer(socket, card, frame)).catch(() => {
          socket.destroy();
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // vpcd went away (pcscd stopped): come back when it returns, if asked to.
      if (this.card === card && !this.closed && this.retryMs !== undefined) {
        this.retryTimer = setTimeout(() => void this.connectOrRetry(), this.retryMs);
      }
    });
  }

  private async answer(socket: Socket, card: VirtualCard, frame: Buffer): Promise<void> {
    if (frame.length === 1) {
      const control = frame[0];
      if (control === VpcdControl.atr) socket.write(encodeFrame(card.atr));
      else if (control === VpcdControl.on || control === VpcdControl.reset || control === VpcdControl.off) card.reset();
      return;
    }
    const response = await card.process(Uint8Array.from(frame));
    if (!socket.destroyed) socket.write(encodeFrame(response));
  }

  private disconnect(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}

/** Connects `card` to vpcd (which listens; the card connects) and serves it until removed. */
export async function attachToVpcd(card: VirtualCard | undefined, options: VpcdOptions = {}): Promise<VpcdLink> {
  const port = options.port ?? 35963;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`vpcd port must be 1..65535, got ${port}`);
  const link = new Link(options.host ?? '127.0.0.1', port, options.retryMs);
  if (card) await link.insert(card);
  return link;
}
