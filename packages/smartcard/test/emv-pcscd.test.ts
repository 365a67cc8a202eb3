import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CardSession, command, encodeBerTlv, fromHex, isSmartCardError, toHex, type CardConnection, type VirtualCard } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { EmvCaKeyTable, EmvCard, maskPans, paymentSchemeCaKeyTable, recoverCertificate } from '@t1c/smartcard/emv';
import { attachToVpcd, BeidVirtualCard, EmvVirtualCard, NO_DIRECTORY_APPLICATIONS, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';

const MAESTRO = 'A0000000043060';
const VISA = 'A0000000031010';
const READER = 'Virtual PCD 00 00';
const VISA_CREDIT = 'A000000003101001';
const VISA_DEBIT_BLOCKED = 'A000000003101002';
const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => encodeBerTlv(tag, Buffer.concat(parts));
const withSw = (data: Uint8Array, sw: number): Uint8Array => Uint8Array.from([...data, sw >> 8, sw & 0xff]);
/** The SELECT's command data when the APDU is a SELECT by name with P2 `p2`, else undefined. */
function selectedName(apdu: Uint8Array, p2?: number): string | undefined {
  if (apdu[1] !== 0xa4 || apdu[2] !== 0x04 || (p2 !== undefined && apdu[3] !== p2)) return undefined;
  return toHex(apdu.subarray(5, 5 + (apdu[4] ?? 0)));
}
const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'ascii'));

describe('EMV reader through pcscd and vpcd with the virtual EMV card', () => {
  let pcscd: PcscdHarness;
  let backend: PcscBackend;
  let link: VpcdLink | undefined;
  let connection: CardConnection | undefined;

  before(async () => {
    pcscd = await startPcscd();
    backend = new PcscBackend();
  });

  after(async () => {
    await connection?.disconnect().catch(() => undefined);
    await link?.close();
    await backend?.close();
    await pcscd?.stop();
  });

  async function waitFor(present: boolean): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const readers = await backend.listReaders();
      if ((readers.find((r) => r.name === READER)?.atr !== null) === present) return;
      await backend.waitForChange(readers, 200);
    }
    throw new Error(`${READER} never showed ${present ? 'a card' : 'no card'}`);
  }

  /** Takes the previous card out (waiting until PC/SC saw it go), puts `card` in and connects. */
  async function insert(card: VirtualCard): Promise<CardSession> {
    await connection?.disconnect().catch(() => undefined);
    connection = undefined;
    if (link) {
      await link.removeCard();
      await waitFor(false);
      await link.insert(card);
    } else {
      link = await attachToVpcd(card, { port: pcscd.readers[0]?.port ?? 35963 });
    }
    await waitFor(true);
    connection = await backend.connect(READER);
    return new CardSession(connection);
  }

  test('a payment card is recognised by its PPSE and lists its applications by priority, not by card order', async () => {
    const card = await EmvVirtualCard.create();
    const session = await insert(card);
    assert.equal(await EmvCard.recognise(session), true);
    const emv = await EmvCard.open(session);
    assert.deepEqual(emv.applications.map((a) => [a.aid, a.label, a.priority]), [[MAESTRO, 'MAESTRO', 1], [VISA, 'VISA CREDIT', 2]]);
    assert.equal(emv.preferredAid(), MAESTRO);
  });

  test('without a PPSE the PSE directory records give the same list', async () => {
    const card = await EmvVirtualCard.create({ ppse: false });
    const emv = await EmvCard.open(await insert(card));
    assert.deepEqual(emv.applications.map((a) => [a.aid, a.priority]), [[MAESTRO, 1], [VISA, 2]]);
    assert.ok(card.exchanges.some((e) => e.ins === 0xb2 && e.p2 === 0x0c), 'read the PSE directory in SFI 1');
  });

  test('application data: SELECT, GPO with the PDOL answered, then READ RECORD per the AFL, in that order', async () => {
    const card = await EmvVirtualCard.create();
    const emv = await EmvCard.open(await insert(card));
    card.clearExchanges();
    const data = await emv.applicationData();
    assert.deepEqual(data, {
      aid: MAESTRO, pan: '6703000000000000003', expirationDate: '291130', effectiveDate: '241201', name: 'SPECIMEN/ALICE',
      country: 'BE', countryCode: '0056', language: 'nlfr',
    });
    const flow = card.exchanges.filter((e) => e.ins !== 0xc0).map((e) => `${e.ins.toString(16)}:${e.sw.toString(16)}`);
    assert.deepEqual(flow.filter((f) => !f.endsWith(':6c04') && !/^b2:6c/.test(f)).map((f) => f.split(':')[0]), ['a4', 'a8', 'b2', 'b2', 'b2', 'b2']);
    assert.ok(!card.exchanges.some((e) => e.sw === 0x6985 || e.sw === 0x6700), 'the card accepted every command');
    const visa = await emv.applicationData(VISA.toLowerCase());
    assert.equal(visa.pan, '4000000000000002');
    assert.equal(visa.expirationDate, '301231');
  });

  test('issuer and ICC certificates come raw and recover with the CA key (hashes hold over the static data)', async () => {
    const card = await EmvVirtualCard.create();
    const emv = await EmvCard.open(await insert(card));
    const certs = await emv.certificates(MAESTRO, card.certificationAuthorities());
    assert.equal(certs.caIndex, 0x92);
    assert.equal(certs.issuer?.certificate.length, 144);
    assert.equal(certs.issuer?.remainder.length, 20);
    assert.deepEqual([...certs.issuer?.exponent ?? []], [3]);
    assert.equal(certs.issuer?.recovery.status, 'recovered');
    if (certs.issuer?.recovery.status !== 'recovered' || certs.icc?.recovery.status !== 'recovered') throw new Error('not recovered');
    assert.equal(certs.issuer.recovery.key.hashValid, true);
    assert.equal(certs.issuer.recovery.key.owner, '670300FF');
    assert.equal(certs.issuer.recovery.key.modulus.length, 128);
    assert.equal(certs.icc.remainder.length, 10);
    assert.equal(certs.icc.recovery.key.hashValid, true);
    assert.equal(certs.icc.recovery.key.owner, '6703000000000000003F');
    assert.equal(certs.icc.recovery.key.modulus.length, 96);

    const unknown = await emv.certificates(VISA);
    assert.equal(unknown.issuer?.recovery.status, 'no-key');
    assert.equal(unknown.icc?.recovery.status, 'no-key');
    assert.equal(unknown.icc?.certificate.length, 128);
  });

  test('the CA key table: an expired key is not used; the production table does not trust the test CA', async () => {
    const card = await EmvVirtualCard.create();
    const [ca] = card.certificationAuthorities().filter((a) => a.rid === MAESTRO.slice(0, 10));
    assert.ok(ca);
    const on = (date: string): Promise<EmvCard> => insert(card).then((session) => EmvCard.open(session, { date: new Date(`${date}T12:00:00Z`) }));
    const table = EmvCaKeyTable.ofKeys([{ ...ca, expiry: '2026-03-31' }]);
    const inTime = await (await on('2026-03-31')).certificates(MAESTRO, table);
    assert.ok(inTime.issuer?.recovery.status === 'recovered' && inTime.issuer.recovery.key.hashValid);
    const late = await (await on('2026-04-01')).certificates(MAESTRO, table);
    assert.equal(late.issuer?.recovery.status, 'expired');
    assert.match(late.issuer?.recovery.status === 'expired' ? late.issuer.recovery.reason : '', /A000000004, index 92 expired on 2026-03-31/);
    assert.equal(late.icc?.recovery.status, 'expired');
    const production = await (await on('2026-04-01')).certificates(MAESTRO, paymentSchemeCaKeyTable());
    assert.equal(production.issuer?.recovery.status, 'no-key');
    assert.equal(production.icc?.recovery.status, 'no-key');
  });

  test('a certificate signed under another CA key does not recover as valid', async () => {
    const card = await EmvVirtualCard.create();
    const other = await EmvVirtualCard.create({ freshKeys: true });
    const emv = await EmvCard.open(await insert(card));
    const certs = await emv.certificates(MAESTRO);
    const [foreign] = other.certificationAuthorities();
    assert.ok(foreign && certs.issuer);
    const recovery = recoverCertificate(certs.issuer, foreign, 0x02);
    assert.ok(recovery.status === 'invalid' || (recovery.status === 'recovered' && !recovery.key.hashValid));
  });

  test('offline plaintext PIN: the right PIN verifies after GPO; a wrong one reports the tries left', async () => {
    const card = await EmvVirtualCard.create({ pin: '2468' });
    const emv = await EmvCard.open(await insert(card));
    await emv.verifyPin(ascii('2468'));
    await assert.rejects(emv.verifyPin(ascii('1111')), (e: unknown) => isSmartCardError(e, 'PIN_INCORRECT') && e.details.triesLeft === 2);
    assert.equal(await emv.pinTriesLeft(), 2);
    await emv.verifyPin(ascii('2468'), VISA);
    assert.equal(card.pinTriesLeft, 3);
    const verify = card.exchanges.filter((e) => e.ins === 0x20 || e.ins === 0xa8).map((e) => e.ins);
    assert.equal(verify[0], 0xa8, 'GPO came before the first VERIFY');
  });

  test('a PIN blocks after three wrong tries; then even the right PIN is refused without being sent', async () => {
    const card = await EmvVirtualCard.create();
    const emv = await EmvCard.open(await insert(card));
    await assert.rejects(emv.verifyPin(ascii('0000')), (e: unknown) => isSmartCardError(e, 'PIN_INCORRECT') && e.details.triesLeft === 2);
    await assert.rejects(emv.verifyPin(ascii('0000')), (e: unknown) => isSmartCardError(e, 'PIN_INCORRECT') && e.details.triesLeft === 1);
    await assert.rejects(emv.verifyPin(ascii('0000')), (e: unknown) => isSmartCardError(e, 'PIN_BLOCKED'));
    card.clearExchanges();
    await assert.rejects(emv.verifyPin(ascii('1234')), (e: unknown) => isSmartCardError(e, 'PIN_BLOCKED'));
    assert.ok(!card.exchanges.some((e) => e.ins === 0x20), 'no VERIFY reached a blocked card');
    assert.equal(await emv.pinTriesLeft(), 0);
  });

  test('a PIN that is not 4 to 12 digits is refused before anything reaches the card', async () => {
    const card = await EmvVirtualCard.create();
    const emv = await EmvCard.open(await insert(card));
    card.clearExchanges();
    await assert.rejects(emv.verifyPin(ascii('12a4')), (e: unknown) => isSmartCardError(e, 'PIN_FORMAT'));
    await assert.rejects(emv.verifyPin(ascii('123')), (e: unknown) => isSmartCardError(e, 'PIN_FORMAT'));
    assert.equal(card.exchanges.length, 0);
    assert.equal(card.pinTriesLeft, 3);
  });

  test('a pinpad PIN on a reader without a pinpad is refused and spends no try', async () => {
    const card = await EmvVirtualCard.create();
    const emv = await EmvCard.open(await insert(card));
    await assert.rejects(emv.verifyPin({ kind: 'pinpad' }), (e: unknown) => isSmartCardError(e, 'PCSC_UNSUPPORTED'));
    assert.ok(!card.exchanges.some((e) => e.ins === 0x20));
    assert.equal(card.pinTriesLeft, 3);
  });

  test('READ RECORD before GPO is refused by the card (6985) and reported; the normal flow still works after it', async () => {
    const card = await EmvVirtualCard.create();
    const session = await insert(card);
    const emv = await EmvCard.open(session);
    const selected = await session.transmit(command(0x00, 0xa4, 0x04, 0x00, fromHex(MAESTRO), 256));
    assert.equal(selected.sw, 0x9000);
    await assert.rejects(emv.readRecord(1, 1), (e: unknown) => isSmartCardError(e, 'CARD_STATUS') && e.details.sw === 0x6985);
    assert.equal((await emv.applicationData()).expirationDate, '291130');
  });

  test('an unknown AID is refused without touching the card', async () => {
    const card = await EmvVirtualCard.create();
    const emv = await EmvCard.open(await insert(card));
    card.clearExchanges();
    await assert.rejects(emv.applicationData('A0000000999999'), (e: unknown) => isSmartCardError(e, 'CARD_FILE_NOT_FOUND'));
    await assert.rejects(emv.verifyPin(ascii('1234'), 'A0000000999999'), (e: unknown) => isSmartCardError(e, 'CARD_FILE_NOT_FOUND'));
    assert.equal(card.exchanges.length, 0);
  });

  test('the Belgian eID has neither PSE nor PPSE: not an EMV card', async () => {
    const session = await insert(await BeidVirtualCard.create({ appletVersion: '1.8' }));
    assert.equal(await EmvCard.recognise(session), false);
    await assert.rejects(EmvCard.open(session), (e: unknown) => isSmartCardError(e, 'CARD_UNKNOWN'));
  });

  test('a card with neither PSE nor PPSE is recognised from the terminal AIDs and its exact-name applications listed', async () => {
    const card = await EmvVirtualCard.create({ pse: false, ppse: false });
    const session = await insert(card);
    assert.equal(await EmvCard.recognise(session), true);
    const emv = await EmvCard.open(session);
    assert.equal(emv.source, 'terminal-aids');
    assert.deepEqual(emv.applications.map((a) => [a.aid, a.label, a.priority]), [[MAESTRO, 'MAESTRO', 1], [VISA, 'VISA CREDIT', 2]]);
    assert.equal((await emv.applicationData()).pan, '6703000000000000003');
  });

  test('without PSE/PPSE: a partial AID name and SELECT next occurrence find the application behind a blocked one (6283), which is left out', async () => {
    const card = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS, pin: '2468' });
    const session = await insert(card);
    assert.equal(await EmvCard.recognise(session), true);
    card.clearExchanges();
    const emv = await EmvCard.open(session);
    assert.deepEqual(emv.applications.map((a) => [a.aid, a.label, a.priority]), [[VISA_CREDIT, 'VISA CREDIT', 1], [MAESTRO, 'MAESTRO', 2]]);
    assert.ok(!emv.applications.some((a) => a.aid === VISA_DEBIT_BLOCKED), 'the blocked application is no candidate');
    const selects = card.exchanges.filter((e) => e.ins === 0xa4).map((e) => `${e.p2}:${e.sw.toString(16)}`);
    assert.ok(selects.includes('0:6283'), 'the first Visa ADF answered as blocked');
    assert.ok(selects.includes('2:6a82'), 'next occurrence ran until 6A82');
    assert.ok(card.exchanges.some((e) => e.ins === 0xa4 && e.p2 === 0x02 && (e.sw === 0x9000 || (e.sw & 0xff00) === 0x6100)), 'the Visa credit ADF came by next occurrence');
    assert.equal(emv.preferredAid(), VISA_CREDIT);

    const visa = await emv.applicationData();
    assert.deepEqual([visa.aid, visa.pan, visa.expirationDate, visa.name, visa.country, visa.language], [VISA_CREDIT, '4000000000000028', '310630', 'SPECIMEN/BOB', 'BE', 'fr']);
    const maestro = await emv.applicationData(MAESTRO);
    assert.equal(maestro.pan, '6703000000000000011');
    const certs = await emv.certificates(VISA_CREDIT, card.certificationAuthorities());
    assert.ok(certs.icc?.recovery.status === 'recovered' && certs.icc.recovery.key.hashValid);
    await emv.verifyPin(ascii('2468'));
    await assert.rejects(emv.applicationData(VISA_DEBIT_BLOCKED), (e: unknown) => isSmartCardError(e, 'CARD_FILE_NOT_FOUND'));
  });

  test('a card whose only application is blocked is recognised but reported as blocked', async () => {
    const [blocked] = NO_DIRECTORY_APPLICATIONS;
    assert.ok(blocked);
    const session = await insert(await EmvVirtualCard.create({ pse: false, ppse: false, applications: [blocked] }));
    assert.equal(await EmvCard.recognise(session), true);
    await assert.rejects(EmvCard.open(session), (e: unknown) => isSmartCardError(e, 'CARD_STATUS') && /blocked/.test(e.message));
  });

  /** After a failed open the card must be free: another PC/SC context can run a transaction on it. */
  async function assertReleased(card: EmvVirtualCard): Promise<void> {
    card.faultHook = undefined;
    const other = new PcscBackend();
    try {
      const connection = await other.connect(READER);
      try {
        const session = new CardSession(connection);
        const answer = await session.inTransaction(() => session.transmit(command(0x00, 0xa4, 0x04, 0x00, fromHex(MAESTRO), 256)));
        assert.equal(answer.sw, 0x9000);
      } finally {
        await connection.disconnect().catch(() => undefined);
      }
    } finally {
      await other.close();
    }
  }

  const faults: readonly (readonly [string, (apdu: Uint8Array) => Uint8Array | undefined, RegExp])[] = [
    ['answers SELECT of a terminal AID with garbage', (apdu) => (selectedName(apdu) === VISA ? withSw(fromHex('DEADBEEF00'), 0x9000) : undefined), /not BER-TLV/],
    ['answers 9000 with an FCI that has no DF name', (apdu) => (selectedName(apdu) === VISA ? withSw(tlv(0x6f, tlv(0xa5, tlv(0x50, ascii('VISA')))), 0x9000) : undefined), /no DF name/],
    ['answers every next occurrence with another DF name, endlessly', (() => {
      let n = 0;
      return (apdu: Uint8Array) => {
        if (selectedName(apdu) !== VISA) return undefined;
        n++;
        return withSw(tlv(0x6f, tlv(0x84, fromHex(`${VISA}${n.toString(16).padStart(4, '0')}`)), tlv(0xa5, tlv(0x50, ascii('LOOP')))), 0x9000);
      };
    })(), /16 occurrences: the card loops/],
    ['answers every next occurrence with the same DF name', (apdu) => (selectedName(apdu) === VISA
      ? withSw(tlv(0x6f, tlv(0x84, fromHex(VISA_CREDIT)), tlv(0xa5, tlv(0x50, ascii('LOOP')))), 0x9000) : undefined), /again: the card loops/],
  ];
  for (const [name, hook, message] of faults) {
    test(`a card without PSE/PPSE that ${name}: CARD_DATA_INVALID, and the card is released`, { timeout: 60_000 }, async () => {
      const card = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS });
      const session = await insert(card);
      card.faultHook = hook;
      assert.equal(await EmvCard.recognise(session), true, 'it answers a payment AID: a payment card with a fault');
      card.clearExchanges();
      await assert.rejects(EmvCard.open(session), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID') && message.test(e.message));
      assert.ok(card.exchanges.length <= 20, `stopped after ${card.exchanges.length} commands`);
      await assertReleased(card);
    });
  }

  test('a card answering 6A81 (blocked, or no SELECT) is not recognised; open ends with CARD_STATUS and releases it', { timeout: 60_000 }, async () => {
    const card = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS });
    const session = await insert(card);
    card.faultHook = (apdu) => (selectedName(apdu) ? Uint8Array.of(0x6a, 0x81) : undefined);
    assert.equal(await EmvCard.recognise(session), false);
    card.clearExchanges();
    await assert.rejects(EmvCard.open(session), (e: unknown) => isSmartCardError(e, 'CARD_STATUS') && e.details.sw === 0x6a81);
    assert.equal(card.exchanges.length, 2, 'PPSE, then the PSE: nothing after its 6A81');
    await assertReleased(card);
  });

  test('Book 1 §12.3.2: 6A81 to SELECT of the PSE ends the session, although the card answers its AIDs', { timeout: 60_000 }, async () => {
    const card = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS });
    const session = await insert(card);
    const pse = Buffer.from('1PAY.SYS.DDF01', 'latin1').toString('hex').toUpperCase();
    card.faultHook = (apdu) => (selectedName(apdu) === pse ? Uint8Array.of(0x6a, 0x81) : undefined);
    card.clearExchanges();
    await assert.rejects(EmvCard.open(session), (e: unknown) => isSmartCardError(e, 'CARD_STATUS') && e.details.sw === 0x6a81 && /PSE/.test(e.message));
    assert.deepEqual(card.exchanges.map((e) => [e.ins, e.sw]), [[0xa4, 0x6a82], [0xa4, 0x6a81]], 'PPSE (absent), PSE (6A81), then nothing: no terminal AID');
    await assertReleased(card);
  });

  test('a PPSE or PSE that answers 9000 with garbage counts as absent: the terminal AIDs are used', async () => {
    const card = await EmvVirtualCard.create({ applications: NO_DIRECTORY_APPLICATIONS });
    const session = await insert(card);
    card.faultHook = (apdu) => {
      const name = selectedName(apdu, 0x00);
      return name && Buffer.from(name, 'hex').toString('latin1').endsWith('PAY.SYS.DDF01') ? withSw(fromHex('FFFF'), 0x9000) : undefined;
    };
    const emv = await EmvCard.open(session);
    assert.equal(emv.source, 'terminal-aids');
    assert.deepEqual(emv.applications.map((a) => a.aid), [VISA_CREDIT, MAESTRO]);
  });

  test('error messages carry no PAN', async () => {
    const card = await EmvVirtualCard.create();
    const emv = await EmvCard.open(await insert(card));
    const data = await emv.applicationData();
    const error = await emv.verifyPin(ascii('9999')).catch((e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.ok(!JSON.stringify({ message: error.message, details: isSmartCardError(error) ? error.details : {} }).includes(data.pan));
    assert.equal(maskPans(`read ${data.pan}`), 'read ***************0003');
  });
});
