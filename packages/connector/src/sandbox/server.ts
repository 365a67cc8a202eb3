import { readFileSync } from 'node:fs';
import { isSmartCardError, VirtualReaderBackend, type ReaderBackend } from '@t1c/smartcard';
import type { AppletVersion } from '@t1c/smartcard/beid';
import { LocalCardService, type PinInput } from '../cards/index.js';
import { decodeMessage, encodeMessage, requestSchema, type SandboxRequest } from './protocol.js';
import { TolerantPcscBackend } from './tolerant-backend.js';

export interface SandboxOptions {
  /** Virtual eID cards to attach, by applet version, each in its own clearly named reader. */
  readonly virtualCards: readonly AppletVersion[];
  readonly pcsc: boolean;
  /** Holder data file for the virtual cards; the emulator's specimen holder without one. */
  readonly virtualCardData?: string;
}

/** Name shown to users and pages: says it is virtual and what it emulates. */
export const virtualReaderName = (applet: AppletVersion, index: number): string =>
  `T1C Virtual Reader (beid ${applet})${index > 0 ? ` ${index + 1}` : ''}`;

function wipePin(pin: PinInput | undefined): void {
  if (pin?.kind === 'digits') pin.pin.fill(0);
}

/**
 * The sandbox process: the only one that loads PC/SC and runs card code. It answers typed
 * requests from its parent over the IPC channel and exits when the parent goes away.
 */
export async function runSandbox(options: SandboxOptions): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('t1c sandbox must be started by t1c api (no IPC channel)');
  const backends: ReaderBackend[] = [];
  const pcsc = options.pcsc ? new TolerantPcscBackend() : undefined;
  if (pcsc) backends.push(pcsc);
  if (options.virtualCards.length > 0) {
    const virtual = new VirtualReaderBackend();
    // Loaded only when asked for: a desktop sandbox without virtual cards never parses the emulator.
    const { BeidVirtualCard, parseHolderData } = await import('@t1c/emulator/virtual-card');
    const holder = options.virtualCardData ? parseHolderData(JSON.parse(readFileSync(options.virtualCardData, 'utf8'))) : undefined;
    for (const [i, applet] of options.virtualCards.entries()) {
      virtual.addReader(virtualReaderName(applet, i), await BeidVirtualCard.create({ appletVersion: applet, ...(holder ? { holder } : {}) }));
    }
    backends.push(virtual);
  }
  const service = new LocalCardService(backends);
  const pcscStatus = (): 'up' | 'down' | 'off' => pcsc?.status ?? 'off';

  const handle = async (request: SandboxRequest): Promise<unknown> => {
    switch (request.method) {
      case 'ping':
        return { pong: true };
      case 'listReaders': {
        const readers = await service.listReaders();
        return { readers, pcsc: pcscStatus() };
      }
      case 'readBeid':
        return service.readBeid(request.readerId);
      case 'verifyBeidPin':
        try {
          await service.verifyBeidPin(request.readerId, request.pin);
          return { verified: true };
        } finally {
          wipePin(request.pin);
        }
      case 'signBeid':
        try {
          const { readerId, key, algorithm, digest, pin } = request;
          return { signature: await service.signBeid(readerId, { key, algorithm, digest, ...(pin ? { pin } : {}) }) };
        } finally {
          wipePin(request.pin);
        }
    }
  };

  process.on('message', (raw: unknown) => {
    void (async () => {
      let id = -1;
      try {
        if (typeof raw !== 'string') throw new TypeError('sandbox messages are JSON text');
        const request = requestSchema.parse(decodeMessage(raw));
        id = request.id;
        const result = await handle(request);
        send(encodeMessage({ id, ok: true, result }));
      } catch (error) {
        // Only the code and message cross over: card errors carry no personal data.
        const body = isSmartCardError(error)
          ? { code: error.code, message: error.message, details: error.details }
          : { code: 'SANDBOX_INTERNAL', message: error instanceof Error ? error.message.slice(0, 500) : 'internal error', details: {} };
        if (id >= 0) send(encodeMessage({ id, ok: false, error: body }));
      }
    })();
  });
  process.on('disconnect', () => {
    void service.close().finally(() => process.exit(0));
  });
  await service.listReaders().catch(() => undefined);
  send(encodeMessage({ ready: true, pcsc: pcscStatus() }));
}
