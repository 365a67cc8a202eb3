import assert from 'node:assert/strict';
import { createHash, randomBytes, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '@t1c/smartcard';
import { DIGEST_INFO_PREFIX } from '@t1c/smartcard/beid';
import { BeidVirtualCard } from '../src/index.js';
import { pinBlockHex, send } from './card-helpers.js';

const MESSAGE = Buffer.from('document the holder signs');
const sha = (name: string): string => toHex(createHash(name).update(MESSAGE).digest());
const mse = (algo: number, key: number): string => `002241B6050480${algo.toString(16).padStart(2, '0')}84${key.toString(16)}`;
const pso = (dtbsHex: string): string => `002A9E9A${(dtbsHex.length / 2).toString(16).padStart(2, '0')}${dtbsHex}`;

async function signature(card: BeidVirtualCard, announced: string): Promise<Uint8Array> {
  assert.match(announced, /^61/);
  const answer = await send(card, `00C00000${announced.slice(2)}`);
  assert.equal(answer.sw, '9000');
  return answer.bytes;
}

describe('applet 1.7 RSA signing', () => {
  test('key 82 signs a full DigestInfo after one VERIFY, answering 61 00 then 256 bytes', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.7' });
    assert.equal((await send(card, mse(0x01, 0x82))).sw, '9000');
    const dtbs = DIGEST_INFO_PREFIX['SHA-256'] + sha('sha256');
    assert.equal((await send(card, pso(dtbs))).sw, '6982');
    assert.equal((await send(card, `0020000108${pinBlockHex('1234')}`)).sw, '9000');
    const first = await send(card, pso(dtbs));
    assert.equal(first.sw, '6100');
    const sig = await signature(card, first.sw);
    assert.equal(sig.length, 256);
    assert.ok(verify('sha256', MESSAGE, card.pki.authenticationPublicKey, sig));
    // PIN once: a second signature needs no new VERIFY.
    const again = await send(card, pso(dtbs));
    assert.equal(again.sw, '6100');
  });

  test('algorithms 02 and 08 take a bare SHA-1 or SHA-256 hash and the card adds the DigestInfo', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.7' });
    await send(card, `0020000108${pinBlockHex('1234')}`);
    for (const [algo, hash] of [[0x02, 'sha1'], [0x08, 'sha256']] as const) {
      assert.equal((await send(card, mse(algo, 0x82))).sw, '9000');
      const sig = await signature(card, (await send(card, pso(sha(hash)))).sw);
      assert.ok(verify(hash, MESSAGE, card.pki.authenticationPublicKey, sig), hash);
    }
  });

  const lengths: readonly (readonly [string, number, string])[] = [
    ['SHA-1 hash of 21 bytes', 0x02, '00'.repeat(21)],
    ['SHA-256 hash of 31 bytes', 0x08, '00'.repeat(31)],
    ['DigestInfo of 246 bytes', 0x01, '00'.repeat(246)],
  ];
  for (const [name, algo, dtbs] of lengths) {
    test(`PSO with a ${name} answers 6700`, async () => {
      const card = await BeidVirtualCard.create({ appletVersion: '1.7' });
      await send(card, `0020000108${pinBlockHex('1234')}`);
      await send(card, mse(algo, 0x82));
      assert.equal((await send(card, pso(dtbs))).sw, '6700');
    });
  }

  test('MSE refuses the EC-only algorithm 40 and the basic key 81', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.7' });
    assert.equal((await send(card, mse(0x40, 0x82))).sw, '6A80');
    assert.equal((await send(card, mse(0x02, 0x81))).sw, '6A88');
  });

  test('key 83 needs the VERIFY immediately before the PSO', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.7' });
    const dtbs = sha('sha256');
    await send(card, mse(0x08, 0x83));
    await send(card, `0020000108${pinBlockHex('1234')}`);
    await send(card, '80E400001C');
    assert.equal((await send(card, pso(dtbs))).sw, '6982');
    await send(card, `0020000108${pinBlockHex('1234')}`);
    const sig = await signature(card, (await send(card, pso(dtbs))).sw);
    assert.ok(verify('sha256', MESSAGE, card.pki.nonRepudiationPublicKey, sig));
    assert.equal((await send(card, pso(dtbs))).sw, '6982', 'a second signature needs a second VERIFY');
  });
});

describe('applet 1.8 ECDSA signing', () => {
  const algorithms: readonly (readonly [number, string, string])[] = [
    [0x01, 'sha256', 'sha256'], [0x02, 'sha384', 'sha384'], [0x04, 'sha512', 'sha512'], [0x40, 'sha384', 'sha384'], [0x40, 'sha256', 'sha256'],
  ];
  for (const [algo, hash] of algorithms) {
    test(`algorithm ${algo.toString(16).padStart(2, '0')} signs a ${hash} digest as 96-byte r‖s announced by 61 60`, async () => {
      const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
      await send(card, mse(algo, 0x82));
      await send(card, `0020000108${pinBlockHex('1234')}`);
      const announced = await send(card, pso(sha(hash)));
      assert.equal(announced.sw, '6160');
      const sig = await signature(card, announced.sw);
      assert.equal(sig.length, 96);
      assert.ok(verify(hash, MESSAGE, { key: card.pki.authenticationPublicKey, dsaEncoding: 'ieee-p1363' }, sig));
    });
  }

  const wrong: readonly (readonly [number, number])[] = [[0x01, 48], [0x02, 32], [0x04, 48], [0x40, 33], [0x40, 0]];
  for (const [algo, length] of wrong) {
    test(`algorithm ${algo.toString(16)} with ${length} bytes answers 6700`, async () => {
      const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
      await send(card, mse(algo, 0x82));
      await send(card, `0020000108${pinBlockHex('1234')}`);
      const apdu = length === 0 ? '002A9E9A' : pso('00'.repeat(length));
      assert.equal((await send(card, apdu)).sw, '6700');
    });
  }

  test('MSE refuses RSA algorithm 08 with 6A80', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    assert.equal((await send(card, mse(0x08, 0x82))).sw, '6A80');
  });

  test('PSO without MSE answers 6985', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    await send(card, `0020000108${pinBlockHex('1234')}`);
    assert.equal((await send(card, pso(sha('sha256')))).sw, '6985');
  });

  test('key 83 allows one command between VERIFY and PSO on 1.8, not two', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    await send(card, mse(0x02, 0x83));
    await send(card, `0020000108${pinBlockHex('1234')}`);
    await send(card, '80E400001C');
    const sig = await signature(card, (await send(card, pso(sha('sha384')))).sw);
    assert.ok(verify('sha384', MESSAGE, { key: card.pki.nonRepudiationPublicKey, dsaEncoding: 'ieee-p1363' }, sig));
    await send(card, `0020000108${pinBlockHex('1234')}`);
    await send(card, '80E400001C');
    await send(card, '80E400001C');
    assert.equal((await send(card, pso(sha('sha384')))).sw, '6982');
  });

  test('INTERNAL AUTHENTICATE signs the challenge with the key published in 4040, without a PIN', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    const challenge = createHash('sha384').update(MESSAGE).digest('hex');
    const announced = await send(card, `0088028132 9430${challenge}`.replace(/ /g, ''));
    assert.equal(announced.sw, '6160');
    const sig = await signature(card, announced.sw);
    const basic = card.file('3F00DF014040');
    assert.ok(verify('sha384', MESSAGE, { key: Buffer.from(basic), format: 'der', type: 'spki', dsaEncoding: 'ieee-p1363' }, sig));
  });

  test('GET RESPONSE hands out a signature in two pieces when Le is short', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    await send(card, `0088028132 9430${toHex(randomBytes(48))}`.replace(/ /g, ''));
    const first = await send(card, '00C0000040');
    assert.equal(first.sw, '6120');
    assert.equal(first.bytes.length, 64);
    assert.equal((await send(card, '00C0000030')).sw, '6C20');
    const rest = await send(card, '00C0000020');
    assert.equal(rest.sw, '9000');
    assert.equal((await send(card, '00C0000020')).sw, '6985');
  });
});

describe('PIN', () => {
  test('wrong PINs count down 63C2, 63C1 then block with 6983, and the status query agrees', async () => {
    const card = await BeidVirtualCard.create();
    assert.equal((await send(card, '0020000100')).sw, '63C3');
    assert.equal((await send(card, `0020000108${pinBlockHex('9999')}`)).sw, '63C2');
    assert.equal((await send(card, `0020000108${pinBlockHex('99999')}`)).sw, '63C1');
    assert.equal((await send(card, '00200001')).sw, '63C1');
    assert.equal((await send(card, `0020000108${pinBlockHex('0000')}`)).sw, '6983');
    assert.equal((await send(card, `0020000108${pinBlockHex('1234')}`)).sw, '6983');
    assert.equal((await send(card, '0020000100')).sw, '6983');
    assert.equal((await send(card, '80E400011F')).bytes[28], 0);
  });

  test('a right PIN restores the tries and an empty VERIFY then answers 9000', async () => {
    const card = await BeidVirtualCard.create({ pin: '123456' });
    await send(card, `0020000108${pinBlockHex('9999')}`);
    assert.equal((await send(card, `0020000108${pinBlockHex('123456')}`)).sw, '9000');
    assert.equal((await send(card, '0020000100')).sw, '9000');
    assert.equal(card.pinTriesLeft, 3);
  });

  test('a wrong PIN cancels an earlier successful VERIFY', async () => {
    const card = await BeidVirtualCard.create();
    await send(card, `0020000108${pinBlockHex('1234')}`);
    await send(card, `0020000108${pinBlockHex('4321')}`);
    await send(card, mse(0x02, 0x82));
    assert.equal((await send(card, pso(sha('sha384')))).sw, '6982');
  });

  test('LOG OFF and reset forget the VERIFY', async () => {
    const card = await BeidVirtualCard.create();
    await send(card, `0020000108${pinBlockHex('1234')}`);
    await send(card, '80E60000');
    assert.equal((await send(card, '0020000100')).sw, '63C3');
    await send(card, `0020000108${pinBlockHex('1234')}`);
    card.reset();
    assert.equal((await send(card, '0020000100')).sw, '63C3');
  });

  test('CHANGE REFERENCE DATA replaces the PIN', async () => {
    const card = await BeidVirtualCard.create();
    assert.equal((await send(card, `0024000110${pinBlockHex('1234')}${pinBlockHex('87654321')}`)).sw, '9000');
    assert.equal((await send(card, `0020000108${pinBlockHex('1234')}`)).sw, '63C2');
    assert.equal((await send(card, `0020000108${pinBlockHex('87654321')}`)).sw, '9000');
  });

  test('a card created with no tries left is blocked', async () => {
    const card = await BeidVirtualCard.create({ pinTriesLeft: 0 });
    assert.equal((await send(card, '0020000100')).sw, '6983');
  });
});

test('a slow card answers after its latency without changing the answer', async () => {
  const card = await BeidVirtualCard.create({ latencyMs: 5 });
  const answer = await card.process(fromHex('80E400001C'));
  assert.equal(answer.length, 30);
});
