import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BeidVirtualCard } from '@t1c/emulator';
import { checkIntegrity, type IntegrityInput } from '@t1c/smartcard/beid';

/** Only the RRN and root certificates matter here; the other files are left empty. */
const input = (rrn: Uint8Array, root: Uint8Array): IntegrityInput => ({
  identityFile: new Uint8Array(0), identitySignatureFile: new Uint8Array(0), addressFile: new Uint8Array(0),
  addressSignatureFile: new Uint8Array(0), photo: new Uint8Array(0), photoHash: new Uint8Array(32),
  rrnCertificate: rrn, rootCertificate: root,
});

describe('Belgian eID integrity: the RRN certificate against the card root', () => {
  it('a pass remembered for one root is not served for another root with the same name', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    const stranger = await BeidVirtualCard.create({ appletVersion: '1.8', freshKeys: true });
    const { rrnCertificate: rrn, rootCertificate: root } = card.pki;
    const foreignRoot = stranger.pki.rootCertificate;
    assert.notDeepEqual(foreignRoot, root);

    // The pass is remembered; asked twice, it stays a pass.
    for (let i = 0; i < 2; i++) assert.equal((await checkIntegrity(input(rrn, root))).rrnCertificate.ok, true);
    // A root of the same name but another key fails each time it is asked, before and after the pass above.
    for (let i = 0; i < 2; i++) {
      const { rrnCertificate } = await checkIntegrity(input(rrn, foreignRoot));
      assert.equal(rrnCertificate.ok, false);
      assert.match(rrnCertificate.reason ?? '', /not signed by the card root/);
    }
    // The stranger's own pair passes; the first pair's verdict is unchanged by it.
    assert.equal((await checkIntegrity(input(stranger.pki.rrnCertificate, foreignRoot))).rrnCertificate.ok, true);
    assert.equal((await checkIntegrity(input(stranger.pki.rrnCertificate, root))).rrnCertificate.ok, false);
    assert.equal((await checkIntegrity(input(rrn, root))).rrnCertificate.ok, true);
  });

  it('a root whose bytes are altered after a pass is checked again and fails', async () => {
    const card = await BeidVirtualCard.create({ appletVersion: '1.7' });
    const { rrnCertificate: rrn, rootCertificate: root } = card.pki;
    assert.equal((await checkIntegrity(input(rrn, root))).rrnCertificate.ok, true);
    const altered = Uint8Array.from(root);
    // The last byte is inside the root's own signature: still parses, no longer self-signed.
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 0x01;
    const { rrnCertificate } = await checkIntegrity(input(rrn, altered));
    assert.equal(rrnCertificate.ok, false);
    assert.match(rrnCertificate.reason ?? '', /not self-signed|card root|root certificate/);
  });
});
