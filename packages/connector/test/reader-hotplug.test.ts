import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtualReaderBackend } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { BeidVirtualCard, attachToVpcd, startPcscd, type PcscdHarness } from '@t1c/emulator';
import { LocalCardService } from '../src/cards/index.js';

describe('reader hot-plug through the real pcscd', () => {
  let pcscd: PcscdHarness;
  let service: LocalCardService;

  before(async () => {
    pcscd = await startPcscd({ readerPairs: 1 });
    service = new LocalCardService([new PcscBackend()]);
  });
  after(async () => {
    await service.close();
    await pcscd.stop();
  });

  it('sees readers added while it runs, keeps the ids of readers that stayed, and reads a card in a new reader', async () => {
    const first = await service.listReaders();
    assert.deepEqual(first.map((r) => r.name), ['Virtual PCD 00 00', 'Virtual PCD 00 01']);
    const waiting = service.waitForReaderChange(first, 20_000);
    const added = await pcscd.addReaders();
    const now = await waiting;
    for (const reader of added) assert.ok(now.some((r) => r.name === reader.name), `${reader.name} is listed`);
    for (const before of first) assert.equal(now.find((r) => r.name === before.name)?.id, before.id, 'ids stay stable');

    const target = added[0];
    assert.ok(target);
    const card = await BeidVirtualCard.create();
    const link = await attachToVpcd(card, { port: target.port });
    try {
      let list = await service.listReaders();
      for (let i = 0; i < 50 && !list.find((r) => r.name === target.name)?.card; i++) list = await service.waitForReaderChange(list, 500);
      const reader = list.find((r) => r.name === target.name);
      assert.equal(reader?.card?.module, 'beid');
      const readout = await service.call('beid', 'read', reader?.id ?? '', {});
      assert.equal(readout.identity.surname, card.holder.surname);
    } finally {
      await link.close();
    }
  });
});

describe('reader hot-plug on the in-process virtual backend', () => {
  it('wakes a waiting caller when a reader is added and when a card is inserted', async () => {
    const backend = new VirtualReaderBackend();
    const service = new LocalCardService([backend]);
    try {
      const empty = await service.listReaders();
      assert.deepEqual(empty, []);
      const waiting = service.waitForReaderChange(empty, 60_000);
      backend.addReader('Hot Reader');
      const withReader = await waiting;
      assert.equal(withReader[0]?.name, 'Hot Reader');
      assert.equal(withReader[0]?.card, null);
      const waitingCard = service.waitForReaderChange(withReader, 60_000);
      backend.insert('Hot Reader', await BeidVirtualCard.create({ appletVersion: '1.7' }));
      const withCard = await waitingCard;
      assert.equal(withCard[0]?.card?.module, 'beid');
      assert.equal(withCard[0]?.id, withReader[0]?.id);
    } finally {
      await service.close();
    }
  });
});
