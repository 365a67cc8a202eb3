import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeTlv, fromHex, isSmartCardError, toHex } from '@t1c/smartcard';
import { parseFeatures } from '@t1c/smartcard/pcsc';
import {
  certificateFromFile, checkVerifyAnswer, parseAddress, parseBirthDate, parseCardData, parseCardDate, parseIdentity,
  parseTokenInfo, pinBlock, pinpadVerifyStructure,
} from '@t1c/smartcard/beid';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const digits = text;

describe('PIN block (format 2)', () => {
  it('packs even and odd PIN lengths as the reference readers do', () => {
    assert.equal(toHex(pinBlock(digits('1234'))), '241234FFFFFFFFFF');
    assert.equal(toHex(pinBlock(digits('12345'))), '2512345FFFFFFFFF');
    assert.equal(toHex(pinBlock(digits('123456789012'))), '2C123456789012FF');
  });
  for (const pin of ['', '123', '1234567890123', '12 4', '١٢٣٤']) {
    it(`refuses ${JSON.stringify(pin)} with PIN_FORMAT`, () => {
      assert.throws(() => pinBlock(digits(pin)), (e: unknown) => isSmartCardError(e, 'PIN_FORMAT'));
    });
  }
});

describe('pinpad VERIFY structure (PC/SC part 10)', () => {
  it('lays out timers, formats, min/max and the VERIFY template little-endian', () => {
    const s = pinpadVerifyStructure(0x01);
    assert.equal(toHex(s.subarray(0, 9)), '1E1E8947040C040201');
    assert.equal(toHex(s.subarray(15, 19)), '0D000000');
    assert.equal(toHex(s.subarray(19)), '00200001082' + '0FFFFFFFFFFFFFF');
  });
  it('reads the reader features answer', () => {
    const f = parseFeatures(fromHex('0604 42330006 0704 42330007 1204 42000D48'));
    assert.equal(f.verifyPinDirect, 0x42330006);
    assert.equal(f.modifyPinDirect, 0x42330007);
    assert.equal(f.tlvProperties, 0x42000d48);
    assert.deepEqual(parseFeatures(new Uint8Array(0)), {});
  });
  it('maps VERIFY answers: tries left, blocked, pinpad timeout and cancel', () => {
    assert.doesNotThrow(() => checkVerifyAnswer(0x9000));
    assert.throws(() => checkVerifyAnswer(0x63c2), (e: unknown) => isSmartCardError(e, 'PIN_INCORRECT') && e.details.triesLeft === 2);
    assert.throws(() => checkVerifyAnswer(0x63c0), (e: unknown) => isSmartCardError(e, 'PIN_BLOCKED'));
    assert.throws(() => checkVerifyAnswer(0x6983), (e: unknown) => isSmartCardError(e, 'PIN_BLOCKED'));
    assert.throws(() => checkVerifyAnswer(0x6400), (e: unknown) => isSmartCardError(e, 'PIN_TIMEOUT'));
    assert.throws(() => checkVerifyAnswer(0x6401), (e: unknown) => isSmartCardError(e, 'PIN_CANCELLED'));
    assert.throws(() => checkVerifyAnswer(0x6a86), (e: unknown) => isSmartCardError(e, 'CARD_STATUS'));
  });
});

describe('dates', () => {
  const birth: [string, string | null][] = [
    ['01 JAN 1971', '1971-01-01'], ['03 MEI 2001', '2001-05-03'], ['15.MÄR.1980', '1980-03-15'], ['15.MÄR. 1980', '1980-03-15'],
    ['28 FEV 1999', '1999-02-28'], ['1 AOUT 1950', '1950-08-01'], ['31 DEZ 2000', '2000-12-31'], ['1965', '1965'],
    ['30 FEB 2001', null], ['12 XYZ 2001', null], ['', null], ['   ', null],
  ];
  for (const [raw, iso] of birth) {
    it(`reads the birth date ${JSON.stringify(raw)} as ${String(iso)}`, () => assert.equal(parseBirthDate(raw), iso));
  }
  it('reads validity dates DD.MM.YYYY and refuses impossible ones', () => {
    assert.equal(parseCardDate('01.02.2023'), '2023-02-01');
    assert.equal(parseCardDate('31.04.2023'), null);
    assert.equal(parseCardDate('2023-02-01'), null);
  });
});

describe('identity and address files', () => {
  const identity = (extra: { tag: number; value: Uint8Array }[] = []): Uint8Array => encodeTlv([
    { tag: 0x00, value: Uint8Array.of(0, 3) }, { tag: 0x01, value: text('592123456789') },
    { tag: 0x02, value: fromHex('534C494E0123456789ABCDEF01234567') }, { tag: 0x03, value: text('01.02.2023') },
    { tag: 0x06, value: text('71010112345') }, { tag: 0x07, value: text('Müller-Lüdenscheidt') },
    { tag: 0x08, value: text('Ségolène') }, { tag: 0x0c, value: text('03 MEI 2001') }, { tag: 0x11, value: new Uint8Array(32) },
    ...extra,
  ]);
  it('decodes UTF-8 names, keeps the card text and adds ISO dates', () => {
    const id = parseIdentity(identity([{ tag: 0x14, value: new Uint8Array(0) }]));
    assert.equal(id.fileVersion, 3);
    assert.equal(id.surname, 'Müller-Lüdenscheidt');
    assert.equal(id.firstNames, 'Ségolène');
    assert.equal(id.chipNumber, '534C494E0123456789ABCDEF01234567');
    assert.equal(id.birthDate, '03 MEI 2001');
    assert.equal(id.birthDateIso, '2001-05-03');
    assert.equal(id.validityBeginIso, '2023-02-01');
    assert.equal(id.memberOfFamily, true);
    assert.equal(id.nobility, '');
  });
  it('refuses an identity file without a national number', () => {
    const file = encodeTlv([{ tag: 0x01, value: text('1') }, { tag: 0x07, value: text('X') }, { tag: 0x11, value: new Uint8Array(20) }]);
    assert.throws(() => parseIdentity(file), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID'));
  });
  it('refuses invalid UTF-8 and odd photo hash lengths', () => {
    assert.throws(() => parseIdentity(identity([{ tag: 0x0a, value: Uint8Array.of(0xc3, 0x28) }])), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID'));
    const badHash = encodeTlv([{ tag: 0x01, value: text('1') }, { tag: 0x06, value: text('1') }, { tag: 0x07, value: text('X') }, { tag: 0x11, value: new Uint8Array(7) }]);
    assert.throws(() => parseIdentity(badHash), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID'));
  });
  it('reads a zero-padded address file', () => {
    const file = new Uint8Array(117);
    file.set(encodeTlv([{ tag: 0x01, value: text('Specimenstraat 12') }, { tag: 0x02, value: text('1000') }, { tag: 0x03, value: text('Brussel') }]));
    assert.deepEqual(parseAddress(file), { fileVersion: undefined, streetAndNumber: 'Specimenstraat 12', zipCode: '1000', municipality: 'Brussel' });
  });
});

describe('card data, token info and certificate files', () => {
  it('parses GET CARD DATA, with the PIN counter when P2=01 gave one', () => {
    const short = parseCardData(fromHex('534C494E0123456789ABCDEF01234567F33601250117000300210 10F'.replace(/ /g, '')));
    assert.equal(short.appletVersion, 0x17);
    assert.equal(short.pinTriesLeft, undefined);
    const long = parseCardData(fromHex('534C494E0123456789ABCDEF01234567F336012501180001000002 0F03FFFF'.replace(/ /g, '')));
    assert.equal(long.pinTriesLeft, 3);
    assert.throws(() => parseCardData(new Uint8Array(27)), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID'));
  });
  it('parses TokenInfo and refuses what is not a SEQUENCE', () => {
    const t = parseTokenInfo(fromHex('3027020100 0410534C494E0123456789ABCDEF01234567 800642454C504943 03020430 9E0400010203 0000'.replace(/ /g, '')));
    assert.equal(t.label, 'BELPIC');
    assert.equal(t.serialNumber, '534C494E0123456789ABCDEF01234567');
    assert.equal(t.raw.length, 41);
    assert.throws(() => parseTokenInfo(fromHex('0403010203')), (e: unknown) => isSmartCardError(e, 'ASN1_MALFORMED'));
    assert.throws(() => parseTokenInfo(fromHex('3081')), (e: unknown) => isSmartCardError(e, 'ASN1_MALFORMED'));
  });
  it('trims certificate padding and treats an all-zero file as absent', () => {
    assert.equal(toHex(certificateFromFile(fromHex('3003020101 000000')) ?? new Uint8Array(0)), '3003020101');
    assert.equal(certificateFromFile(new Uint8Array(1300)), undefined);
    assert.equal(certificateFromFile(fromHex('30820500 0000')), undefined);
  });
});
