import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VirtualCard } from '@t1c/smartcard/reader';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { BeidVirtualCard, attachToVpcd, startPcscd, type BeidVirtualCardOptions, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { waitForCard } from '../helpers/card-rig.js';

/** A private pcscd with two vpcd readers, a virtual eID in each (default 1.7 and 1.8). */
export interface PcscRig {
  readonly pcscd: PcscdHarness;
  readonly cards: BeidVirtualCard[];
  readonly readerNames: string[];
  replace(index: number, options: BeidVirtualCardOptions): Promise<BeidVirtualCard>;
  /** Puts any virtual card (an EMV card, say) in reader `index`, taking out what was there. */
  insert(index: number, card: VirtualCard): Promise<void>;
  eject(index: number): Promise<void>;
  /**
   * A new insertion of `card` in reader `index`, as PC/SC sees it: the card there (if any) is
   * taken out and seen gone, then `card` goes in and is seen, so the next listing has it.
   */
  swap(index: number, card: VirtualCard): Promise<void>;
  close(): Promise<void>;
}

export async function startPcscRig(options: BeidVirtualCardOptions[] = [{ appletVersion: '1.7' }, { appletVersion: '1.8' }]): Promise<PcscRig> {
  const pcscd = await startPcscd({ readerPairs: 1 });
  const cards: BeidVirtualCard[] = [];
  const links: (VpcdLink | undefined)[] = [];
  for (const [i, o] of options.entries()) {
    const reader = pcscd.readers[i];
    if (!reader) throw new Error('not enough vpcd readers');
    const card = await BeidVirtualCard.create(o);
    cards.push(card);
    links.push(await attachToVpcd(card, { port: reader.port }));
  }
  const insert = async (index: number, card: VirtualCard): Promise<void> => {
    await links[index]?.close();
    const reader = pcscd.readers[index];
    if (!reader) throw new Error('no such reader');
    links[index] = await attachToVpcd(card, { port: reader.port });
  };
  return {
    pcscd,
    cards,
    readerNames: pcscd.readers.map((r) => r.name),
    replace: async (index, o) => {
      await links[index]?.close();
      const reader = pcscd.readers[index];
      if (!reader) throw new Error('no such reader');
      const card = await BeidVirtualCard.create(o);
      cards[index] = card;
      links[index] = await attachToVpcd(card, { port: reader.port });
      return card;
    },
    insert,
    swap: async (index, card) => {
      const name = pcscd.readers[index]?.name;
      if (name === undefined) throw new Error('no such reader');
      const pcsc = new PcscBackend();
      try {
        if (links[index]) {
          await links[index]?.close();
          links[index] = undefined;
          await waitForCard(pcsc, name, false);
        }
        await insert(index, card);
        await waitForCard(pcsc, name, true);
      } finally {
        await pcsc.close();
      }
    },
    eject: async (index) => {
      await links[index]?.close();
      links[index] = undefined;
    },
    close: async () => {
      for (const link of links) await link?.close();
      await pcscd.stop();
    },
  };
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
