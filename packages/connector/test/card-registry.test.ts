import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { command, fromHex, SW } from '@t1c/smartcard/codec';
import { VirtualReaderBackend, type CardSession, type VirtualCard } from '@t1c/smartcard/reader';
import { CardModuleRegistry, LocalCardService, type CardModule } from '../src/cards/index.js';
import { beidModule } from '../src/cards/beid/module.js';

// Unit tests of the registry's recognition on the in-process virtual reader; the whole seam
// runs through pcscd in sandbox-ipc-bad-inputs, beid-card-stack and the API tests.

const PPSE = new TextEncoder().encode('2PAY.SYS.DDF01');

/** A card with an ATR no row claims, that answers 9000 to SELECT of one name. */
function cardAnswering(name: Uint8Array | undefined): VirtualCard {
  return {
    atr: fromHex('3B8F800180318065B0850300EF120FFF82900073'),
    reset: () => undefined,
    process: (apdu) => {
      const selected = apdu[1] === 0xa4 && name !== undefined && Buffer.from(apdu.subarray(5, 5 + (apdu[4] ?? 0))).equals(Buffer.from(name));
      return Uint8Array.of(selected ? 0x90 : 0x6a, selected ? 0x00 : 0x82);
    },
  };
}

/** A module that knows its cards by selecting the PPSE, as payment cards are recognised. */
function probingModule(calls: { count: number }): CardModule<'beid'> {
  return {
    ...beidModule(),
    atrs: [],
    probe: async (session: CardSession) => {
      calls.count++;
      return (await session.transmit(command(0x00, 0xa4, 0x04, 0x00, PPSE, 256))).sw === SW.OK;
    },
  };
}

describe('card-module registry', () => {
  it('refuses two modules of the same name', () => {
    assert.throws(() => new CardModuleRegistry([beidModule(), beidModule()]), /registered twice/);
  });

  it('a card whose ATR no row claims, with no module that probes, is listed without a module', async () => {
    const backend = new VirtualReaderBackend();
    backend.addReader('R', cardAnswering(PPSE));
    const service = new LocalCardService([backend]);
    try {
      assert.equal((await service.listReaders())[0]?.card?.module, null, 'an ATR no row claims');
    } finally {
      await service.close();
    }
  });

  it('a card no ATR row claims is named by the first module whose probe accepts it, probed once per insertion', async () => {
    const calls = { count: 0 };
    const backend = new VirtualReaderBackend();
    backend.addReader('R', cardAnswering(PPSE));
    const service = new LocalCardService([backend], { registry: new CardModuleRegistry([probingModule(calls)]) });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await service.listReaders())[0]?.card?.module, 'beid');
      assert.equal(calls.count, 1, 'one probe for one insertion');
      backend.remove('R');
      backend.insert('R', cardAnswering(undefined));
      assert.equal((await service.listReaders())[0]?.card?.module, null, 'a card the probe refuses');
      assert.equal((await service.listReaders())[0]?.card?.module, null);
      assert.equal(calls.count, 2, 'the new insertion was probed, once');
    } finally {
      await service.close();
    }
  });
});
