import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CardSession, SmartCardError, VirtualReaderBackend } from '@t1c/smartcard';
import { toHex } from '@t1c/smartcard/codec';
import { BeidCard, BeidFile, readAll } from '@t1c/smartcard/beid';
import { BeidVirtualCard, type FaultHook } from '@t1c/emulator';

const READER = 'reader';

/** Answers READ BINARY of one file with `content` + 9000 instead of the file. */
function replaceFile(path: string, content: Uint8Array): FaultHook {
  let selected = '';
  return (command) => {
    if (command[1] === 0xa4) selected = toHex(command.subarray(5, 5 + (command[4] ?? 0)));
    if (command[1] === 0xb0 && selected === path) return Uint8Array.of(...content, 0x90, 0x00);
    return undefined;
  };
}

describe('Belgian eID full read: parsing and checks overlap the card I/O', () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => void unhandled.push(reason);
  before(() => process.on('unhandledRejection', record));
  after(() => process.off('unhandledRejection', record));

  for (const applet of ['1.7', '1.8'] as const) {
    it(`applet ${applet}: an identity file that does not parse rejects the read with CARD_DATA_INVALID, releases the card and leaves nothing unhandled`, async () => {
      const card = await BeidVirtualCard.create({ appletVersion: applet });
      // A TLV file with only a version field: no card number, national number, surname or photo hash.
      card.faultHook = replaceFile(BeidFile.identity, Uint8Array.of(0x00, 0x01, 0x01));
      const backend = new VirtualReaderBackend();
      backend.addReader(READER, card);
      const connection = await backend.connect(READER);
      try {
        await assert.rejects(readAll(BeidCard.open(new CardSession(connection))),
          (error: unknown) => error instanceof SmartCardError && error.code === 'CARD_DATA_INVALID' && /identity file lacks/.test(error.message));
      } finally {
        await connection.disconnect();
      }
      // Checks that were waiting for the identity settle on later turns: give them those turns.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, []);
      // No transaction was left open: another connection reads the (now intact) card in full.
      card.faultHook = undefined;
      const other = await backend.connect(READER);
      try {
        const readout = await readAll(BeidCard.open(new CardSession(other)));
        assert.ok(readout.integrity.valid, JSON.stringify(readout.integrity));
      } finally {
        await other.disconnect();
      }
    });
  }

  it('every check is settled in the readout, and a tampered identity fails only the checks it should', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8', tampered: true });
    const backend = new VirtualReaderBackend();
    backend.addReader(READER, card);
    const connection = await backend.connect(READER);
    try {
      const { integrity } = await readAll(BeidCard.open(new CardSession(connection)));
      assert.equal(integrity.valid, false);
      assert.equal(integrity.identitySignature.ok, false);
      assert.deepEqual([integrity.addressSignature.ok, integrity.photoHash.ok, integrity.rrnCertificate.ok, integrity.basicKeyHash.ok], [true, true, true, true]);
    } finally {
      await connection.disconnect();
    }
  });
});
