import { type VirtualCard } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import type { VpcdLink } from '@t1c/emulator';

/** Pulls the card, waits until pcscd saw it go, inserts the next one and waits until it is seen. */
export async function swapCard(link: VpcdLink, readerName: string, next: VirtualCard): Promise<void> {
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
    await link.removeCard();
    await waitFor(false);
    await link.insert(next);
    await waitFor(true);
  } finally {
    await backend.close();
  }
}
