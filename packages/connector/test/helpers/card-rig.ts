import { VirtualReaderBackend, type ReaderBackend, type VirtualCard } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import * as emulator from '@t1c/emulator';

/** A reader backend with one reader whose card a test can swap: in-process, or pcscd + vpcd. */
export interface CardRig {
  readonly kind: 'virtual' | 'pcsc';
  readonly backend: ReaderBackend;
  readonly readerName: string;
  insert(card: VirtualCard): Promise<void>;
  remove(): Promise<void>;
  close(): Promise<void>;
}

export async function virtualRig(): Promise<CardRig> {
  const backend = new VirtualReaderBackend();
  const readerName = 'Test Virtual Reader 00';
  backend.addReader(readerName);
  return {
    kind: 'virtual', backend, readerName,
    insert: async (card) => backend.insert(readerName, card),
    remove: async () => backend.remove(readerName),
    close: () => backend.close(),
  };
}

/** Waits until the backend shows `readerName` with (or without) a card. */
export async function waitForCard(backend: ReaderBackend, readerName: string, present: boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const readers = await backend.listReaders();
    const reader = readers.find((r) => r.name === readerName);
    if (reader && (reader.atr !== null) === present) return;
    await backend.waitForChange(readers, 200);
  }
  throw new Error(`${readerName} never showed ${present ? 'a card' : 'no card'}`);
}

export async function pcscRig(): Promise<CardRig> {
  const pcscd = await emulator.startPcscd({ readerPairs: 1 });
  const first = pcscd.readers[0];
  if (!first) throw new Error('pcscd harness started without readers');
  const backend = new PcscBackend();
  let link: Awaited<ReturnType<typeof emulator.attachToVpcd>> | undefined;
  const rig: CardRig = {
    kind: 'pcsc', backend, readerName: first.name,
    insert: async (card) => {
      await link?.close();
      link = await emulator.attachToVpcd(card, { port: first.port });
      await waitForCard(backend, first.name, true);
    },
    remove: async () => {
      await link?.close();
      link = undefined;
      await waitForCard(backend, first.name, false);
    },
    close: async () => {
      await link?.close();
      await backend.close();
      await pcscd.stop();
    },
  };
  return rig;
}
