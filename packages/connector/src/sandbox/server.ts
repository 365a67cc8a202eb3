import { readFileSync } from 'node:fs';
import { isSmartCardError, type SmartCardErrorCode } from '@t1c/smartcard/errors';
import { VirtualReaderBackend, type ReaderBackend } from '@t1c/smartcard/reader';
import type { AppletVersion } from '@t1c/smartcard/beid';
import { defaultRegistry, emvCaKeyTable, LocalCardService } from '../cards/index.js';
import { readEmvCaKeyFile } from '../config/emv-ca-keys.js';
import {
  contractError, requestIdSchema, requestSchema, SandboxError, wipeBytes,
  type CardErrorCode, type ErrorBody, type PcscState,
} from '../ipc/index.js';
import { TolerantPcscBackend } from './tolerant-backend.js';

export interface SandboxOptions {
  /** Virtual eID cards to attach, by applet version, each in its own clearly named reader. */
  readonly virtualCards: readonly AppletVersion[];
  readonly pcsc: boolean;
  /** Holder data file for the virtual cards; the emulator's specimen holder without one. */
  readonly virtualCardData?: string;
  /** The EMV CA key table file (`emvCaKeys`); the payment schemes' production keys without one. */
  readonly emvCaKeys?: string;
}

/** Name shown to users and pages: says it is virtual and what it emulates. */
export const virtualReaderName = (applet: AppletVersion, index: number): string =>
  `T1C Virtual Reader (beid ${applet})${index > 0 ? ` ${index + 1}` : ''}`;

/** Every card error code may cross the contract: this fails to compile when one is missing there. */
const crossing = (code: SmartCardErrorCode): CardErrorCode => code;

/** Only the code and a short message cross over: card errors carry no personal data. */
function errorBody(error: unknown): ErrorBody {
  if (isSmartCardError(error)) return { code: crossing(error.code), message: error.message, details: { ...error.details } };
  if (error instanceof SandboxError) return { code: error.code, message: error.message, details: { ...error.details } };
  return contractError('SANDBOX_INTERNAL', error instanceof Error ? error.message.slice(0, 500) : 'internal error');
}

/**
 * The sandbox process: the only one that loads PC/SC and runs card code. It answers the
 * contract's generic requests from its parent over the IPC channel and exits when the parent
 * goes away.
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
  const pcscState = (): PcscState => pcsc?.status ?? 'off';
  const registry = defaultRegistry(options.emvCaKeys ? { emv: { authorities: emvCaKeyTable(readEmvCaKeyFile(options.emvCaKeys)) } } : {});
  const service = new LocalCardService(backends, { pcscState, registry });

  process.on('message', (message: unknown) => {
    void (async () => {
      let id = -1;
      try {
        const withId = requestIdSchema.safeParse(message);
        if (withId.success) id = withId.data.id;
        const request = requestSchema.safeParse(message);
        if (!request.success) throw new SandboxError('REQUEST_MALFORMED', 'the request is not {id, module, op, reader, args}');
        const result = await service.dispatch(request.data);
        send({ id, ok: true, result });
      } catch (error) {
        if (id >= 0) send({ id, ok: false, error: errorBody(error) });
      } finally {
        // Arguments may hold a PIN: nothing decoded outlives its request.
        wipeBytes(message);
      }
    })();
  });
  process.on('disconnect', () => {
    void service.close().finally(() => process.exit(0));
  });
  await service.listReaders().catch(() => undefined);
  send({ ready: true, pcsc: pcscState() });
}
