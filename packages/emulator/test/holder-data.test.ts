import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeTlv, tlvMap } from '@t1c/smartcard';
import { buildAddressFile, describeHolderDataFormat, encodeFrame, FrameReader, nationalNumberIsValid, parseHolderData, SPECIMEN_HOLDER } from '../src/index.js';

describe('holder data file', () => {
  test('an empty object gives the specimen', () => {
    assert.deepEqual(parseHolderData({}), { ...SPECIMEN_HOLDER });
  });

  test('given fields replace the specimen and null removes an optional field', () => {
    const holder = parseHolderData({ surname: 'Peeters', birthDate: '15.MÄR.1980', thirdNameInitial: null, memberOfFamily: true, address: { zipCode: '2000' } });
    assert.equal(holder.surname, 'Peeters');
    assert.equal(holder.birthDate, '15.MÄR.1980');
    assert.equal(holder.thirdNameInitial, undefined);
    assert.equal(holder.memberOfFamily, true);
    assert.equal(holder.address.zipCode, '2000');
    assert.equal(holder.address.municipality, SPECIMEN_HOLDER.address.municipality);
  });

  const bad: readonly (readonly [string, unknown, RegExp])[] = [
    ['not an object', [], /JSON object/],
    ['an unknown field', { nickname: 'x' }, /unknown field nickname/],
    ['a number as surname', { surname: 5 }, /surname must be a string/],
    ['a surname over 110 bytes', { surname: 'é'.repeat(56) }, /surname is longer than 110 bytes/],
    ['a bad validity date', { validityEnd: '2034-03-15' }, /validityEnd/],
    ['a bad birth date', { birthDate: '01 JANVIER 1971' }, /birthDate/],
    ['a bad national number check', { nationalNumber: '71010112484' }, /mod-97/],
    ['a short chip number', { chipNumber: 'ABCD' }, /chipNumber/],
    ['gender X', { gender: 'X' }, /gender/],
    ['a required field set to null', { surname: null }, /surname is required/],
    ['an empty required field', { firstNames: '' }, /firstNames must not be empty/],
    ['an unknown address field', { address: { box: '3' } }, /address.box/],
    ['a bad zip code', { address: { zipCode: '1' } }, /address.zipCode/],
    ['memberOfFamily as text', { memberOfFamily: 'yes' }, /memberOfFamily/],
  ];
  for (const [name, json, message] of bad) {
    test(`${name} is refused with a RangeError naming the field`, () => {
      assert.throws(() => parseHolderData(json), (error: unknown) => error instanceof RangeError && message.test(error.message));
    });
  }

  test('national numbers of people born from 2000 use the 2-prefixed check', () => {
    assert.equal(nationalNumberIsValid('01050312366'), true);
    assert.equal(nationalNumberIsValid('71010112483'), true);
    assert.equal(nationalNumberIsValid('7101011248'), false);
  });

  test('an address too long for the 117-byte file is refused', () => {
    const holder = parseHolderData({ address: { streetAndNumber: 'x'.repeat(60), municipality: 'y'.repeat(47), zipCode: '123456' } });
    assert.throws(() => buildAddressFile(holder), RangeError);
  });

  test('the address file carries German umlauts as UTF-8', () => {
    const file = buildAddressFile(parseHolderData({ address: { municipality: 'Bütgenbach', zipCode: '4750' } }));
    assert.equal(new TextDecoder().decode(tlvMap(decodeTlv(file)).get(3)), 'Bütgenbach');
  });

  test('the format description names every field', () => {
    const text = describeHolderDataFormat();
    for (const field of ['nationalNumber', 'birthDate', 'cardEuStartDate', 'streetAndNumber', 'photo']) assert.match(text, new RegExp(field));
  });
});

describe('vpcd frames', () => {
  test('frames split across chunks and merged in one chunk are all recovered', () => {
    const reader = new FrameReader();
    const a = encodeFrame(Uint8Array.of(0x04));
    const b = encodeFrame(Uint8Array.of(0x80, 0xe4, 0x00, 0x00, 0x1c));
    const stream = Buffer.concat([a, b, a]);
    const frames = [...reader.push(stream.subarray(0, 1)), ...reader.push(stream.subarray(1, 6)), ...reader.push(stream.subarray(6))];
    assert.deepEqual(frames.map((f) => f.toString('hex')), ['04', '80e400001c', '04']);
  });
});
