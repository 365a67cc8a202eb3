import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toHex } from '@t1c/smartcard/codec';
import type { ReaderStatus } from '@t1c/smartcard/reader';
import { BeidVirtualCard, attachToVpcd, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { listPcscReaders } from '../src/doctor/probes/pcsc-readers.js';
import { TolerantPcscBackend } from '../src/sandbox/tolerant-backend.js';

/** PC/SC as the doctor uses it, counting its listings; `afterFirst` runs once the first listing has been read. */
class CountedPcsc extends TolerantPcscBackend {
  listings = 0;
  constructor(private readonly afterFirst: () => Promise<void> = async () => undefined) {
    super();
  }

  override async listReaders(): Promise<ReaderStatus[]> {
    const statuses = await super.listReaders();
    if (++this.listings === 1) await this.afterFirst();
    return statuses;
  }
}

/** Lists through a PC/SC context of its own until `done` holds for the readers pcscd reports. */
async function waitForPcsc(done: (statuses: readonly ReaderStatus[]) => boolean): Promise<void> {
  const pcsc = new TolerantPcscBackend();
  try {
    for (let i = 0; i < 100; i++) {
      if (done(await pcsc.listReaders())) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('pcscd never reported the expected readers');
  } finally {
    await pcsc.close();
  }
}

const cardIn = (name: string) => (statuses: readonly ReaderStatus[]): boolean => statuses.some((s) => s.name === name && s.atr !== null);

describe('doctor: the readers of one PC/SC listing', () => {
  let pcscd: PcscdHarness;
  let link: VpcdLink | undefined;
  let atr = '';
  before(async () => {
    pcscd = await startPcscd({ readerPairs: 1 });
  });
  after(async () => {
    await link?.close();
    await pcscd.stop();
  });

  it('a card taken out right after the listing: still the listing\'s card with its module, from one listing', async () => {
    const [first, second] = pcscd.readers;
    assert.ok(first && second);
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    atr = toHex(card.atr);
    link = await attachToVpcd(card, { port: first.port });
    await waitForPcsc(cardIn(first.name));
    const inserted = link;
    // Between two listings the card leaves: a second listing would pair this ATR with no module.
    const pcsc = new CountedPcsc(async () => {
      await inserted.removeCard();
      await waitForPcsc((statuses) => !cardIn(first.name)(statuses));
    });
    const readers = await listPcscReaders(pcsc);
    assert.equal(pcsc.listings, 1, 'PC/SC listed once');
    assert.deepEqual(readers.map((r) => ({ name: r.name, atr: r.atr === null ? null : toHex(r.atr), mute: r.mute, module: r.module })), [
      { name: first.name, atr, mute: false, module: 'beid' },
      { name: second.name, atr: null, mute: false, module: null },
    ]);
  });

  it('each reader once, in PC/SC\'s order, also with no card anywhere', async () => {
    const pcsc = new CountedPcsc();
    const readers = await listPcscReaders(pcsc);
    assert.equal(pcsc.listings, 1);
    assert.deepEqual(readers.map((r) => [r.name, r.atr, r.module]), pcscd.readers.map((r) => [r.name, null, null]));
  });
});
