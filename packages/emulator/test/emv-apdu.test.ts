import assert from 'node:assert/strict';
import { constants, createHash, createPublicKey, publicDecrypt } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { EmvVirtualCard, NO_DIRECTORY_APPLICATIONS, type EmvTestCertificationAuthority } from '../src/index.js';

interface Answer { readonly data: Buffer; readonly sw: string }

function raw(card: EmvVirtualCard, apdu: string): Answer {
  const out = Buffer.from(card.process(Uint8Array.from(Buffer.from(apdu.replace(/\s+/g, ''), 'hex'))));
  return { data: out.subarray(0, -2), sw: out.subarray(-2).toString('hex').toUpperCase() };
}

/** What a terminal does on T=0: GET RESPONSE after 61xx, repeat with Le after 6Cxx. */
function transact(card: EmvVirtualCard, apdu: string): Answer {
  let answer = raw(card, apdu);
  // Only case-2 commands (no data) get 6Cxx here: resend the header with the Le it names.
  if (answer.sw.startsWith('6C')) answer = raw(card, apdu.replace(/\s+/g, '').slice(0, 8) + answer.sw.slice(2));
  if (answer.sw.startsWith('61')) answer = raw(card, `00C00000${answer.sw.slice(2)}`);
  return answer;
}

/** A minimal BER-TLV walk, independent of both the card and the reader. */
function find(bytes: Buffer, path: readonly number[]): Buffer | undefined {
  let offset = 0;
  while (offset < bytes.length) {
    let tag = bytes[offset++] ?? 0;
    const constructed = (tag & 0x20) !== 0;
    if ((tag & 0x1f) === 0x1f) {
      let b: number;
      do {
        b = bytes[offset++] ?? 0;
        tag = (tag << 8) | b;
      } while (b & 0x80);
    }
    let length = bytes[offset++] ?? 0;
    if (length & 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (bytes[offset++] ?? 0);
    }
    const value = bytes.subarray(offset, offset + length);
    offset += length;
    if (tag === path[0]) return path.length === 1 ? value : constructed ? find(value, path.slice(1)) : undefined;
  }
  return undefined;
}

function recover(certificate: Buffer, modulus: Uint8Array, exponent: Uint8Array): Buffer {
  const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(modulus).toString('base64url'), e: Buffer.from(exponent).toString('base64url') }, format: 'jwk' });
  return publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, certificate);
}

const PSE = Buffer.from('1PAY.SYS.DDF01').toString('hex');
const PPSE = Buffer.from('2PAY.SYS.DDF01').toString('hex');
const MAESTRO = 'A0000000043060';
const VISA = 'A0000000031010';
const MAESTRO_GPO = '80A800000E830C 0056 0978 261130 00 01020304 00';

function pinBlock(pin: string): string {
  return `2${pin.length.toString(16)}${pin}${'F'.repeat(14 - pin.length)}`;
}

describe('virtual EMV card at APDU level', () => {
  let card: EmvVirtualCard;
  before(async () => {
    card = await EmvVirtualCard.create();
  });

  test('the PPSE lists both applications with label and priority in BF0C', () => {
    card.reset();
    const first = raw(card, `00A404000E${PPSE}00`);
    assert.match(first.sw, /^61/, 'a T=0 card announces the FCI');
    const fci = transact(card, `00A404000E${PPSE}00`);
    assert.equal(fci.sw, '9000');
    const directory = find(fci.data, [0x6f, 0xa5, 0xbf0c]);
    assert.ok(directory);
    const aids: string[] = [];
    let rest = directory;
    while (rest.length > 0) {
      const entry = find(rest, [0x61]);
      assert.ok(entry);
      aids.push(`${find(entry, [0x4f])?.toString('hex').toUpperCase()}:${find(entry, [0x50])?.toString()}:${find(entry, [0x87])?.[0]}`);
      rest = rest.subarray(2 + entry.length);
    }
    assert.deepEqual(aids, [`${VISA}:VISA CREDIT:2`, `${MAESTRO}:MAESTRO:1`]);
  });

  test('the PSE points at SFI 1, whose records are the directory, ending in 6A83', () => {
    card.reset();
    const fci = transact(card, `00A404000E${PSE}00`);
    assert.equal(fci.sw, '9000');
    assert.equal(find(fci.data, [0x6f, 0xa5, 0x88])?.toString('hex'), '01');
    assert.equal(find(fci.data, [0x6f, 0x84])?.toString(), '1PAY.SYS.DDF01');
    const one = transact(card, '00B2010C00');
    assert.equal(one.sw, '9000');
    assert.equal(find(one.data, [0x70, 0x61, 0x4f])?.toString('hex').toUpperCase(), VISA);
    assert.equal(transact(card, '00B2020C00').sw, '9000');
    assert.equal(raw(card, '00B2030C00').sw, '6A83');
    assert.equal(raw(card, '00B20114 00').sw, '6A82', 'no SFI 2 in the PSE');
  });

  test('a wrong Le on READ RECORD gets 6Cxx with the record length', () => {
    card.reset();
    transact(card, `00A404000E${PSE}00`);
    const wrong = raw(card, '00B2010C00');
    assert.match(wrong.sw, /^6C/);
    const right = raw(card, `00B2010C${wrong.sw.slice(2)}`);
    assert.equal(right.sw, '9000');
    assert.equal(right.data.length, parseInt(wrong.sw.slice(2), 16));
  });

  test('SELECT by AID returns the FCI with label, priority, PDOL and language; partial AIDs select too', () => {
    card.reset();
    const fci = transact(card, `00A4040007${MAESTRO}00`);
    assert.equal(fci.sw, '9000');
    assert.equal(find(fci.data, [0x6f, 0x84])?.toString('hex').toUpperCase(), MAESTRO);
    assert.equal(find(fci.data, [0x6f, 0xa5, 0x9f38])?.toString('hex').toUpperCase(), '9F1A025F2A029A039C019F3704');
    assert.equal(find(fci.data, [0x6f, 0xa5, 0x5f2d])?.toString(), 'nlfr');
    const partial = transact(card, '00A4040005A00000000300');
    assert.equal(find(partial.data, [0x6f, 0x84])?.toString('hex').toUpperCase(), VISA);
    assert.equal(find(partial.data, [0x6f, 0xa5, 0x9f38]), undefined, 'the credit application has no PDOL');
  });

  const badSelects: readonly (readonly [string, string, string])[] = [
    ['unknown AID', '00A4040007A000000099999900', '6A82'],
    ['next occurrence', `00A4040207${MAESTRO}00`, '6A82'],
    ['select by FID', '00A40000023F0000', '6A86'],
    ['AID too short', '00A4040004A000000000', '6700'],
  ];
  for (const [name, apdu, sw] of badSelects) {
    test(`SELECT: ${name} → ${sw}`, () => {
      card.reset();
      assert.equal(raw(card, apdu).sw, sw);
    });
  }

  test('READ RECORD and VERIFY before GET PROCESSING OPTIONS are refused with 6985', () => {
    card.reset();
    transact(card, `00A4040007${MAESTRO}00`);
    assert.equal(raw(card, '00B2010C00').sw, '6985');
    assert.equal(raw(card, `0020008008${pinBlock('1234')}`).sw, '6985');
    assert.equal(card.pinTriesLeft, 3, 'a refused VERIFY spends no try');
  });

  test('GPO: the PDOL template must have the PDOL length; then AIP and AFL in format 2; a second GPO is refused', () => {
    card.reset();
    transact(card, `00A4040007${MAESTRO}00`);
    assert.equal(raw(card, '80A80000028300 00').sw, '6700');
    const gpo = transact(card, MAESTRO_GPO);
    assert.equal(gpo.sw, '9000');
    assert.equal(find(gpo.data, [0x77, 0x82])?.toString('hex'), '3c00');
    assert.equal(find(gpo.data, [0x77, 0x94])?.toString('hex'), '0801020110010200');
    assert.equal(raw(card, MAESTRO_GPO).sw, '6985');
  });

  test('GPO without a selected application is refused; format 1 for the credit application', () => {
    card.reset();
    assert.equal(raw(card, '80A80000028300 00').sw, '6985');
    transact(card, `00A4040007${VISA}00`);
    const gpo = transact(card, '80A80000028300 00');
    assert.equal(gpo.sw, '9000');
    assert.equal(find(gpo.data, [0x80])?.toString('hex'), '3c000801020110010200');
  });

  test('records per the AFL hold PAN, dates, name, country and certificates that recover with the test CA', () => {
    card.reset();
    transact(card, `00A4040007${MAESTRO}00`);
    transact(card, MAESTRO_GPO);
    const r11 = transact(card, '00B2010C00');
    const r12 = transact(card, '00B2020C00');
    const r21 = transact(card, '00B2011400');
    const r22 = transact(card, '00B2021400');
    for (const r of [r11, r12, r21, r22]) assert.equal(r.sw, '9000');
    assert.equal(raw(card, '00B2031400').sw, '6A83');
    assert.equal(raw(card, '00B2011C00').sw, '6A82');
    assert.equal(raw(card, '00B2010800').sw, '6A86', 'P2 must end in 100');
    assert.equal(find(r11.data, [0x70, 0x5a])?.toString('hex'), '6703000000000000003f');
    assert.equal(find(r11.data, [0x70, 0x5f24])?.toString('hex'), '291130');
    assert.equal(find(r11.data, [0x70, 0x5f28])?.toString('hex'), '0056');
    assert.equal(find(r12.data, [0x70, 0x5f20])?.toString(), 'SPECIMEN/ALICE');

    const ca: EmvTestCertificationAuthority | undefined = card.certificationAuthorities().find((c) => c.rid === MAESTRO.slice(0, 10));
    assert.ok(ca);
    assert.equal(find(r21.data, [0x70, 0x8f])?.[0], ca.index);
    const issuerCert = find(r21.data, [0x70, 0x90]);
    const issuerRemainder = find(r21.data, [0x70, 0x92]);
    const issuerExponent = find(r21.data, [0x70, 0x9f32]);
    assert.ok(issuerCert && issuerRemainder && issuerExponent);
    assert.equal(issuerCert.length, ca.modulus.length);
    const issuer = recover(issuerCert, ca.modulus, ca.exponent);
    assert.equal(issuer[0], 0x6a);
    assert.equal(issuer[1], 0x02);
    assert.equal(issuer.at(-1), 0xbc);
    assert.equal(issuer.subarray(2, 6).toString('hex'), '670300ff', 'issuer identifier = leftmost PAN digits');
    const issuerKeyLength = issuer[13] ?? 0;
    const room = ca.modulus.length - 36;
    const issuerModulus = Buffer.concat([issuer.subarray(15, 15 + room), issuerRemainder]).subarray(0, issuerKeyLength);
    const issuerHash = createHash('sha1').update(issuer.subarray(1, 15 + room)).update(issuerRemainder).update(issuerExponent).digest();
    assert.deepEqual(issuer.subarray(15 + room, 15 + room + 20), issuerHash);

    const iccCert = find(r22.data, [0x70, 0x9f46]);
    const iccRemainder = find(r22.data, [0x70, 0x9f48]);
    const iccExponent = find(r22.data, [0x70, 0x9f47]);
    assert.ok(iccCert && iccRemainder && iccExponent);
    const icc = recover(iccCert, issuerModulus, issuerExponent);
    assert.equal(icc[0], 0x6a);
    assert.equal(icc[1], 0x04);
    assert.equal(icc.subarray(2, 12).toString('hex'), '6703000000000000003f');
    const iccRoom = issuerModulus.length - 42;
    const staticData = Buffer.concat([find(r11.data, [0x70]) ?? Buffer.alloc(0), Buffer.from('3c00', 'hex')]);
    const iccHash = createHash('sha1').update(icc.subarray(1, 21 + iccRoom)).update(iccRemainder).update(iccExponent).update(staticData).digest();
    assert.deepEqual(icc.subarray(21 + iccRoom, 41 + iccRoom), iccHash);
  });

  test('offline plaintext PIN: wrong PIN counts down in 63Cx and GET DATA 9F17, right PIN restores it', async () => {
    const fresh = await EmvVirtualCard.create({ pin: '4321' });
    transact(fresh, `00A4040007${MAESTRO}00`);
    assert.equal(transact(fresh, '80CA9F1700').data.toString('hex'), '9f170103');
    transact(fresh, MAESTRO_GPO);
    assert.equal(raw(fresh, `0020008008${pinBlock('1111')}`).sw, '63C2');
    assert.equal(transact(fresh, '80CA9F1700').data.toString('hex'), '9f170102');
    assert.equal(raw(fresh, '00200080').sw, '63C2', 'VERIFY without data reports the tries left');
    assert.equal(raw(fresh, `0020008008${pinBlock('4321')}`).sw, '9000');
    assert.equal(fresh.pinTriesLeft, 3);
    assert.equal(raw(fresh, '0020008008 2412FFFFFFFFFFFF').sw, '6A80', 'a malformed block');
    assert.equal(raw(fresh, '0020008804 01020304').sw, '6A81', 'enciphered PIN is not offered');
    assert.equal(raw(fresh, '0020008004 24432100').sw, '6700');
    assert.equal(raw(fresh, '80CA9F7F00').sw, '6A88');
  });

  test('the PIN blocks after three wrong tries, and stays blocked across resets and for the right PIN', async () => {
    const fresh = await EmvVirtualCard.create();
    const enter = (): void => {
      fresh.reset();
      transact(fresh, `00A4040007${VISA}00`);
      transact(fresh, '80A80000028300 00');
    };
    enter();
    assert.equal(raw(fresh, `0020008008${pinBlock('0000')}`).sw, '63C2');
    assert.equal(raw(fresh, `0020008008${pinBlock('0000')}`).sw, '63C1');
    assert.equal(raw(fresh, `0020008008${pinBlock('0000')}`).sw, '63C0');
    enter();
    assert.equal(raw(fresh, `0020008008${pinBlock('1234')}`).sw, '6983');
    assert.equal(transact(fresh, '80CA9F1700').data.toString('hex'), '9f170100');
  });

  test('a card without PSE and PPSE answers 6A82 to both; unknown INS and CLA get 6D00 and 6E00', async () => {
    const bare = await EmvVirtualCard.create({ pse: false, ppse: false });
    assert.equal(raw(bare, `00A404000E${PSE}00`).sw, '6A82');
    assert.equal(raw(bare, `00A404000E${PPSE}00`).sw, '6A82');
    assert.equal(transact(bare, `00A4040007${VISA}00`).sw, '9000', 'its applications are still there');
    assert.equal(raw(bare, '00AE000000').sw, '6D00');
    assert.equal(raw(bare, '80B2010C00').sw, '6E00');
    assert.equal(raw(bare, '00A4').sw, '6700');
  });

  test('a card without PSE/PPSE: SELECT next occurrence walks the ADFs a partial name matches, in card order, then 6A82', async () => {
    const bare = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS });
    assert.equal(raw(bare, `00A404000E${PSE}00`).sw, '6A82');
    assert.equal(raw(bare, `00A404000E${PPSE}00`).sw, '6A82');
    const first = raw(bare, `00A4040007${VISA}00`);
    assert.equal(first.sw, '6283', 'the first Visa ADF is blocked: selected with a warning');
    assert.equal(first.data.length, 0, 'a T=0 card keeps the FCI of a warning for GET RESPONSE');
    const length = raw(bare, '00C0000000').sw;
    assert.match(length, /^6C/, 'GET RESPONSE with Le 00 is told the FCI length');
    const blockedFci = raw(bare, `00C00000${length.slice(2)}`);
    assert.equal(find(blockedFci.data, [0x6f, 0x84])?.toString('hex').toUpperCase(), 'A000000003101002');
    assert.equal(raw(bare, '80A80000028300 00').sw, '6985', 'a blocked application refuses GET PROCESSING OPTIONS');
    raw(bare, `00A4040007${VISA}00`);
    const next = transact(bare, `00A4040207${VISA}00`);
    assert.equal(next.sw, '9000');
    assert.equal(find(next.data, [0x6f, 0x84])?.toString('hex').toUpperCase(), 'A000000003101001');
    assert.equal(find(next.data, [0x6f, 0xa5, 0x50])?.toString(), 'VISA CREDIT');
    assert.equal(raw(bare, `00A4040207${VISA}00`).sw, '6A82', 'no third Visa ADF');
    assert.equal(raw(bare, `00A4040207${MAESTRO}00`).sw, '6A82', 'next is relative to a current ADF with the same name');
    const maestro = transact(bare, `00A4040007${MAESTRO}00`);
    assert.equal(find(maestro.data, [0x6f, 0x84])?.toString('hex').toUpperCase(), MAESTRO);
    assert.equal(raw(bare, `00A4040207${MAESTRO}00`).sw, '6A82');
    assert.equal(raw(bare, `00A4040407${MAESTRO}00`).sw, '6A86', 'P2 04 is not a SELECT option this card has');
    const credit = transact(bare, '00A4040008A00000000310100100');
    assert.equal(credit.sw, '9000', 'the full DF name selects the application directly');
    assert.equal(transact(bare, '80A8000002830000').sw, '9000');
  });

  test('options are checked', async () => {
    await assert.rejects(EmvVirtualCard.create({ pin: '12' }), RangeError);
    await assert.rejects(EmvVirtualCard.create({ pinTriesLeft: 4 }), RangeError);
    await assert.rejects(EmvVirtualCard.create({ applications: [] }), RangeError);
  });
});
