import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildPinpadShim, type PinpadShim } from '@t1c/emulator/pinpad-shim';
import { createSoftHsmToken, type SoftHsmToken } from '@t1c/emulator/softhsm';
import { isSmartCardError, type SmartCardErrorCode } from '@t1c/smartcard';
import { Pkcs11Module, PROTECTED_AUTHENTICATION_PATH } from '@t1c/smartcard/pkcs11';

const PIN = '2468';
const MESSAGE = Buffer.from('authorised on the pad');
const DIGEST = createHash('sha256').update(MESSAGE).digest();
const isError = (code: SmartCardErrorCode, pattern?: RegExp) => (e: unknown) => isSmartCardError(e, code) && (pattern === undefined || pattern.test(e.message));

/** C_Login with a NULL PIN (PKCS#11 v2.40 C_Login) against SoftHSM2 behind the PIN pad shim. */
describe('PKCS#11 binding: protected authentication path', () => {
  let padToken: SoftHsmToken;
  let plainToken: SoftHsmToken;
  let qualifiedToken: SoftHsmToken;
  let shim: PinpadShim;
  let module: Pkcs11Module;
  let pad: number;
  let plain: number;
  let qualified: number;

  before(async () => {
    padToken = await createSoftHsmToken({ label: 'pad', pin: PIN });
    plainToken = await createSoftHsmToken({ label: 'plain', pin: PIN, beside: padToken });
    qualifiedToken = await createSoftHsmToken({ label: 'qualified', pin: PIN, beside: padToken, alwaysAuthenticate: true });
    shim = await buildPinpadShim({ pinpadLabels: ['pad', 'qualified'] });
    Object.assign(process.env, padToken.env, shim.env);
    module = await Pkcs11Module.open({ path: shim.library, configuredDirectories: [shim.dir], maxWaitMs: 1000 });
    const slots = await module.slots();
    const slotOf = (label: string): number => {
      const slot = slots.find((s) => s.token?.label === label);
      assert.ok(slot, JSON.stringify(slots));
      return slot.slotId;
    };
    pad = slotOf('pad');
    plain = slotOf('plain');
    qualified = slotOf('qualified');
  });

  after(async () => {
    await module?.close();
    qualifiedToken?.remove();
    plainToken?.remove();
    padToken?.remove();
    shim?.remove();
  });

  it('exposes CKF_PROTECTED_AUTHENTICATION_PATH in the slot list and the token info', async () => {
    const slots = await module.slots();
    assert.equal(slots.find((s) => s.slotId === pad)?.token?.protectedAuthenticationPath, true);
    assert.equal(slots.find((s) => s.slotId === plain)?.token?.protectedAuthenticationPath, false);
    assert.equal((await module.tokenInfo(pad)).flags.isProtectedAuthenticationPath, true);
    assert.equal((await module.tokenInfo(plain)).flags.isProtectedAuthenticationPath, false);
  });

  it('logs in with a NULL PIN: the PIN typed on the pad; nothing stays logged in', async () => {
    shim.type(PIN);
    shim.takeLog();
    await module.verifyPin(pad, PROTECTED_AUTHENTICATION_PATH);
    assert.equal(await module.loggedIn(pad), false);
    assert.deepEqual(shim.takeLog(), ['pad']);
  });

  it('signs with the RSA and the P-256 key through the pad; the signatures verify', async () => {
    shim.type(PIN);
    const rsa = await module.sign({ slotId: pad, usage: 'authentication', digestAlgorithm: 'SHA-256', digest: DIGEST, pin: PROTECTED_AUTHENTICATION_PATH });
    assert.ok(verify('sha256', MESSAGE, padToken.authentication.publicKey, rsa.signature));
    const ec = await module.sign({ slotId: pad, usage: 'nonRepudiation', digestAlgorithm: 'SHA-256', digest: DIGEST, pin: PROTECTED_AUTHENTICATION_PATH });
    assert.ok(verify('sha256', MESSAGE, { key: padToken.nonRepudiation.publicKey, dsaEncoding: 'ieee-p1363' }, ec.signature));
    assert.equal(await module.loggedIn(pad), false);
  });

  it('a key with CKA_ALWAYS_AUTHENTICATE asks the pad twice: the login, then the context-specific login for the signature', async () => {
    shim.type(PIN);
    shim.takeLog();
    const ec = await module.sign({ slotId: qualified, usage: 'nonRepudiation', digestAlgorithm: 'SHA-256', digest: DIGEST, pin: PROTECTED_AUTHENTICATION_PATH });
    assert.ok(verify('sha256', MESSAGE, { key: qualifiedToken.nonRepudiation.publicKey, dsaEncoding: 'ieee-p1363' }, ec.signature));
    assert.deepEqual(shim.takeLog(), ['pad', 'pad']);
    shim.type('cancel');
    await assert.rejects(module.sign({ slotId: qualified, usage: 'nonRepudiation', digestAlgorithm: 'SHA-256', digest: DIGEST, pin: PROTECTED_AUTHENTICATION_PATH }), isError('PIN_CANCELLED'));
    assert.equal(await module.loggedIn(qualified), false);
  });

  it('a wrong PIN on the pad is PIN_INCORRECT, a cancelled entry PIN_CANCELLED, both marked protectedPath; the token stays usable', async () => {
    shim.type('9999');
    await assert.rejects(module.verifyPin(pad, PROTECTED_AUTHENTICATION_PATH), (e: unknown) =>
      isError('PIN_INCORRECT', /entered on the token/)(e) && isSmartCardError(e) && e.details.protectedPath === true);
    shim.type('cancel');
    await assert.rejects(module.sign({ slotId: pad, usage: 'authentication', digestAlgorithm: 'SHA-256', digest: DIGEST, pin: PROTECTED_AUTHENTICATION_PATH }), (e: unknown) =>
      isError('PIN_CANCELLED', /cancelled/)(e) && isSmartCardError(e) && e.details.protectedPath === true);
    assert.equal(await module.loggedIn(pad), false);
    shim.type(PIN);
    await module.verifyPin(pad, PROTECTED_AUTHENTICATION_PATH);
  });

  it('while a PIN is being typed on the pad, other calls give up with PKCS11_BUSY; the login then completes and the library works', async () => {
    shim.takeLog();
    shim.type('wait');
    const typing = module.verifyPin(pad, PROTECTED_AUTHENTICATION_PATH);
    await shim.padWaiting();
    await assert.rejects(module.slots(), isError('PKCS11_BUSY', /busy/));
    await assert.rejects(module.certificates(plain), isError('PKCS11_BUSY'));
    shim.type(PIN);
    await typing;
    assert.deepEqual(shim.takeLog(), ['waiting', 'pad']);
    assert.equal((await module.slots()).length >= 2, true);
    assert.equal(await module.loggedIn(pad), false);
  });

  it('refuses the protected path on a token without it (PIN_REQUIRED) without calling C_Login; the PIN still works there', async () => {
    shim.takeLog();
    await assert.rejects(module.verifyPin(plain, PROTECTED_AUTHENTICATION_PATH), isError('PIN_REQUIRED', /no protected authentication path/));
    assert.deepEqual(shim.takeLog(), []);
    const pin = Uint8Array.from(Buffer.from(PIN));
    await module.verifyPin(plain, pin);
    assert.deepEqual([...pin], [0, 0, 0, 0], 'the PIN bytes are zeroed');
    assert.deepEqual(shim.takeLog(), ['pin']);
  });

  it('on a token with the path, a PIN given by the application is still accepted by the binding (PKCS#11 allows it; the API decides)', async () => {
    shim.type('cancel');
    shim.takeLog();
    await module.verifyPin(pad, Uint8Array.from(Buffer.from(PIN)));
    assert.deepEqual(shim.takeLog(), ['pin']);
  });
});
