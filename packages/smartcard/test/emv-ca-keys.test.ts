import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { caKeyChecksum, EmvCaKeyTable, PAYMENT_SCHEME_CA_KEYS, paymentSchemeCaKeyTable, type PaymentSchemeCaKey } from '@t1c/smartcard/emv';

const VISA_08 = PAYMENT_SCHEME_CA_KEYS.find((k) => k.rid === 'A000000003' && k.index === 0x08);
const day = (date: string): Date => new Date(`${date}T12:00:00Z`);

describe('the payment schemes\' production CA public keys', () => {
  it('every entry\'s published checksum is the SHA-1 of RID ‖ index ‖ modulus ‖ exponent (no key was copied wrong)', () => {
    assert.ok(PAYMENT_SCHEME_CA_KEYS.length >= 9);
    for (const key of PAYMENT_SCHEME_CA_KEYS) {
      const sha1 = createHash('sha1').update(Buffer.from(key.rid + key.index.toString(16).padStart(2, '0') + key.modulus + key.exponent, 'hex')).digest('hex').toUpperCase();
      assert.equal(sha1, key.checksum, `${key.scheme} ${key.rid}/${key.index.toString(16)}`);
      assert.equal(key.modulus.length * 4, key.bits, `${key.scheme} ${key.index.toString(16)} bits`);
      assert.ok(['03', '010001'].includes(key.exponent));
    }
  });

  it('holds Visa 07-09, Mastercard 04-06 and Amex 0E-10, one key per RID and index, and no test index', () => {
    const names = PAYMENT_SCHEME_CA_KEYS.map((k) => `${k.rid}:${k.index.toString(16).toUpperCase().padStart(2, '0')}`);
    assert.deepEqual(names, [
      'A000000003:07', 'A000000003:08', 'A000000003:09', 'A000000004:04', 'A000000004:05', 'A000000004:06',
      'A000000025:0E', 'A000000025:0F', 'A000000025:10',
    ]);
    // The emulator signs under Visa and Mastercard test index 92; test CAs never sit in the production table.
    assert.ok(!PAYMENT_SCHEME_CA_KEYS.some((k) => k.index >= 0x90));
    assert.equal(paymentSchemeCaKeyTable().size, 9);
  });

  it('expiry by key length: 1152-bit keys ended 2017, 1408-bit keys 2024, 1984-bit keys run to 2033', () => {
    for (const key of PAYMENT_SCHEME_CA_KEYS) assert.equal(key.expiry, { 1152: '2017-12-31', 1408: '2024-12-31', 1984: '2033-12-31' }[key.bits]);
  });

  it('a key is used through its expiry day and not after it; an unknown (RID, index) is unknown', () => {
    const table = paymentSchemeCaKeyTable();
    assert.equal(table.find('A000000003', 0x08, day('2024-12-31')).status, 'found');
    assert.deepEqual(table.find('a000000003', 0x08, day('2025-01-01')), { status: 'expired', expiry: '2024-12-31' });
    assert.equal(table.find('A000000003', 0x09, day('2026-11-30')).status, 'found');
    assert.deepEqual(table.find('A000000003', 0x92, day('2026-11-30')), { status: 'unknown' });
    assert.deepEqual(table.find('A000000099', 0x09, day('2026-11-30')), { status: 'unknown' });
  });
});

describe('a CA key table refuses bad keys', () => {
  assert.ok(VISA_08);
  const key: PaymentSchemeCaKey = VISA_08;
  const flipped = (hex: string, at: number): string => hex.slice(0, at) + (hex[at] === 'A' ? 'B' : 'A') + hex.slice(at + 1);
  const bad: readonly (readonly [string, PaymentSchemeCaKey, RegExp])[] = [
    ['a one-digit typo in the modulus', { ...key, modulus: flipped(key.modulus, 101) }, /checksum .* does not match/],
    ['a wrong exponent', { ...key, exponent: '010001' }, /checksum .* does not match/],
    ['a wrong index', { ...key, index: 0x07 }, /checksum .* does not match/],
    ['a checksum of another key', { ...key, checksum: caKeyChecksum({ ...key, index: 9 }) }, /checksum .* does not match/],
    ['lower-case hex', { ...key, modulus: key.modulus.toLowerCase() }, /upper-case hex/],
    ['a RID of 4 bytes', { ...key, rid: 'A0000000' }, /RID/],
    ['an index of two bytes', { ...key, index: 0x108 }, /one byte/],
    ['a bit count that is not the modulus\'s', { ...key, bits: 1024 }, /bits/],
    ['an exponent EMV does not allow', { ...key, exponent: '05' }, /exponent/],
    ['an expiry that is no date', { ...key, expiry: '2024-02-30' }, /expiry/],
  ];
  for (const [name, entry, message] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(() => new EmvCaKeyTable([entry]), (e: unknown) => e instanceof RangeError && message.test(e.message));
    });
  }
  it('refuses a second key under the same RID and index', () => {
    assert.throws(() => new EmvCaKeyTable([key, key]), /two CA keys under RID A000000003 and index 08/);
  });
});
