import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { attachToVpcd, BeidVirtualCard, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';


describe('PC/SC: one reader\'s status without listing them all, through pcscd and vpcd', () => {
  let pcscd: PcscdHarness;
  let backend: PcscBackend;
  let link: VpcdLink | undefined;
  let readerName = '';

  before(async () => {
    pcscd = await startPcscd();
    backend = new PcscBackend();
    readerName = pcscd.readers[0]?.name ?? 'Virtual PCD 00 00';
  });

  after(async () => {
    await link?.close();
    await backend?.close();
    await pcscd?.stop();
  });

  async function listed(present: boolean): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const readers = await backend.listReaders();
      if ((readers.find((r) => r.name === readerName)?.atr != null) === present) return;
      await backend.waitForChange(readers, 200);
    }
    throw new Error(`${readerName} never showed ${present ? 'a card' : 'no card'}`);
  }

  it('answers what the full listing says for that reader: ATR and event count, empty or with a card', async () => {
    link = await attachToVpcd(undefined, { port: pcscd.readers[0]?.port ?? 35963 });
    await listed(false);
    const empty = await backend.readerStatus(readerName);
    assert.deepEqual(empty, (await backend.listReaders()).find((r) => r.name === readerName));
    assert.equal(empty?.atr, null);

    await link.insert(await BeidVirtualCard.create({ appletVersion: '1.8' }));
    await listed(true);
    const withCard = await backend.readerStatus(readerName);
    assert.deepEqual(withCard, (await backend.listReaders()).find((r) => r.name === readerName));
    assert.ok(withCard?.atr);

    // Out and in again: the same ATR, but the event count moved, which is what tells a new insertion.
    await link.removeCard();
    await listed(false);
    await link.insert(await BeidVirtualCard.create({ appletVersion: '1.8' }));
    await listed(true);
    const again = await backend.readerStatus(readerName);
    assert.deepEqual(again?.atr, withCard.atr);
    if (withCard.events !== undefined) assert.notEqual(again?.events, withCard.events);
  });

  it('a reader name PC/SC does not know is undefined, not an error', async () => {
    assert.equal(await backend.readerStatus('No Such Reader 99 99'), undefined);
  });
});
