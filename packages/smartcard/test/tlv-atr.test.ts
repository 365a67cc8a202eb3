import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  atrMatches, atrPattern, decodeTlv, describeStatusWord, encodeTlv, fromHex, isSmartCardError, parseAtr, toHex, triesLeft,
} from '@t1c/smartcard';
import { BEID_ATR_1_7, BEID_ATR_1_8, recogniseBeid } from '@t1c/smartcard/beid';

describe('BEID TLV', () => {
  it('reads one-byte, FF-run and zero lengths and stops at the zero padding', () => {
    const long = new Uint8Array(300).fill(0x41);
    const bytes = fromHex(`0002 0001 010C${'31'.repeat(12)} 14 00 20 FF 2D ${toHex(long)} 0000000000`);
    const fields = decodeTlv(bytes);
    assert.deepEqual(fields.map((f) => [f.tag, f.value.length]), [[0, 2], [1, 12], [0x14, 0], [0x20, 300]]);
  });
  it('encodes lengths of 255 and more as FF runs', () => {
    assert.equal(toHex(encodeTlv([{ tag: 1, value: new Uint8Array(255) }])).slice(0, 8), '01FF0000');
    assert.equal(toHex(encodeTlv([{ tag: 1, value: new Uint8Array(510) }])).slice(0, 8), '01FFFF00');
    assert.equal(decodeTlv(encodeTlv([{ tag: 7, value: new Uint8Array(600) }]))[0]?.value.length, 600);
  });
  const hostile: [string, string][] = [
    ['a tag with no length', '01'],
    ['a value shorter than its length', '0105414243'],
    ['a length run that never ends', '01FFFF'],
    ['an overlong length run', `01${'FF'.repeat(300)}00`],
  ];
  for (const [name, hex] of hostile) {
    it(`refuses ${name} with a typed error`, () => {
      assert.throws(() => decodeTlv(fromHex(hex)), (e: unknown) => isSmartCardError(e, 'TLV_MALFORMED'));
    });
  }
});

describe('ATR', () => {
  it('parses the applet 1.8 ATR: T=0 only, 15 historical bytes, no TCK', () => {
    const atr = parseAtr(fromHex(BEID_ATR_1_8));
    assert.deepEqual(atr.protocols, [0]);
    assert.equal(atr.historicalBytes.length, 15);
    assert.equal(atr.tck, undefined);
    assert.equal(atr.interfaceBytes.TA1, 0x96);
  });
  it('parses a T=1 ATR and checks its TCK', () => {
    const good = fromHex('3B8880018031A0730001000F00');
    // Recompute TCK so the fixture is self-consistent.
    let x = 0;
    for (let i = 1; i < good.length - 1; i++) x ^= good[i] ?? 0;
    good[good.length - 1] = x;
    assert.deepEqual(parseAtr(good).protocols, [0, 1]);
    good[good.length - 1] = x ^ 1;
    assert.throws(() => parseAtr(good), (e: unknown) => isSmartCardError(e, 'ATR_MALFORMED'));
  });
  for (const [name, hex] of [['empty', ''], ['bad TS', '3C00'], ['missing interface bytes', '3BF0'], ['missing historical bytes', '3B05 0102'], ['trailing bytes', '3B00 00']]) {
    it(`refuses an ATR that is ${name}`, () => {
      assert.throws(() => parseAtr(fromHex(hex ?? '')), (e: unknown) => isSmartCardError(e, 'ATR_MALFORMED'));
    });
  }
  it('matches exact and masked patterns', () => {
    assert.ok(atrMatches(fromHex(BEID_ATR_1_8), atrPattern(BEID_ATR_1_8)));
    const p = atrPattern('3B980040', 'FFFF00FF');
    assert.ok(atrMatches(fromHex('3B981340'), p));
    assert.ok(!atrMatches(fromHex('3B981341'), p));
    assert.ok(!atrMatches(fromHex('3B9813'), p));
  });
  it('recognises both Belgian eID applets and nothing else', () => {
    assert.equal(recogniseBeid(fromHex(BEID_ATR_1_8)), '1.8');
    assert.equal(recogniseBeid(fromHex(BEID_ATR_1_7)), '1.7');
    assert.equal(recogniseBeid(fromHex('3B9894400AA503010101AD1310')), '1.7');
    assert.equal(recogniseBeid(fromHex('3B8F8001804F0CA000000306030001000000006A')), undefined);
  });
});

describe('status words', () => {
  it('names known words and decodes 61xx, 6Cxx and 63Cx', () => {
    assert.equal(describeStatusWord(0x6a82), '6A82 file not found');
    assert.equal(describeStatusWord(0x6100), '6100 256 bytes available');
    assert.equal(describeStatusWord(0x6c10), '6C10 wrong Le, 16 expected');
    assert.equal(triesLeft(0x63c2), 2);
    assert.equal(triesLeft(0x9000), undefined);
    assert.equal(describeStatusWord(0x1234), '1234 unknown status');
  });
});
