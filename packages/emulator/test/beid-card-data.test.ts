import assert from 'node:assert/strict';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { CardSession, command, decodeTlv, fromHex, tlvMap, VirtualReaderBackend } from '@t1c/smartcard';
import { BeidCard, BeidFile, IdentityTag, readAll } from '@t1c/smartcard/beid';
import { BeidVirtualCard } from '../src/index.js';

const NONE = new Uint8Array(0);
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

async function session(card: BeidVirtualCard): Promise<CardSession> {
  const backend = new VirtualReaderBackend();
  backend.addReader('Virtual Reader 0', card);
  return new CardSession(await backend.connect('Virtual Reader 0'));
}

/** Reads a whole file the way middleware does: 252-byte blocks until a short block or 6B00. */
async function readFile(s: CardSession, path: string): Promise<Uint8Array> {
  const selected = await s.transmit(command(0x00, 0xa4, 0x08, 0x0c, fromHex(path)));
  assert.equal(selected.sw, 0x9000, `select ${path}`);
  const parts: number[] = [];
  for (;;) {
    const r = await s.transmit(command(0x00, 0xb0, parts.length >> 8, parts.length & 0xff, NONE, 252));
    if (r.sw === 0x6b00 && parts.length > 0) break;
    assert.equal(r.sw, 0x9000);
    parts.push(...r.data);
    if (r.data.length < 252) break;
  }
  return Uint8Array.from(parts);
}

function trimZeros(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

function derLength(file: Uint8Array): number {
  return 4 + (((file[2] ?? 0) << 8) | (file[3] ?? 0));
}

for (const applet of ['1.7', '1.8'] as const) {
  describe(`applet ${applet} files`, () => {
    let card: BeidVirtualCard;
    let s: CardSession;
    before(async () => {
      card = await BeidVirtualCard.create({ appletVersion: applet });
      s = await session(card);
    });

    test('the identity file decodes to the configured holder, tags ascending from 00', async () => {
      const file = await readFile(s, BeidFile.identity);
      const fields = decodeTlv(file);
      assert.equal(fields[0]?.tag, 0);
      assert.deepEqual(fields.map((f) => f.tag), [...fields.map((f) => f.tag)].sort((a, b) => a - b));
      const map = tlvMap(fields);
      assert.equal(text(map.get(IdentityTag.surname)), 'Müller-Lüdenscheidt');
      assert.equal(text(map.get(IdentityTag.firstNames)), 'Ségolène Anaïs');
      assert.equal(text(map.get(IdentityTag.birthDate)), '01 JAN 1971');
      assert.equal(text(map.get(IdentityTag.nationalNumber)), card.holder.nationalNumber);
      assert.deepEqual(map.get(IdentityTag.chipNumber), fromHex(card.holder.chipNumber));
      const photo = await readFile(s, BeidFile.photo);
      const hash = createHash(applet === '1.7' ? 'sha256' : 'sha384').update(photo).digest();
      assert.deepEqual(map.get(IdentityTag.photoHash), Uint8Array.from(hash));
      if (applet === '1.8') {
        const basic = await readFile(s, BeidFile.basicPublicKey);
        assert.deepEqual(map.get(IdentityTag.basicKeyHash), Uint8Array.from(createHash('sha384').update(basic).digest()));
      } else {
        assert.equal(map.has(IdentityTag.basicKeyHash), false);
      }
    });

    test('the address file is 117 bytes, zero padded, with the configured address', async () => {
      const file = await readFile(s, BeidFile.address);
      assert.equal(file.length, 117);
      assert.equal(file[116], 0);
      const map = tlvMap(decodeTlv(file));
      assert.equal(text(map.get(1)), card.holder.address.streetAndNumber);
      assert.equal(text(map.get(2)), card.holder.address.zipCode);
    });

    test('the photo is a JPEG', async () => {
      const photo = await readFile(s, BeidFile.photo);
      assert.deepEqual([...photo.subarray(0, 2)], [0xff, 0xd8]);
      assert.ok(photo.length > 2000);
    });

    test('certificates are DER plus zero padding and chain to the root', async () => {
      const padding = applet === '1.7' ? 50 : 1100;
      const files: Uint8Array[] = [];
      for (const path of [BeidFile.rootCert, BeidFile.caCert, BeidFile.authenticationCert, BeidFile.nonRepudiationCert, BeidFile.rrnCert]) {
        files.push(await readFile(s, path));
      }
      const [root, ca, auth, sign, rrn] = files.map((f) => {
        assert.equal(f.length, derLength(f) + padding);
        return new X509Certificate(f.subarray(0, derLength(f)));
      });
      assert.ok(root && ca && auth && sign && rrn);
      assert.ok(root.verify(root.publicKey));
      assert.ok(ca.verify(root.publicKey));
      assert.ok(rrn.verify(root.publicKey));
      assert.ok(auth.verify(ca.publicKey));
      assert.ok(sign.verify(ca.publicKey));
      assert.match(auth.subject, /CN=Ségolène Müller-Lüdenscheidt \(Authentication\)/);
      assert.match(sign.subject, /CN=Ségolène Müller-Lüdenscheidt \(Signature\)/);
      assert.match(auth.subject, new RegExp(`serialNumber=${card.holder.nationalNumber}`));
      assert.equal(auth.publicKey.asymmetricKeyType, applet === '1.7' ? 'rsa' : 'ec');
      assert.deepEqual(new Uint8Array(root.raw), card.pki.rootCertificate);
    });

    test('the RRN signatures verify over the identity file and over trimmed address ‖ full identity signature', async () => {
      const identity = await readFile(s, BeidFile.identity);
      const identitySignature = await readFile(s, BeidFile.identitySignature);
      const address = await readFile(s, BeidFile.address);
      const addressSignature = await readFile(s, BeidFile.addressSignature);
      assert.equal(identitySignature.length, 256);
      assert.equal(addressSignature.length, 256);
      const signedAddress = Buffer.concat([trimZeros(address), identitySignature]);
      if (applet === '1.7') {
        assert.ok(verify('sha256', identity, card.pki.rrnPublicKey, identitySignature));
        assert.ok(verify('sha256', signedAddress, card.pki.rrnPublicKey, addressSignature));
      } else {
        const der = (sig: Uint8Array): Uint8Array => sig.subarray(0, (sig[1] ?? 0) + 2);
        assert.ok(verify('sha384', identity, { key: card.pki.rrnPublicKey, dsaEncoding: 'der' }, der(identitySignature)));
        assert.ok(verify('sha384', signedAddress, { key: card.pki.rrnPublicKey, dsaEncoding: 'der' }, der(addressSignature)));
      }
    });

    test('the smartcard module reads the card and finds its integrity valid', async () => {
      const readout = await readAll(BeidCard.open(await session(card)));
      assert.equal(readout.applet, applet);
      assert.equal(readout.identity.surname, 'Müller-Lüdenscheidt');
      assert.equal(readout.integrity.valid, true, JSON.stringify(readout.integrity));
    });
  });
}

describe('card options', () => {
  test('a tampered card fails the identity signature check', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8', tampered: true });
    const s = await session(card);
    const identity = await readFile(s, BeidFile.identity);
    const signature = await readFile(s, BeidFile.identitySignature);
    const der = signature.subarray(0, (signature[1] ?? 0) + 2);
    assert.equal(verify('sha384', identity, { key: card.pki.rrnPublicKey, dsaEncoding: 'der' }, der), false);
    const readout = await readAll(BeidCard.open(await session(card)));
    assert.equal(readout.integrity.valid, false);
  });

  test('an empty non-repudiation certificate is 2500 zero bytes on 1.8 and key 83 is not found', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8', emptyNonRepudiation: true });
    const s = await session(card);
    const file = await readFile(s, BeidFile.nonRepudiationCert);
    assert.equal(file.length, 2500);
    assert.ok(file.every((b) => b === 0));
    const mse = await s.transmit(command(0x00, 0x22, 0x41, 0xb6, Uint8Array.of(0x04, 0x80, 0x02, 0x84, 0x83)));
    assert.equal(mse.sw, 0x6a88);
  });

  test('bad options are refused with RangeError', async () => {
    await assert.rejects(BeidVirtualCard.create({ pin: '12a4' }), RangeError);
    await assert.rejects(BeidVirtualCard.create({ pinTriesLeft: 4 }), RangeError);
    await assert.rejects(BeidVirtualCard.create({ appletVersion: '1.9' as '1.8' }), RangeError);
  });
});
