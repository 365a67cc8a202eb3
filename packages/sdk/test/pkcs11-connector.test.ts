import assert from 'node:assert/strict';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { existsSync } from 'node:fs';
import { createSoftHsmToken, type SoftHsmToken } from '@t1c/emulator/softhsm';
import { PIN, startFixture, type Fixture } from '../../connector/test/api-helpers/fixture.js';
import { connect, PinIncorrectError, T1cError, type FetchLike, type Pkcs11, type Pkcs11Token } from '../src/index.js';

const HSM_PIN = '8642';
const OPENSC = ['/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so'].find((p) => existsSync(p))
  ?? '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const MESSAGE = Buffer.from('signed through @t1c/sdk');
const DIGEST = new Uint8Array(createHash('sha256').update(MESSAGE).digest());

/** Our SDK in Node against the real connector (plain HTTP on loopback) and a SoftHSM2 token. */
describe('@t1c/sdk pkcs11 calls against the connector and SoftHSM2', () => {
  let f: Fixture;
  let token: SoftHsmToken;
  let pkcs11: Pkcs11;
  let slot: Pkcs11Token;

  before(async () => {
    token = await createSoftHsmToken({ label: 'sdk-test', pin: HSM_PIN });
    process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
    f = await startFixture(undefined, { transport: 'http' });
    const client = await connect({
      candidates: [f.base], getJwt: async () => f.jwt, verifySignatures: 'required', addressSpace: null,
      fetch: globalThis.fetch as unknown as FetchLike,
    });
    pkcs11 = client.pkcs11();
    await pkcs11.setConfig({ linux: token.library });
    const readers = await pkcs11.slots({ tokenPresent: true });
    const mine = readers.find((r) => r.card?.description[0] === 'sdk-test');
    assert.ok(mine);
    slot = pkcs11.token(mine.id);
  });

  after(async () => {
    await f?.close();
    token?.remove();
  });

  it('reads config, token info and certificates with their types', async () => {
    assert.equal((await pkcs11.getConfig()).linux, token.library);
    const info = await slot.tokenInfo();
    assert.equal(info.infoType, 'PKCS11');
    assert.equal(info.info.label, 'sdk-test');
    assert.equal(info.info.flags.isTokenInitialized, true);
    const certificates = await slot.certificates();
    assert.equal(certificates.authenticationCertificate?.certificates[0]?.id, '01');
    assert.equal((await slot.nonRepudiationCertificate()).certificates[0]?.id, '02');
  });

  it('verifies the PIN, signs and authenticates; the signatures verify with the listed certificates and validate', async () => {
    assert.equal(await slot.verifyPin({ pin: HSM_PIN }), true);
    const nonRep = new X509Certificate(Buffer.from((await slot.nonRepudiationCertificate()).certificates[0]?.certificate ?? '', 'base64'));
    const signature = await slot.sign({ algorithm: 'sha256', digest: DIGEST, pin: HSM_PIN });
    assert.ok(verify('sha256', MESSAGE, { key: nonRep.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature.data, 'base64')));
    const auth = new X509Certificate(Buffer.from((await slot.authenticationCertificate()).certificates[0]?.certificate ?? '', 'base64'));
    const authenticated = await slot.authenticate({ algorithm: 'SHA256', digest: DIGEST, pin: HSM_PIN });
    assert.ok(verify('sha256', MESSAGE, auth.publicKey, Buffer.from(authenticated.data, 'base64')));
    assert.equal(await slot.validateSignature({ algorithm: 'sha256', hash: Buffer.from(DIGEST).toString('base64'), signedHash: signature.data }), true);
  });

  it('maps a wrong PIN, an unknown slot and a refused library path to typed errors', async () => {
    await assert.rejects(slot.verifyPin({ pin: '0000' }), (e: unknown) => e instanceof PinIncorrectError && e.code === '108003');
    await assert.rejects(pkcs11.token('4242424').tokenInfo(), (e: unknown) => e instanceof T1cError && e.code === '701001');
    await assert.rejects(pkcs11.setConfig({ linux: '/tmp/libsofthsm2.so' }), (e: unknown) => e instanceof T1cError && e.code === '105010');
    assert.equal((await pkcs11.getConfig()).linux, token.library);
    assert.equal(await slot.verifyPin({ pin: HSM_PIN }), true);
  });

  it('drives OpenSC\'s library over the virtual eID (applet 1.7) in pcscd: the card\'s certificate, an authentication that verifies', async () => {
    await pkcs11.setConfig({ linux: OPENSC });
    try {
      const readers = await pkcs11.slots({ tokenPresent: true });
      const card = readers.find((r) => r.name.startsWith('Virtual PCD 00 00'));
      assert.ok(card, JSON.stringify(readers));
      assert.equal(card.card?.description[0], 'BELPIC (Basic PIN)');
      const eid = pkcs11.token(card.id);
      const der = Buffer.from((await eid.authenticationCertificate()).certificates[0]?.certificate ?? '', 'base64');
      assert.deepEqual(der, Buffer.from(f.rig.cards[0]?.pki.authenticationCertificate ?? []));
      assert.equal(await eid.verifyPin({ pin: PIN }), true);
      const { data } = await eid.authenticate({ algorithm: 'sha256', digest: DIGEST, pin: PIN });
      assert.ok(verify('sha256', MESSAGE, new X509Certificate(der).publicKey, Buffer.from(data, 'base64')));
    } finally {
      await pkcs11.setConfig({ linux: token.library });
    }
  });
});
