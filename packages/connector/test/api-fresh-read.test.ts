import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReaderStatus } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import type { HolderData } from '@t1c/emulator';
import { beidPath, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { verifiedData } from './api-helpers/http.js';

const MOVED = { streetAndNumber: 'Nieuwstraat 99', zipCode: '9000', municipality: 'Gent' };

describe('a cached read never outlives the insertion it was read from (real pcscd)', () => {
  let f: Fixture;

  before(async () => {
    f = await startFixture([{ appletVersion: '1.8', pin: PIN }]);
  });
  after(async () => {
    await f.close();
  });

  const address = async (rid: string): Promise<{ streetAndNumber: string; zipcode: string; municipality: string }> =>
    verifiedData(await f.c.call('GET', beidPath(rid, 'address')), f.api.deviceKeyPem) as { streetAndNumber: string; zipcode: string; municipality: string };

  /** Out and in again, watched by a second PC/SC client: the connector gets no request in between. */
  const reinsert = async (holder: HolderData): Promise<void> => {
    const name = f.rig.readerNames[0] ?? '';
    const watcher = new PcscBackend();
    try {
      const until = async (present: boolean): Promise<void> => {
        let list: ReaderStatus[] = await watcher.listReaders();
        for (let i = 0; i < 100 && (list.find((r) => r.name === name)?.atr !== null) !== present; i++) list = await watcher.waitForChange(list, 500);
        assert.equal(list.find((r) => r.name === name)?.atr !== null, present, `card ${present ? 'in' : 'out'}`);
      };
      await f.rig.eject(0);
      await until(false);
      await f.rig.replace(0, { appletVersion: '1.8', pin: PIN, holder });
      await until(true);
    } finally {
      await watcher.close();
    }
  };

  it('same chip, address rewritten while the card was out, no request between out and in → the new address', async () => {
    const rid = await f.readerId(0);
    const card = f.rig.cards[0];
    assert.ok(card);
    const before = await address(rid);
    assert.equal(before.streetAndNumber, card.holder.address.streetAndNumber);
    // The commune rewrites the address file; chip and card number stay.
    await reinsert({ ...card.holder, address: MOVED });
    const moved = await address(rid);
    assert.deepEqual([moved.streetAndNumber, moved.zipcode, moved.municipality], [MOVED.streetAndNumber, MOVED.zipCode, MOVED.municipality]);
    const biometric = verifiedData(await f.c.call('GET', beidPath(rid, 'biometric')), f.api.deviceKeyPem) as { chipNumber: string };
    assert.equal(biometric.chipNumber, card.holder.chipNumber.toUpperCase(), 'the same chip');
  });

  it('while the card stays in, a second read is served from the cache (same data, no full read)', async () => {
    const rid = await f.readerId(0);
    const first = await address(rid);
    const card = f.rig.cards[0];
    assert.ok(card);
    let readBinaries = 0;
    card.faultHook = (command) => {
      if (command[1] === 0xb0) readBinaries++;
      return undefined;
    };
    try {
      assert.deepEqual(await address(rid), first);
      assert.equal(readBinaries, 0, 'no file read again');
    } finally {
      card.faultHook = undefined;
    }
  });
});
