import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CardSession, isSmartCardError, type CardConnection, type ReaderFeatures } from '@t1c/smartcard';
import { BeidCard, pinBlock } from '@t1c/smartcard/beid';
import { BeidVirtualCard } from '@t1c/emulator';

const VERIFY_PIN_DIRECT = 0x42330006;

/**
 * A pinpad reader in front of a virtual card: on FEATURE_VERIFY_PIN_DIRECT it takes the
 * VERIFY template from the structure, puts the digits "typed" on its keypad into the block
 * and sends it. vpcd has no pinpad, so this is the lowest boundary we can fake.
 */
function pinpadConnection(card: BeidVirtualCard, typed: string | 'cancel'): CardConnection & { structures: Uint8Array[] } {
  const structures: Uint8Array[] = [];
  return {
    structures,
    readerName: 'Pinpad Reader', protocol: 'T0', atr: card.atr,
    transmit: async (c) => card.process(c),
    features: async (): Promise<ReaderFeatures> => ({ verifyPinDirect: VERIFY_PIN_DIRECT }),
    control: async (code, data) => {
      assert.equal(code, VERIFY_PIN_DIRECT);
      structures.push(data);
      if (typed === 'cancel') return Uint8Array.of(0x64, 0x01);
      const template = data.subarray(19);
      const apdu = Uint8Array.from(template);
      apdu.set(pinBlock(new TextEncoder().encode(typed)), 5);
      const answer = await card.process(apdu);
      return answer.subarray(answer.length - 2);
    },
    beginTransaction: async () => undefined,
    endTransaction: async () => undefined,
    disconnect: async () => undefined,
  };
}

describe('PIN entry on a pinpad reader', () => {
  it('verifies a PIN typed on the pinpad without the PIN passing through the host', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    const connection = pinpadConnection(card, '1234');
    await BeidCard.open(new CardSession(connection)).verifyPin({ kind: 'pinpad' });
    const structure = connection.structures[0];
    assert.ok(structure);
    assert.ok(!Buffer.from(structure).includes(Buffer.from([0x12, 0x34])), 'the host never saw the digits');
  });
  it('reports a wrong PIN typed on the pinpad with the tries left', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.7' });
    await assert.rejects(BeidCard.open(new CardSession(pinpadConnection(card, '0000'))).verifyPin({ kind: 'pinpad' }),
      (e: unknown) => isSmartCardError(e, 'PIN_INCORRECT') && e.details.triesLeft === 2);
  });
  it('reports a cancel on the pinpad as its own error', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    await assert.rejects(BeidCard.open(new CardSession(pinpadConnection(card, 'cancel'))).verifyPin({ kind: 'pinpad' }),
      (e: unknown) => isSmartCardError(e, 'PIN_CANCELLED'));
    assert.equal(card.pinTriesLeft, 3);
  });
  it('signs with the PIN from the pinpad', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    const signature = await BeidCard.open(new CardSession(pinpadConnection(card, '1234')))
      .sign({ key: 'nonRepudiation', algorithm: 'SHA-384', digest: new Uint8Array(48).fill(1), pin: { kind: 'pinpad' } });
    assert.equal(signature.length, 96);
  });
  it('refuses pinpad entry on a reader without a pinpad', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    const plain = { ...pinpadConnection(card, '1234'), features: async (): Promise<ReaderFeatures> => ({}) };
    await assert.rejects(BeidCard.open(new CardSession(plain)).verifyPin({ kind: 'pinpad' }), (e: unknown) => isSmartCardError(e, 'PCSC_UNSUPPORTED'));
  });
});
