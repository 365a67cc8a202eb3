import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBerTlv, decodeDol, encodeBerTlv, findBerTlv, flattenBerTlv, fromHex, isSmartCardError, toHex } from '@t1c/smartcard';
import { answerDol, maskPan, maskPans, parseAfl } from '@t1c/smartcard/emv';

describe('BER-TLV', () => {
  it('decodes two- and three-byte tags, long lengths, nested templates and 00/FF padding', () => {
    const bytes = fromHex(`00 6F 1C 84 02 A0B0 A5 16 BF0C 13 61 11 9F8101 02 4242 FF 9F12 00 5F2D 04 6E6C6672 FF 5F20 81 C8 ${'41'.repeat(200)}`);
    const nodes = decodeBerTlv(bytes);
    assert.deepEqual(nodes.map((n) => n.tag), [0x6f, 0x5f20]);
    assert.equal(toHex(findBerTlv(nodes, [0x6f, 0x84])?.value ?? new Uint8Array()), 'A0B0');
    assert.equal(toHex(findBerTlv(nodes, [0x6f, 0xa5, 0xbf0c, 0x61, 0x9f8101])?.value ?? new Uint8Array()), '4242');
    assert.equal(findBerTlv(nodes, [0x6f, 0xa5, 0xbf0c, 0x61, 0x9f12])?.value.length, 0);
    assert.equal(Buffer.from(findBerTlv(nodes, [0x6f, 0xa5, 0xbf0c, 0x61, 0x5f2d])?.value ?? []).toString(), 'nlfr');
    assert.equal(findBerTlv(nodes, [0x5f20])?.value.length, 200);
    assert.equal(findBerTlv(nodes, [0x6f, 0x99]), undefined);
  });
  it('round-trips encode/decode for every length form', () => {
    for (const size of [0, 1, 127, 128, 255, 256, 70000]) {
      const encoded = encodeBerTlv(0x9f46, new Uint8Array(size).fill(7));
      const [node] = decodeBerTlv(encoded);
      assert.equal(node?.tag, 0x9f46);
      assert.equal(node?.value.length, size);
    }
  });
  it('flattens templates so that the first of a repeated tag wins', () => {
    const map = flattenBerTlv(decodeBerTlv(fromHex('70 08 5A 02 1234 77 02 5A 00 5A 01 99')));
    assert.equal(toHex(map.get(0x5a) ?? new Uint8Array()), '1234');
  });
  const hostile: [string, string][] = [
    ['a value longer than the buffer', '5A 05 1234'],
    ['a length field that runs past the end', '5A 82 01'],
    ['an indefinite length', '6F 80 0000'],
    ['a four-byte length', '5A 84 00000001 00'],
    ['a tag longer than three bytes', '9F 81 81 01 00'],
    ['a tag cut short', '9F'],
  ];
  for (const [name, hex] of hostile) {
    it(`refuses ${name} with TLV_MALFORMED`, () => {
      assert.throws(() => decodeBerTlv(fromHex(hex)), (e: unknown) => isSmartCardError(e, 'TLV_MALFORMED'));
    });
  }
  it('refuses nesting deeper than eight templates', () => {
    let inner = encodeBerTlv(0x5a, Uint8Array.of(1));
    for (let i = 0; i < 10; i++) inner = encodeBerTlv(0x61, inner);
    assert.throws(() => decodeBerTlv(inner), (e: unknown) => isSmartCardError(e, 'TLV_MALFORMED'));
  });
  it('decodes a DOL into tags and lengths', () => {
    assert.deepEqual(decodeDol(fromHex('9F1A02 5F2A02 9A03 9C01 9F3704')).map((e) => [e.tag, e.length]),
      [[0x9f1a, 2], [0x5f2a, 2], [0x9a, 3], [0x9c, 1], [0x9f37, 4]]);
  });
});

describe('EMV helpers', () => {
  it('masks all but the last four digits of a PAN', () => {
    assert.equal(maskPan('6703000000000000003'), '***************0003');
    assert.equal(maskPan('4000 0000 0000 0002'), '************0002');
    assert.equal(maskPan('123'), '***');
  });
  it('masks PANs inside free text and hex dumps of track 2', () => {
    assert.equal(maskPans('card 4000000000000002 refused'), 'card ************0002 refused');
    assert.equal(maskPans('57 13 6703000000000000003D2911201'), '57 13 ***************0003D2911201');
    assert.equal(maskPans('sw 6985, 3 tries'), 'sw 6985, 3 tries');
  });
  it('answers a PDOL with country, currency, date and the unpredictable number, zero for the unknown', () => {
    const answer = answerDol(decodeDol(fromHex('9F1A02 5F2A02 9A03 9C01 9F3704 9F0206 9F1A01')), {
      countryCode: '056', currencyCode: '978', date: new Date(Date.UTC(2026, 10, 30)), unpredictableNumber: fromHex('01020304'),
    });
    assert.equal(toHex(answer), '0056' + '0978' + '261130' + '00' + '01020304' + '000000000000' + '56');
  });
  it('parses an AFL and refuses malformed ones', () => {
    assert.deepEqual(parseAfl(fromHex('08010201 10010200')), [{ sfi: 1, first: 1, last: 2, odaRecords: 1 }, { sfi: 2, first: 1, last: 2, odaRecords: 0 }]);
    for (const bad of ['080102', '00010100', '08000100', '08020100', '08010103']) {
      assert.throws(() => parseAfl(fromHex(bad)), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID'), bad);
    }
  });
});
