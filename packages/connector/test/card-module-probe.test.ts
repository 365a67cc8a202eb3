import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import type { VirtualCard } from '@t1c/smartcard/reader';
import { BeidVirtualCard, EmvVirtualCard, NO_DIRECTORY_APPLICATIONS, startPcscd, attachToVpcd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { LocalCardService } from '../src/cards/index.js';
import { waitForCard } from './helpers/card-rig.js';

/** A card nobody claims: answers every command with 6D00 (instruction not supported). */
const mute: VirtualCard = { atr: Uint8Array.of(0x3b, 0x02, 0x14, 0x50), reset: () => undefined, process: () => Uint8Array.of(0x6d, 0x00) };

describe('the registry\'s probe step: EMV cards recognised by selecting the PPSE/PSE, not by ATR (through pcscd)', () => {
  let pcscd: PcscdHarness;
  let backend: PcscBackend;
  let service: LocalCardService;
  let link: VpcdLink | undefined;
  const reader = 'Virtual PCD 00 00';

  before(async () => {
    pcscd = await startPcscd();
    backend = new PcscBackend();
    service = new LocalCardService([new PcscBackend()]);
  });
  after(async () => {
    await link?.close();
    await service?.close();
    await backend?.close();
    await pcscd?.stop();
  });

  async function insert(card: VirtualCard): Promise<void> {
    if (link) {
      await link.removeCard();
      await waitForCard(backend, reader, false);
      await link.insert(card);
    } else {
      link = await attachToVpcd(card, { port: pcscd.readers[0]?.port ?? 35963 });
    }
    await waitForCard(backend, reader, true);
  }
  const moduleOf = async (): Promise<string | null | undefined> => (await service.listReaders()).find((r) => r.name === reader)?.card?.module;

  it('a payment card is emv; it is probed once per insertion, not at every listing', async () => {
    const card = await EmvVirtualCard.create();
    await insert(card);
    assert.equal(await moduleOf(), 'emv');
    const probes = card.exchanges.filter((e) => e.ins === 0xa4).length;
    assert.ok(probes >= 1);
    assert.equal(await moduleOf(), 'emv');
    assert.equal(await moduleOf(), 'emv');
    assert.equal(card.exchanges.filter((e) => e.ins === 0xa4).length, probes, 'no new SELECT for the same insertion');
    await insert(card);
    assert.equal(await moduleOf(), 'emv');
    assert.ok(card.exchanges.filter((e) => e.ins === 0xa4).length > probes, 'a new insertion is probed again');
  });

  it('the eID is recognised by its ATR and never probed', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    const seen: Uint8Array[] = [];
    card.faultHook = (command) => {
      seen.push(command);
      return undefined;
    };
    await insert(card);
    assert.equal(await moduleOf(), 'beid');
    assert.ok(!seen.some((c) => c[1] === 0xa4 && Buffer.from(c.subarray(5)).toString('latin1').includes('PAY.SYS')), 'no PSE/PPSE SELECT reached the eID');
  });

  it('a card that fails every probe has no module, and the listing does not fail', async () => {
    await insert(mute);
    assert.equal(await moduleOf(), null);
  });

  it('a payment card without PSE or PPSE is emv too: the probe falls back to the terminal AIDs (Book 1 §12.3.3)', async () => {
    const card = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS });
    await insert(card);
    assert.equal(await moduleOf(), 'emv');
    const names = card.exchanges.filter((e) => e.ins === 0xa4).length;
    assert.equal(names, 3, 'PPSE, PSE, then the first terminal AID answered');
  });

  it('/atrs then lists the payment card\'s ATR under emv, after the ATR table\'s beid rows', async () => {
    const table = await service.call('core', 'listAtrs', null, {});
    const emvRows = table.filter((r) => r.module === 'emv');
    assert.deepEqual(emvRows.map((r) => r.atr), ['3B6800000073C84012009000']);
    assert.ok(table.findIndex((r) => r.module === 'beid') < table.findIndex((r) => r.module === 'emv'));
  });
});
