import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { command, encodeCommand, fromHex, isSmartCardError, parseCommand, parseResponse, toHex } from '@t1c/smartcard';

describe('command APDU', () => {
  const cases: [string, ReturnType<typeof command>, string][] = [
    ['case 1', command(0, 0x20, 0, 1), '00200001'],
    ['case 2 short, Le 256 as 00', command(0, 0xb0, 0, 0, new Uint8Array(0), 256), '00B0000000'],
    ['case 3 short', command(0, 0xa4, 8, 0x0c, fromHex('3F00DF014031')), '00A4080C063F00DF014031'],
    ['case 4 short', command(0x80, 0xe4, 0, 0, Uint8Array.of(1), 0x1c), '80E4000001011C'],
    ['case 2 extended', command(0, 0xb0, 0, 0, new Uint8Array(0), 65536), '00B00000000000'],
    ['case 3 extended', command(0, 0x2a, 0x9e, 0x9a, new Uint8Array(300)), `002A9E9A00012C${'00'.repeat(300)}`],
    ['case 4 extended', command(0, 0x2a, 0x9e, 0x9a, new Uint8Array(300), 512), `002A9E9A00012C${'00'.repeat(300)}0200`],
  ];
  for (const [name, apdu, hex] of cases) {
    it(`encodes and decodes ${name}`, () => {
      assert.equal(toHex(encodeCommand(apdu)), hex);
      assert.deepEqual(parseCommand(fromHex(hex)), apdu);
    });
  }

  const hostile: [string, string][] = [
    ['three bytes', '00A408'],
    ['Lc larger than the data', '00A4080C063F00'],
    ['Lc smaller than the data', '00A4080C023F00DF01'],
    ['truncated extended length', '00B0000000 01'],
    ['extended Lc of zero with data', '002A9E9A000000AA'],
    ['extended Lc mismatch', '002A9E9A00000501020304'],
  ];
  for (const [name, hex] of hostile) {
    it(`refuses ${name} with a typed error`, () => {
      assert.throws(() => parseCommand(fromHex(hex)), (e: unknown) => isSmartCardError(e, 'APDU_MALFORMED'));
    });
  }

  it('rejects caller bugs (bytes out of range, Ne too big) as RangeError', () => {
    assert.throws(() => command(0x100, 0, 0, 0), RangeError);
    assert.throws(() => command(0, 0, 0, 0, new Uint8Array(0), 65537), RangeError);
  });
});

describe('response APDU', () => {
  it('splits data and status word', () => {
    const r = parseResponse(fromHex('0102 9000'));
    assert.equal(toHex(r.data), '0102');
    assert.equal(r.sw, 0x9000);
  });
  it('refuses a response without a status word', () => {
    for (const hex of ['', '90']) {
      assert.throws(() => parseResponse(fromHex(hex)), (e: unknown) => isSmartCardError(e, 'APDU_MALFORMED'));
    }
  });
});
