import assert from 'node:assert/strict';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { attachToVpcd, BeidVirtualCard, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { isSmartCardError, type ReaderStatus, type SmartCardErrorCode } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { Pkcs11Module, type Pkcs11Slot } from '@t1c/smartcard/pkcs11';

/**
 * The binding against a second, independent PKCS#11 library: OpenSC over the virtual eID in a
 * real pcscd. Unlike SoftHSM2 the card counts PIN tries and blocks, so the locked case is real.
 */
const OPENSC = ['/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so'].find((p) => existsSync(p))
  ?? '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const PIN = '2580';
const MESSAGE = Buffer.from('signed by the virtual eID through OpenSC');
const pin = (text: string) => Uint8Array.from(Buffer.from(text));
const isError = (code: SmartCardErrorCode) => (e: unknown) => isSmartCardError(e, code);

describe('PKCS#11 binding over OpenSC and the virtual eID', () => {
  let pcscd: PcscdHarness;
  let card: BeidVirtualCard;
  let link: VpcdLink;
  let module: Pkcs11Module;
  let cardSlot: Pkcs11Slot;
  let emptySlot: Pkcs11Slot;

  before(async () => {
    pcscd = await startPcscd();
    card = await BeidVirtualCard.create({ appletVersion: '1.7', pin: PIN });
    link = await attachToVpcd(card, { port: 35963, retryMs: 100 });
    const backend = new PcscBackend();
    try {
      const ready = (rs: ReaderStatus[]) => rs.some((r) => r.name === 'Virtual PCD 00 00' && r.atr !== null);
      let readers = await backend.listReaders();
      for (let i = 0; i < 60 && !ready(readers); i++) readers = await backend.waitForChange(readers, 500);
      assert.ok(ready(readers));
    } finally {
      await backend.close();
    }
    module = await Pkcs11Module.open({ path: OPENSC });
    const slots = await module.slots();
    const withCard = slots.find((s) => s.token !== undefined);
    const empty = slots.find((s) => s.token === undefined && s.description.startsWith('Virtual PCD 00 01'));
    assert.ok(withCard && empty, JSON.stringify(slots));
    cardSlot = withCard;
    emptySlot = empty;
  });

  after(async () => {
    await module?.close();
    await link?.close();
    await pcscd?.stop();
  });

  it('lists the readers as slots, the card as a BELPIC token', async () => {
    assert.equal(module.info.manufacturerId, 'OpenSC Project');
    assert.match(cardSlot.description, /^Virtual PCD 00 00/);
    assert.equal(cardSlot.removable, true);
    assert.equal(cardSlot.token?.label, 'BELPIC (Basic PIN)');
    const info = await module.tokenInfo(cardSlot.slotId);
    assert.equal(info.flags.isLoginRequired, true);
    assert.equal(info.ulMinPinLen, 4);
    assert.equal(info.ulMaxPinLen, 12);
    assert.ok(info.mechanisms.some((m) => m.mechanism === 'CKM_RSA_PKCS' && m.flags.isSign));
  });

  it('says a reader without a card has no token (PKCS11_TOKEN_ABSENT)', async () => {
    await assert.rejects(module.tokenInfo(emptySlot.slotId), isError('PKCS11_TOKEN_ABSENT'));
    await assert.rejects(module.verifyPin(emptySlot.slotId, pin(PIN)), isError('PKCS11_TOKEN_ABSENT'));
    assert.equal(card.pinTriesLeft, 3);
  });

  it('lists the card\'s certificates with their usage, the same DER as the card holds', async () => {
    const certificates = await module.certificates(cardSlot.slotId);
    const byId = new Map(certificates.map((c) => [c.id, c]));
    assert.deepEqual(byId.get('02')?.usage, 'authentication');
    assert.deepEqual(byId.get('02')?.der, card.pki.authenticationCertificate);
    assert.deepEqual(byId.get('03')?.usage, 'nonRepudiation');
    assert.deepEqual(byId.get('03')?.der, card.pki.nonRepudiationCertificate);
    assert.equal(byId.get('04')?.usage, 'authority');
    assert.equal(byId.get('06')?.usage, 'authority');
  });

  it('verifies the PIN on the card and signs with the authentication key; the signature verifies with the listed certificate', async () => {
    await module.verifyPin(cardSlot.slotId, pin(PIN));
    assert.equal(await module.loggedIn(cardSlot.slotId), false);
    const result = await module.sign({ slotId: cardSlot.slotId, usage: 'authentication', digestAlgorithm: 'SHA-256', digest: createHash('sha256').update(MESSAGE).digest(), pin: pin(PIN) });
    assert.equal(result.certificateId, '02');
    const listed = (await module.certificates(cardSlot.slotId)).find((c) => c.id === '02');
    assert.ok(listed);
    assert.ok(verify('sha256', MESSAGE, new X509Certificate(listed.der).publicKey, result.signature));
    assert.equal(await module.loggedIn(cardSlot.slotId), false);
  });

  it('wrong PINs count down on the card (the last try is reported), then the token is locked: PIN_BLOCKED, even for the right PIN', async () => {
    await assert.rejects(module.verifyPin(cardSlot.slotId, pin('0000')), isError('PIN_INCORRECT'));
    assert.equal(card.pinTriesLeft, 2);
    await assert.rejects(module.verifyPin(cardSlot.slotId, pin('0000')), (e: unknown) => isSmartCardError(e, 'PIN_INCORRECT') && e.details.triesLeft === 1);
    assert.equal(card.pinTriesLeft, 1);
    await assert.rejects(module.verifyPin(cardSlot.slotId, pin('0000')), isError('PIN_BLOCKED'));
    assert.equal(card.pinTriesLeft, 0);
    await assert.rejects(module.verifyPin(cardSlot.slotId, pin(PIN)), isError('PIN_BLOCKED'));
    await assert.rejects(module.sign({ slotId: cardSlot.slotId, usage: 'authentication', digestAlgorithm: 'SHA-256', digest: createHash('sha256').update(MESSAGE).digest(), pin: pin(PIN) }), isError('PIN_BLOCKED'));
    assert.equal((await module.tokenInfo(cardSlot.slotId)).flags.isUserPinLocked, true);
    assert.equal(await module.loggedIn(cardSlot.slotId), false);
  });
});
