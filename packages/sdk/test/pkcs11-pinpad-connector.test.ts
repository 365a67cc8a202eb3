import assert from 'node:assert/strict';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildPinpadShim, type PinpadShim } from '@t1c/emulator/pinpad-shim';
import { createSoftHsmToken, type SoftHsmToken } from '@t1c/emulator/softhsm';
import { startFixture, type Fixture } from '../../connector/test/api-helpers/fixture.js';
import { connect, isT1cError, PinIncorrectError, type FetchLike, type Pkcs11Token } from '../src/index.js';

const HSM_PIN = '1357';
const MESSAGE = Buffer.from('signed on the pad through @t1c/sdk');
const DIGEST = new Uint8Array(createHash('sha256').update(MESSAGE).digest());

/** Our SDK's pin-less calls against a token with a PIN pad (SoftHSM2 behind the PIN pad shim). */
describe('@t1c/sdk pkcs11 calls on a token with a protected authentication path', () => {
  let f: Fixture;
  let token: SoftHsmToken;
  let shim: PinpadShim;
  let slot: Pkcs11Token;
  let pinpad: boolean | undefined;

  before(async () => {
    token = await createSoftHsmToken({ label: 'sdk-pad', pin: HSM_PIN });
    shim = await buildPinpadShim({ pinpadLabels: ['sdk-pad'] });
    Object.assign(process.env, token.env, shim.env, { T1C_PKCS11_DIRECTORIES: shim.dir });
    f = await startFixture(undefined, { transport: 'http' });
    const client = await connect({
      candidates: [f.base], getJwt: async () => f.jwt, verifySignatures: 'required', addressSpace: null,
      fetch: globalThis.fetch as unknown as FetchLike,
    });
    const pkcs11 = client.pkcs11();
    await pkcs11.setConfig({ linux: shim.library });
    const mine = (await pkcs11.slots({ tokenPresent: true })).find((r) => r.card?.description[0] === 'sdk-pad');
    assert.ok(mine);
    pinpad = mine.pinpad;
    slot = pkcs11.token(mine.id);
  });

  after(async () => {
    await f?.close();
    token?.remove();
    shim?.remove();
  });

  it('lists the slot with pinpad: true; verifyPin() and sign() with no PIN are authorised on the pad and verify', async () => {
    assert.equal(pinpad, true);
    shim.type(HSM_PIN);
    assert.equal(await slot.verifyPin(), true);
    const { data } = await slot.sign({ algorithm: 'sha256', digest: DIGEST });
    const der = Buffer.from((await slot.nonRepudiationCertificate()).certificates[0]?.certificate ?? '', 'base64');
    assert.ok(verify('sha256', MESSAGE, { key: new X509Certificate(der).publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(data, 'base64')));
    assert.deepEqual(shim.takeLog(), ['pad', 'pad']);
  });

  it('a wrong PIN on the pad rejects with PinIncorrectError, a cancelled entry with kind pin-cancelled', async () => {
    shim.type('0000');
    await assert.rejects(slot.verifyPin(), (e: unknown) => e instanceof PinIncorrectError && e.code === '108003');
    shim.type('cancel');
    await assert.rejects(slot.authenticate({ algorithm: 'sha256', digest: DIGEST }), (e: unknown) => isT1cError(e, 'pin-cancelled') && e.code === '108005');
    shim.type(HSM_PIN);
    assert.equal(await slot.verifyPin(), true);
  });
});
