import { PcscBackend } from '@t1c/smartcard/pcsc';
import type { CardHost, HostedBeidCard } from '@t1c/emulator/card-host';

/** Pulls the card, waits until pcscd saw it go, inserts the next one (made in the card thread) and waits until it is seen. */
export async function swapCard(host: CardHost, port: number, readerName: string, next: HostedBeidCard): Promise<void> {
  const backend = new PcscBackend();
  const waitFor = async (present: boolean): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      const readers = await backend.listReaders();
      if ((readers.find((r) => r.name === readerName)?.atr != null) === present) return;
      await backend.waitForChange(readers, 200);
    }
    throw new Error(`${readerName} never showed ${present ? 'a card' : 'no card'}`);
  };
  try {
    await host.remove(port);
    await waitFor(false);
    await host.insert(port, next);
    await waitFor(true);
  } finally {
    await backend.close();
  }
}
