import assert from 'node:assert/strict';
import { createHash, constants, verify, X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSoftHsmToken, type SoftHsmToken } from '@t1c/emulator/softhsm';
import { isSmartCardError, type SmartCardErrorCode } from '@t1c/smartcard';
import { Pkcs11Module, type Pkcs11Certificate } from '@t1c/smartcard/pkcs11';

const MESSAGE = Buffer.from('t1c-open signs this');
const digestOf = (algorithm: string) => createHash(algorithm).update(MESSAGE).digest();
const pinBytes = (pin: string) => Uint8Array.from(Buffer.from(pin, 'utf8'));
const isError = (code: SmartCardErrorCode, pattern?: RegExp) => (e: unknown) => isSmartCardError(e, code) && (pattern === undefined || pattern.test(e.message));

/** Whether the process has this path mapped: a refused library must never reach dlopen. */
function mapped(path: string): boolean {
  return readFileSync('/proc/self/maps', 'utf8').includes(path);
}

describe('PKCS#11 binding against SoftHSM2', () => {
  let token: SoftHsmToken;
  let module: Pkcs11Module;
  let slotId: number;

  before(async () => {
    token = await createSoftHsmToken({ label: 'binding-test', pin: '4711' });
    process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
    module = await Pkcs11Module.open({ path: token.library });
    const slot = (await module.slots()).find((s) => s.token?.label === 'binding-test');
    assert.ok(slot, 'the initialised token is listed by its label');
    slotId = slot.slotId;
  });

  after(async () => {
    await module.close();
    token.remove();
  });

  it('reports the library and lists every slot, the token by label (its slot id is not an index)', async () => {
    assert.equal(module.info.manufacturerId, 'SoftHSM');
    assert.equal(module.info.cryptokiVersion, '2.40');
    const slots = await module.slots();
    assert.ok(slots.length >= 2, 'SoftHSM keeps a spare uninitialised slot');
    assert.ok(slots.some((s) => s.slotId !== slotId && s.token?.label === ''), 'the spare slot is listed too');
    assert.notEqual(slotId, 0);
  });

  it('gives token info with T1C PKCS11TokenInfo names, flags and signing mechanisms', async () => {
    const info = await module.tokenInfo(slotId);
    assert.equal(info.slot, slotId);
    assert.equal(info.label, 'binding-test');
    assert.equal(info.model, 'SoftHSM v2');
    assert.match(info.serialNumber, /^[0-9a-f]{16}$/);
    assert.equal(info.flags.isLoginRequired, true);
    assert.equal(info.flags.isTokenInitialized, true);
    assert.equal(info.flags.isUserPinLocked, false);
    assert.equal(info.ulMinPinLen, 4);
    const byName = new Map(info.mechanisms.map((m) => [m.mechanism, m]));
    assert.equal(byName.get('CKM_RSA_PKCS')?.flags.isSign, true);
    assert.equal(byName.get('CKM_ECDSA')?.flags.isSign, true);
    assert.equal(byName.get('CKM_RSA_PKCS_PSS')?.flags.isSign, true);
    assert.ok((byName.get('CKM_RSA_PKCS')?.ulMaxKeySize ?? 0) >= 2048);
  });

  it('lists the certificates by key usage: RSA authentication, EC non-repudiation, the CA as authority', async () => {
    const certificates = await module.certificates(slotId);
    const by = (usage: Pkcs11Certificate['usage']) => certificates.filter((c) => c.usage === usage);
    assert.equal(certificates.length, 3);
    const [auth] = by('authentication');
    const [nonRep] = by('nonRepudiation');
    const [ca] = by('authority');
    assert.deepEqual([auth?.id, auth?.label, auth?.keyType], ['01', 'Authentication', 'rsa']);
    assert.deepEqual([nonRep?.id, nonRep?.label, nonRep?.keyType], ['02', 'Signature', 'ec']);
    assert.equal(ca?.id, '03');
    assert.deepEqual(auth?.der, token.authentication.certificate);
    assert.deepEqual(nonRep?.der, token.nonRepudiation.certificate);
    assert.equal(await module.loggedIn(slotId), false, 'listing certificates needs no login');
  });

  it('verifies the PIN, zeroes the PIN bytes and leaves nothing logged in', async () => {
    const pin = pinBytes('4711');
    await module.verifyPin(slotId, pin);
    assert.ok(pin.every((b) => b === 0), 'PIN bytes zeroed');
    assert.equal(await module.loggedIn(slotId), false);
  });

  for (const [digestAlgorithm, hash] of [['SHA-256', 'sha256'], ['SHA-384', 'sha384'], ['SHA-1', 'sha1']] as const) {
    it(`signs a ${digestAlgorithm} digest with the RSA authentication key (PKCS#1 v1.5); it verifies with the listed certificate`, async () => {
      const pin = pinBytes('4711');
      const result = await module.sign({ slotId, usage: 'authentication', digestAlgorithm, digest: digestOf(hash), pin });
      assert.equal(result.keyType, 'rsa');
      assert.equal(result.mechanism, 'CKM_RSA_PKCS');
      assert.equal(result.signature.length, 256);
      const listed = (await module.certificates(slotId)).find((c) => c.id === result.certificateId);
      assert.ok(listed);
      assert.ok(verify(hash, MESSAGE, new X509Certificate(listed.der).publicKey, result.signature));
      assert.ok(pin.every((b) => b === 0));
      assert.equal(await module.loggedIn(slotId), false);
    });
  }

  it('signs with RSA-PSS (MGF1, salt = hash length); it verifies with the listed certificate', async () => {
    const result = await module.sign({ slotId, certificateId: '01', digestAlgorithm: 'SHA-256', digest: digestOf('sha256'), pin: pinBytes('4711'), rsaScheme: 'pss' });
    assert.equal(result.mechanism, 'CKM_RSA_PKCS_PSS');
    const key = new X509Certificate(token.authentication.certificate).publicKey;
    assert.ok(verify('sha256', MESSAGE, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, result.signature));
  });

  it('signs with the P-256 non-repudiation key (ECDSA, r‖s); it verifies with the listed certificate', async () => {
    const result = await module.sign({ slotId, usage: 'nonRepudiation', digestAlgorithm: 'SHA-256', digest: digestOf('sha256'), pin: pinBytes('4711') });
    assert.equal(result.keyType, 'ec');
    assert.equal(result.mechanism, 'CKM_ECDSA');
    assert.equal(result.certificateId, '02');
    assert.equal(result.signature.length, 64);
    const listed = (await module.certificates(slotId)).find((c) => c.usage === 'nonRepudiation');
    assert.ok(listed);
    assert.ok(verify('sha256', MESSAGE, { key: new X509Certificate(listed.der).publicKey, dsaEncoding: 'ieee-p1363' }, result.signature));
    assert.equal(await module.loggedIn(slotId), false);
  });

  it('refuses a wrong PIN with PIN_INCORRECT, the token reporting its count low; nothing logged in, the right PIN still works', async () => {
    const pin = pinBytes('0000');
    await assert.rejects(module.verifyPin(slotId, pin), (e: unknown) => isSmartCardError(e, 'PIN_INCORRECT') && e.details.pinCountLow === true);
    assert.ok(pin.every((b) => b === 0), 'a wrong PIN is zeroed too');
    assert.equal(await module.loggedIn(slotId), false);
    await assert.rejects(module.sign({ slotId, usage: 'authentication', digestAlgorithm: 'SHA-256', digest: digestOf('sha256'), pin: pinBytes('1111') }), isError('PIN_INCORRECT'));
    assert.equal(await module.loggedIn(slotId), false);
    await module.verifyPin(slotId, pinBytes('4711'));
  });

  it('refuses a digest of the wrong length, an unknown key id and an unknown slot with typed errors, logged out', async () => {
    await assert.rejects(module.sign({ slotId, usage: 'authentication', digestAlgorithm: 'SHA-256', digest: digestOf('sha1'), pin: pinBytes('4711') }), isError('DIGEST_INVALID'));
    assert.equal(await module.loggedIn(slotId), false);
    await assert.rejects(module.sign({ slotId, certificateId: 'FF', digestAlgorithm: 'SHA-256', digest: digestOf('sha256'), pin: pinBytes('4711') }), isError('PKCS11_KEY_NOT_FOUND'));
    assert.equal(await module.loggedIn(slotId), false);
    const unknown = 0x7ffffff0;
    await assert.rejects(module.tokenInfo(unknown), isError('PKCS11_SLOT_UNKNOWN'));
    await assert.rejects(module.verifyPin(unknown, pinBytes('4711')), isError('PKCS11_SLOT_UNKNOWN'));
  });
});

describe('PKCS#11 library paths', () => {
  const softhsm = '/usr/lib/softhsm/libsofthsm2.so';
  let dir: string;
  let copy: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 't1c-p11-lib-'));
    copy = join(dir, 'libcopied-softhsm2.so');
    copyFileSync(softhsm, copy);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a library outside the allowed directories before loading it', async () => {
    await assert.rejects(Pkcs11Module.open({ path: copy }), isError('PKCS11_LIBRARY_REFUSED', /outside the allowed directories/));
    assert.equal(mapped(copy), false, 'never dlopened');
  });

  it('refuses relative paths and paths that climb out of an allowed directory', async () => {
    await assert.rejects(Pkcs11Module.open({ path: 'libsofthsm2.so' }), isError('PKCS11_LIBRARY_REFUSED', /relative/));
    await assert.rejects(Pkcs11Module.open({ path: `/usr/lib/..${copy}` }), isError('PKCS11_LIBRARY_REFUSED', /outside/));
    assert.equal(mapped(copy), false);
  });

  it('says a library that is not there is missing, not refused', async () => {
    await assert.rejects(Pkcs11Module.open({ path: '/usr/lib/t1c-no-such-dir/libnothere-pkcs11.so' }), isError('PKCS11_LIBRARY_MISSING', /not installed/));
  });

  it('says a shared library without C_GetFunctionList is not a PKCS#11 library', async () => {
    const pcsclite = ['/usr/lib/x86_64-linux-gnu/libpcsclite.so.1', '/usr/lib/aarch64-linux-gnu/libpcsclite.so.1'].find((p) => {
      try {
        return readFileSync(p).length > 0;
      } catch {
        return false;
      }
    });
    assert.ok(pcsclite);
    await assert.rejects(Pkcs11Module.open({ path: pcsclite }), isError('PKCS11_LIBRARY_MISSING', /not a PKCS#11 library/));
  });

  it('loads from a configured directory, but not when the directory or the file is writable by every user', async () => {
    const token = await createSoftHsmToken({ label: 'path-test' });
    process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
    try {
      const loaded = await Pkcs11Module.open({ path: copy, configuredDirectories: [dir] });
      assert.ok((await loaded.slots()).some((s) => s.token?.label === 'path-test'));
      await loaded.close();

      chmodSync(copy, 0o666);
      await assert.rejects(Pkcs11Module.open({ path: copy, configuredDirectories: [dir] }), isError('PKCS11_LIBRARY_REFUSED', /writable by every user/));
      chmodSync(copy, 0o644);
      chmodSync(dir, 0o777);
      await assert.rejects(Pkcs11Module.open({ path: copy, configuredDirectories: [dir] }), isError('PKCS11_LIBRARY_REFUSED', /writable by every user/));
      chmodSync(dir, 0o700);
    } finally {
      token.remove();
    }
  });

  it('refuses a link in an allowed directory that points outside it', async () => {
    const allowed = mkdtempSync(join(tmpdir(), 't1c-p11-allowed-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 't1c-p11-elsewhere-'));
    try {
      const target = join(elsewhere, 'libevil.so');
      copyFileSync(softhsm, target);
      const link = join(allowed, 'libfine.so');
      symlinkSync(target, link);
      await assert.rejects(Pkcs11Module.open({ path: link, configuredDirectories: [allowed] }), isError('PKCS11_LIBRARY_REFUSED', /links to/));
      assert.equal(mapped(target), false);
    } finally {
      rmSync(allowed, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
