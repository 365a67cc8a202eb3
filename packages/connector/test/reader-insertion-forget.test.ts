import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { BeidVirtualCard, attachToVpcd, startPcscd, type PcscdHarness } from '@t1c/emulator';
import { CardModuleRegistry, LocalCardService } from '../src/cards/index.js';
import { beidModule } from '../src/cards/beid/module.js';

/** Waits, through a PC/SC context of its own (not the service's), until pcscd shows the reader with or without a card. */
async function waitForCard(readerName: string, present: boolean): Promise<void> {
  const watcher = new PcscBackend();
  try {
    for (let i = 0; i < 100; i++) {
      const readers = await watcher.listReaders();
      if ((readers.find((r) => r.name === readerName)?.atr != null) === present) return;
      await watcher.waitForChange(readers, 200);
    }
    throw new Error(`${readerName} never showed ${present ? 'a card' : 'no card'}`);
  } finally {
    await watcher.close();
  }
}

describe('a listing that sees a new insertion', () => {
  let pcscd: PcscdHarness;

  before(async () => {
    pcscd = await startPcscd({ readerPairs: 1 });
  });
  after(async () => {
    await pcscd.stop();
  });

  it('drops what the modules kept for the card that went, even when no listing saw the reader empty', async () => {
    const reader = pcscd.readers[0];
    assert.ok(reader);
    const forgotten: string[] = [];
    const beid = beidModule();
    const service = new LocalCardService([new PcscBackend()], {
      // The other reader of the pair is empty: it is forgotten at every listing.
      registry: new CardModuleRegistry([{ ...beid, forget: (name) => { if (name === reader.name) forgotten.push(name); beid.forget?.(name); } }]),
    });
    let link = await attachToVpcd(await BeidVirtualCard.create(), { port: reader.port });
    try {
      await waitForCard(reader.name, true);
      const first = (await service.listReaders()).find((r) => r.name === reader.name);
      assert.equal(first?.card?.module, 'beid');
      await service.call('beid', 'read', first?.id ?? '', {});
      assert.deepEqual(forgotten, [], 'nothing forgotten while the same card stays');

      // Swapped between two listings: the service never lists the reader empty.
      await link.close();
      await waitForCard(reader.name, false);
      link = await attachToVpcd(await BeidVirtualCard.create(), { port: reader.port });
      await waitForCard(reader.name, true);
      const second = (await service.listReaders()).find((r) => r.name === reader.name);
      assert.notEqual(second?.card?.insertion, first?.card?.insertion, 'a new insertion');
      assert.deepEqual(forgotten, [reader.name]);
      const again = await service.listReaders();
      assert.equal(again.find((r) => r.name === reader.name)?.card?.insertion, second?.card?.insertion);
      assert.deepEqual(forgotten, [reader.name], 'the same insertion listed again forgets nothing more');
    } finally {
      await link.close();
      await service.close();
    }
  });
});
