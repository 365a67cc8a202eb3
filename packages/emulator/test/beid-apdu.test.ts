import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BeidVirtualCard } from '../src/index.js';
import { pinBlockHex, send } from './card-helpers.js';

const APPLET_AID = 'A000000030290570 00AD13100101FF'.replace(/ /g, '');
const BELPIC_AID = 'A00000017750 4B43532D3135'.replace(/ /g, '');
const ID_AID = 'A0000001774964 46696C6573'.replace(/ /g, '');

for (const applet of ['1.7', '1.8'] as const) {
  describe(`applet ${applet} at APDU level`, () => {
    let card: BeidVirtualCard;
    before(async () => {
      card = await BeidVirtualCard.create({ appletVersion: applet });
    });

    const selects: readonly (readonly [string, string, string])[] = [
      ['path with 3F00, P2 0C', '00A4080C063F00DF014031', '9000'],
      ['path without 3F00, P2 0C', '00A4080C04DF014031', '9000'],
      ['path with P2 00', '00A4080006 3F00DF005038', '9000'],
      ['path to a DF', '00A4080C02DF00', '9000'],
      ['path to the MF alone', '00A4080C023F00', '9000'],
      ['path to a missing file', '00A4080C063F00DF019999', '6A82'],
      ['path through an EF', '00A4080C063F002F00DF00', '6A82'],
      ['path of odd length', '00A4080C033F00DF', '6A87'],
      ['empty path', '00A4080C', '6A87'],
      ['FID of DF01 from anywhere', '00A4020C02DF01', '9000'],
      ['FID of the MF', '00A4020C023F00', '9000'],
      ['FID of three bytes', '00A4020C03DF0140', '6A87'],
      ['applet AID with P2 00', `00A404000F${APPLET_AID}`, '9000'],
      ['applet AID with P2 0C', `00A4040C0F${APPLET_AID}`, '9000'],
      ['BELPIC DF AID', `00A4040C0C${BELPIC_AID}`, '9000'],
      ['ID DF AID', `00A4040C0C${ID_AID}`, '9000'],
      ['unknown AID', '00A4040C05A000000001', '6A82'],
      ['AID too short', '00A4040C04A0000000', '6A87'],
      ['bad P1', '00A4010C02DF01', '6A86'],
      ['bad P2', '00A4080406 3F00DF014031', '6A86'],
      ['Lc larger than the data', '00A4080C063F00DF01', '6700'],
    ];
    for (const [name, apdu, sw] of selects) {
      test(`SELECT ${name} answers ${sw}`, async () => {
        assert.equal((await send(card, apdu.replace(/ /g, ''))).sw, sw);
      });
    }

    test('a file under DF00 is selected by FID after selecting DF00 and not from DF01', async () => {
      assert.equal((await send(card, '00A4020C02DF00')).sw, '9000');
      assert.equal((await send(card, '00A4020C025038')).sw, '9000');
      assert.equal((await send(card, '00A4020C02DF01')).sw, '9000');
      assert.equal((await send(card, '00A4020C025038')).sw, '6A82');
      assert.equal((await send(card, '00A4020C024031')).sw, '9000');
    });

    test('READ BINARY walks a file with 6Cxx at the short tail and 6B00 past the end', async () => {
      const photo = card.file('3F00DF014035');
      await send(card, '00A4080C063F00DF014035');
      const blocks = Math.floor(photo.length / 0xfc);
      const tail = photo.length - blocks * 0xfc;
      const lastOffset = (blocks * 0xfc).toString(16).padStart(4, '0');
      const first = await send(card, '00B00000FC');
      assert.equal(first.sw, '9000');
      assert.deepEqual(first.bytes, photo.subarray(0, 0xfc));
      assert.equal((await send(card, `00B0${lastOffset}FC`)).sw, `6C${tail.toString(16).toUpperCase().padStart(2, '0')}`);
      const last = await send(card, `00B0${lastOffset}${tail.toString(16).padStart(2, '0')}`);
      assert.deepEqual(last.bytes, photo.subarray(blocks * 0xfc));
      const end = photo.length.toString(16).padStart(4, '0');
      assert.equal((await send(card, `00B0${end}10`)).sw, '6B00');
    });

    test('READ BINARY with Le 00 returns 256 bytes', async () => {
      await send(card, '00A4080C063F00DF014035');
      const answer = await send(card, '00B0000000');
      assert.equal(answer.sw, '9000');
      assert.equal(answer.bytes.length, 256);
    });

    const reads: readonly (readonly [string, string, string])[] = [
      ['with P1 bit 8 set', '00B0800010', '6B00'],
      ['with a data field', '00B000000110', '6700'],
      ['with an extended Le', '00B00000000200', '6700'],
    ];
    for (const [name, apdu, sw] of reads) {
      test(`READ BINARY ${name} answers ${sw}`, async () => {
        await send(card, '00A4080C063F00DF014031');
        assert.equal((await send(card, apdu)).sw, sw);
      });
    }

    test('READ BINARY with a DF selected answers 6986', async () => {
      await send(card, '00A4080C023F00');
      assert.equal((await send(card, '00B0000010')).sw, '6986');
    });

    test('GET CARD DATA P2 00 answers 28 bytes with the chip number and applet byte', async () => {
      const answer = await send(card, '80E400001C');
      assert.equal(answer.sw, '9000');
      assert.equal(answer.bytes.length, 28);
      assert.equal(answer.data.slice(0, 32), card.holder.chipNumber.toUpperCase());
      assert.equal(answer.bytes[21], applet === '1.7' ? 0x17 : 0x18);
    });

    test('GET CARD DATA with a wrong Le answers 6C1C', async () => {
      assert.equal((await send(card, '80E40000FF')).sw, '6C1C');
      assert.equal((await send(card, '80E40000')).sw, '6C1C');
    });

    test(`GET CARD DATA P2 01 ${applet === '1.8' ? 'gives 31 bytes with the tries left' : 'answers 6B00'}`, async () => {
      const answer = await send(card, '80E400011F');
      if (applet === '1.7') {
        assert.equal(answer.sw, '6B00');
        return;
      }
      assert.equal(answer.sw, '9000');
      assert.equal(answer.bytes.length, 31);
      assert.equal(answer.bytes[28], 3);
    });

    const misc: readonly (readonly [string, string, string])[] = [
      ['an unknown INS', '00CA000000', '6D00'],
      ['CLA 01', '01A4080C023F00', '6E00'],
      ['CLA 80 on SELECT', '80A4080C023F00', '6E00'],
      ['CLA 00 on GET CARD DATA', '00E400001C', '6E00'],
      ['three bytes', '00A408', '6700'],
      ['nothing', '', '6700'],
      ['Lc beyond the data', '00A4080C0A3F00', '6700'],
      ['extended Lc of zero before data', '00A4080C0000003F00', '6700'],
      ['case 2E SELECT without data', '00A4080C000000', '6A87'],
      ['GET RESPONSE with nothing pending', '00C0000010', '6985'],
      ['GET RESPONSE with bad P1', '00C0010010', '6A86'],
      ['LOG OFF', '80E60000', '9000'],
      ['LOG OFF with Le', '80E6000000', '9000'],
      ['LOG OFF with bad P2', '80E6000100', '6A86'],
      ['VERIFY with bad P1', `0020010108${pinBlockHex('1234')}`, '6A86'],
      ['VERIFY of PIN 02', `0020000208${pinBlockHex('1234')}`, '6A88'],
      ['VERIFY with 7 bytes', '0020000107241234FFFFFFFF', '6700'],
      ['VERIFY with a bad block', '002000010830123456FFFFFFFF', '6A80'],
      ['VERIFY with a letter in the block', '00200001082412A4FFFFFFFFFF', '6A80'],
      ['CHANGE with one block only', `0024000108${pinBlockHex('1234')}`, '6700'],
      ['MSE with bad P1-P2', '002241B7050480018482', '6A86'],
      ['MSE with 4 data bytes', '002241B60404800184', '6700'],
      ['MSE with a bad tag', '002241B6050480018582', '6A80'],
      ['MSE with key 84', '002241B6050480018484', '6A88'],
      ['MSE with algorithm 7F', '002241B60504807F8482', '6A80'],
      ['PSO with bad P1-P2', '002A9E9B0101', '6A86'],
      ['CHANGE with bad blocks', '002400011030FFFFFFFFFFFFFF30FFFFFFFFFFFFFF', '6A80'],
    ];
    for (const [name, apdu, sw] of misc) {
      test(`${name} answers ${sw}`, async () => {
        assert.equal((await send(card, apdu)).sw, sw);
      });
    }

    test(`INTERNAL AUTHENTICATE ${applet === '1.7' ? 'is not supported' : 'checks its parameters'}`, async () => {
      const challenge = '00'.repeat(48);
      const good = `0088028132 9430${challenge}`.replace(/ /g, '');
      if (applet === '1.7') {
        assert.equal((await send(card, good)).sw, '6D00');
        return;
      }
      assert.equal((await send(card, good)).sw, '6160');
      assert.equal((await send(card, `0088028232 9430${challenge}`.replace(/ /g, ''))).sw, '6A88');
      assert.equal((await send(card, `0088038132 9430${challenge}`.replace(/ /g, ''))).sw, '6A86');
      assert.equal((await send(card, `0088018132 9430${challenge}`.replace(/ /g, ''))).sw, '6700');
      assert.equal((await send(card, `0088028132 9530${challenge}`.replace(/ /g, ''))).sw, '6A80');
      assert.equal((await send(card, `0088028131 942F${challenge.slice(2)}`.replace(/ /g, ''))).sw, '6700');
    });

    test('no random byte string makes process() throw', async () => {
      let seed = 7;
      const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
      for (let i = 0; i < 3000; i++) {
        const length = next() % 24;
        const bytes = Uint8Array.from({ length }, next);
        if (length > 1) bytes[0] = i % 2 === 0 ? 0x00 : 0x80;
        const answer = await card.process(bytes);
        assert.ok(answer.length >= 2, `answer to ${Buffer.from(bytes).toString('hex')}`);
      }
      card.reset();
    });
  });
}
