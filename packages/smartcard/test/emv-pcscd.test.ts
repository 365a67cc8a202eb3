import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CardSession, command, fromHex, isSmartCardError, type CardConnection, type VirtualCard } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { EmvCard, maskPans, recoverCertificate } from '@t1c/smartcard/emv';
import { attachToVpcd, BeidVirtualCard, EmvVirtualCard, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';

const MAESTRO = 'A0000000043060';
const VISA = 'A0000000031010';
const READER = 'Virtual PCD 00 00';
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

  test('a card with payment applications but no PSE or PPSE is not recognised either', async () => {
    const session = await insert(await EmvVirtualCard.create({ pse: false, ppse: false }));
    assert.equal(await EmvCard.recognise(session), false);
    await assert.rejects(EmvCard.open(session), (e: unknown) => isSmartCardError(e, 'CARD_UNKNOWN'));
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
