import assert from 'node:assert/strict';
import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isSmartCardError } from '@t1c/smartcard';
import type { AppletVersion } from '@t1c/smartcard/beid';
import { BeidVirtualCard, SPECIMEN_HOLDER } from '@t1c/emulator';
import { LocalCardService } from '../src/cards/index.js';
import { pcscRig, virtualRig, type CardRig } from './helpers/card-rig.js';

/** Another card: the connector caches reads per chip number, so a new chip forces a full read. */
const otherChip = (n: number): typeof SPECIMEN_HOLDER => ({ ...SPECIMEN_HOLDER, chipNumber: `${'AB'.repeat(15)}${n.toString(16).padStart(2, '0')}` });

const digits = (pin: string): Uint8Array => new TextEncoder().encode(pin);

function verifySignature(applet: AppletVersion, certificate: Uint8Array, message: Buffer, signature: Uint8Array): boolean {
  const key = new X509Certificate(certificate).publicKey;
  return applet === '1.7'
    ? verify('sha256', message, key, signature)
    : verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

for (const rigKind of ['pcsc', 'virtual'] as const) {
  for (const applet of ['1.7', '1.8'] as const) {
    describe(`Belgian eID ${applet} through the ${rigKind === 'pcsc' ? 'real pcscd + vpcd' : 'in-process virtual'} reader`, () => {
      let rig: CardRig;
      let service: LocalCardService;
      let card: BeidVirtualCard;
      let readerId: string;

      before(async () => {
        rig = rigKind === 'pcsc' ? await pcscRig() : await virtualRig();
        card = await BeidVirtualCard.create({ appletVersion: applet });
        await rig.insert(card);
        service = new LocalCardService([rig.backend]);
        const reader = (await service.listReaders()).find((r) => r.name === rig.readerName);
        assert.ok(reader, 'the reader is listed');
        readerId = reader.id;
      });
      after(async () => {
        await service.close();
        await rig.close();
      });

      it('lists the reader with the card recognised as beid', async () => {
        const reader = (await service.listReaders()).find((r) => r.id === readerId);
        assert.equal(reader?.card?.module, 'beid');
        assert.equal(reader?.card?.atr, Buffer.from(card.atr).toString('hex').toUpperCase());
        assert.equal(reader?.pinpad, false);
      });

      it('reads every file and the data equals the emulator holder', async () => {
        const r = await service.call('beid', 'read', readerId, {});
        const h = card.holder;
        assert.equal(r.applet, applet);
        assert.equal(r.identity.surname, h.surname);
        assert.equal(r.identity.firstNames, h.firstNames);
        assert.equal(r.identity.nationalNumber, h.nationalNumber);
        assert.equal(r.identity.cardNumber, h.cardNumber);
        assert.equal(r.identity.chipNumber, h.chipNumber.toUpperCase());
        assert.equal(r.identity.birthDate, h.birthDate);
        assert.equal(r.identity.birthLocation, h.birthLocation);
        assert.equal(r.identity.gender, h.gender);
        assert.equal(r.address.streetAndNumber, h.address.streetAndNumber);
        assert.equal(r.address.zipCode, h.address.zipCode);
        assert.equal(r.address.municipality, h.address.municipality);
        assert.equal(r.cardData.serialNumber, h.chipNumber.toUpperCase());
        assert.deepEqual(r.identityFile, card.file('3F00DF014031'));
        assert.deepEqual(r.photo, card.file('3F00DF014035'));
        assert.deepEqual(r.certificates.root, card.pki.rootCertificate);
        assert.deepEqual(r.certificates.ca, card.pki.citizenCaCertificate);
        assert.deepEqual(r.certificates.authentication, card.pki.authenticationCertificate);
        assert.deepEqual(r.certificates.nonRepudiation, card.pki.nonRepudiationCertificate);
        assert.deepEqual(r.certificates.rrn, card.pki.rrnCertificate);
        assert.equal(r.tokenInfo.label, 'BELPIC');
        assert.ok(r.apduCount > 10, `counted ${r.apduCount} APDUs`);
      });

      it('passes every integrity check', async () => {
        const { integrity } = await service.call('beid', 'read', readerId, {});
        assert.equal(integrity.valid, true, JSON.stringify(integrity));
        assert.equal(integrity.basicKeyHash.skipped ?? false, applet === '1.7');
      });

      it('signs a SHA-256 digest with the non-repudiation key, verifiable with its certificate', async () => {
        const message = randomBytes(100);
        const digest = createHash('sha256').update(message).digest();
        const { signature } = await service.call('beid', 'sign', readerId, { key: 'nonRepudiation', algorithm: 'SHA-256', digest, pin: { kind: 'digits', pin: digits('1234') } });
        assert.ok(verifySignature(applet, card.pki.nonRepudiationCertificate, message, signature));
        assert.ok(!verifySignature(applet, card.pki.nonRepudiationCertificate, randomBytes(100), signature));
      });

      it('authenticates with the authentication key', async () => {
        const message = randomBytes(48);
        const digest = createHash('sha256').update(message).digest();
        const { signature } = await service.call('beid', 'sign', readerId, { key: 'authentication', algorithm: 'SHA-256', digest, pin: { kind: 'digits', pin: digits('1234') } });
        assert.ok(verifySignature(applet, card.pki.authenticationCertificate, message, signature));
      });

      it('refuses a digest of the wrong length before touching the card', async () => {
        await assert.rejects(
          service.call('beid', 'sign', readerId, { key: 'nonRepudiation', algorithm: 'SHA-256', digest: new Uint8Array(20), pin: { kind: 'digits', pin: digits('1234') } }),
          (e: unknown) => isSmartCardError(e, 'DIGEST_INVALID'),
        );
      });

      it('refuses a PIN that is not 4 to 12 digits', async () => {
        for (const pin of ['123', '1234567890123', '12a4', '']) {
          await assert.rejects(service.call('beid', 'verifyPin', readerId, { pin: { kind: 'digits', pin: digits(pin) } }), (e: unknown) => isSmartCardError(e, 'PIN_FORMAT'));
        }
        assert.equal(card.pinTriesLeft, 3, 'a malformed PIN never reaches the card');
      });

      it('detects a card removed in the middle of a read, and reads again after reinsertion', async () => {
        card = await BeidVirtualCard.create({ appletVersion: applet, holder: otherChip(1) });
        await rig.remove();
        await rig.insert(card);
        readerId = (await service.listReaders()).find((r) => r.name === rig.readerName)?.id ?? '';
        let reads = 0;
        card.faultHook = (command) => {
          if (command[1] === 0xb0 && ++reads === 6) void rig.remove();
          return undefined;
        };
        await assert.rejects(service.call('beid', 'read', readerId, {}), (e: unknown) => isSmartCardError(e, 'PCSC_CARD_REMOVED'));
        card.faultHook = undefined;
        await rig.remove();
        await rig.insert(card);
        const again = (await service.listReaders()).find((r) => r.name === rig.readerName);
        assert.ok(again?.card);
        const r = await service.call('beid', 'read', again.id, {});
        assert.equal(r.identity.surname, card.holder.surname);
        readerId = again.id;
      });

      it('counts wrong PINs down, then blocks, and a blocked PIN stays blocked', async () => {
        const wrong = async (tries: number): Promise<void> => {
          await assert.rejects(service.call('beid', 'verifyPin', readerId, { pin: { kind: 'digits', pin: digits('9999') } }),
            (e: unknown) => isSmartCardError(e, 'PIN_INCORRECT') && e.details.triesLeft === tries);
        };
        await service.call('beid', 'verifyPin', readerId, { pin: { kind: 'digits', pin: digits('1234') } });
        await wrong(2);
        await wrong(1);
        await assert.rejects(service.call('beid', 'verifyPin', readerId, { pin: { kind: 'digits', pin: digits('0000') } }), (e: unknown) => isSmartCardError(e, 'PIN_BLOCKED'));
        await assert.rejects(service.call('beid', 'verifyPin', readerId, { pin: { kind: 'digits', pin: digits('1234') } }), (e: unknown) => isSmartCardError(e, 'PIN_BLOCKED'));
        await assert.rejects(
          service.call('beid', 'sign', readerId, { key: 'nonRepudiation', algorithm: 'SHA-256', digest: new Uint8Array(32), pin: { kind: 'digits', pin: digits('1234') } }),
          (e: unknown) => isSmartCardError(e, 'PIN_BLOCKED'),
        );
      });

      it('reports failed integrity checks for a tampered card, each check separately', async () => {
        const tampered = await BeidVirtualCard.create({ appletVersion: applet, tampered: true, holder: otherChip(2) });
        await rig.remove();
        await rig.insert(tampered);
        const reader = (await service.listReaders()).find((r) => r.name === rig.readerName);
        assert.ok(reader);
        const { integrity } = await service.call('beid', 'read', reader.id, {});
        assert.equal(integrity.valid, false);
        assert.equal(integrity.identitySignature.ok, false);
        assert.match(integrity.identitySignature.reason ?? '', /identity file/);
        assert.equal(integrity.rrnCertificate.ok, true);
        assert.equal(integrity.addressSignature.ok, true);
      });
    });
  }
}
