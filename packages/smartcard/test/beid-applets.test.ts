import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '@t1c/smartcard/codec';
import { appletForAtr, BEID_APPLETS } from '@t1c/smartcard/beid';

describe('Belgian eID family: one leaf per applet version', () => {
  it('each leaf recognises its own ATR and no other leaf does', () => {
    for (const leaf of BEID_APPLETS) {
      assert.equal(appletForAtr(fromHex(leaf.atr)), leaf);
      assert.deepEqual(BEID_APPLETS.filter((other) => appletForAtr(fromHex(other.atr)) === leaf), [leaf]);
    }
  });

  it('the 1.7 leaf takes the field ATRs of its family (beid-card.md §1.1) and refuses the test-card ATR', () => {
    for (const atr of ['3B9894400AA503010101AD1310', '3B989440FFA503010101AD1310', '3B9830400AA503010101AD1311']) {
      assert.equal(appletForAtr(fromHex(atr))?.version, '1.7', atr);
    }
    assert.equal(appletForAtr(fromHex('3B989540FFD000480101AD1321')), undefined);
  });

  it('1.7 signs a DigestInfo with algorithm 01; 1.8 signs the bare hash with the algorithm of its length', () => {
    const [v17, v18] = ['1.7', '1.8'].map((v) => BEID_APPLETS.find((a) => a.version === v));
    const digest = new Uint8Array(32).fill(0xab);
    const rsa = v17?.signatureInput('SHA-256', digest);
    assert.equal(rsa?.algorithm, 0x01);
    assert.equal(toHex(rsa?.dtbs ?? new Uint8Array(0)), `3031300D060960864801650304020105000420${'AB'.repeat(32)}`);
    const ec = v18?.signatureInput('SHA-384', new Uint8Array(48));
    assert.equal(ec?.algorithm, 0x02);
    assert.equal(ec?.dtbs.length, 48);
    assert.equal(v18?.signatureInput('SHA-1', new Uint8Array(20)).algorithm, 0x40);
  });

  it('only 1.8 has the basic key file and the extended GET CARD DATA', () => {
    assert.deepEqual(BEID_APPLETS.map((a) => [a.version, a.hasBasicPublicKey, a.cardData.p2, a.cardData.le]), [['1.7', false, 0, 0x1c], ['1.8', true, 1, 0x1f]]);
  });
});
