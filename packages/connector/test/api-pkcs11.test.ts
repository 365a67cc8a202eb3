import assert from 'node:assert/strict';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSoftHsmToken, type SoftHsmToken } from '@t1c/emulator/softhsm';
import { encryptPinOaep, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { errorCode, verifiedData, type Answer } from './api-helpers/http.js';

const PREFIX = '/v3/modules/pkcs11/apps/token';
const OPENSC = ['/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so'].find((p) => existsSync(p))
  ?? '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const HSM_PIN = '4711';
const MESSAGE = Buffer.from('a document the page signs');
const SHA256 = createHash('sha256').update(MESSAGE).digest();

type Reader = { id: string; name: string; pinpad: boolean; card?: { description: string[]; modules: string[] } };
type CertList = Record<string, { certificates: { certificate: string; id: string; certificateType: string }[] } | undefined>;

describe('pkcs11 module over HTTP (t1c-api.md §2.6): SoftHSM2 and OpenSC over the virtual eID', () => {
  let f: Fixture;
  let token: SoftHsmToken;
  let slot: string;
  const data = (answer: Answer): unknown => verifiedData(answer, f.api.deviceKeyPem);
  const get = async (path: string): Promise<unknown> => data(await f.c.call('GET', `${PREFIX}${path}`));
  // Our SDK's way: RSA-OAEP with a timestamp, announced by its header.
  const post = (path: string, body: object): Promise<Answer> => f.c.call('POST', `${PREFIX}${path}`, { body, headers: { 'x-t1c-pin-encryption': 'RSA-OAEP-256' } });
  const pin = (digits: string): string => encryptPinOaep(f.api.deviceKeyPem, digits);
  const useLibrary = async (library: string): Promise<void> => {
    const answer = await post('/config', { linux: library });
    assert.equal(answer.status, 200, answer.text);
  };

  before(async () => {
    token = await createSoftHsmToken({ label: 'api-test', pin: HSM_PIN });
    // The sandbox inherits the environment: SoftHSM reads SOFTHSM2_CONF in C_Initialize.
    process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
    f = await startFixture([{ appletVersion: '1.7', pin: PIN }, { appletVersion: '1.7', pin: PIN }]);
    await useLibrary(token.library);
    const readers = await get('/readers?tokenPresent=true') as Reader[];
    const found = readers.find((r) => r.card?.description[0] === 'api-test');
    assert.ok(found, JSON.stringify(readers));
    slot = found.id;
  });

  after(async () => {
    await f?.close();
    token?.remove();
  });

  it('config: GET gives a path per OS; POST keeps the other OSes; PATCH config/reset restores the defaults', async () => {
    const config = await get('/config') as Record<string, string>;
    assert.deepEqual(Object.keys(config).sort(), ['linux', 'macos', 'win']);
    assert.equal(config.linux, token.library);
    const reset = await f.c.call('PATCH', `${PREFIX}/config/reset`);
    assert.equal(data(reset), true);
    const defaults = await get('/config') as Record<string, string>;
    assert.equal(defaults.linux, OPENSC);
    assert.equal(defaults.win, 'C:\\Windows\\System32\\opensc-pkcs11.dll');
    await useLibrary(token.library);
    assert.equal((await get('/config') as Record<string, string>).win, defaults.win);
  });

  it('config refuses a library outside the allow-list, a relative path and unknown keys; nothing changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 't1c-p11-api-'));
    try {
      const copy = join(dir, 'libsofthsm2.so');
      copyFileSync(token.library, copy);
      for (const [body, code] of [[{ linux: copy }, '105010'], [{ linux: 'libsofthsm2.so' }, '105010'], [{ linux: '/usr/lib/../tmp/x.so' }, '105010'], [{ solaris: '/usr/lib/x.so' }, '106001'], [{ linux: 42 }, '106001']] as const) {
        const answer = await post('/config', body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(errorCode(answer), code, JSON.stringify(body));
      }
      assert.equal((await get('/config') as Record<string, string>).linux, token.library);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('slots are readers: the SoftHSM token by its label, the spare slot without a card', async () => {
    const all = await get('/readers') as Reader[];
    const mine = all.find((r) => r.id === slot);
    assert.equal(mine?.pinpad, false);
    assert.deepEqual(mine?.card?.modules, ['pkcs11']);
    assert.ok(all.length >= 2);
    const withToken = await get('/readers?tokenPresent=true') as Reader[];
    assert.ok(withToken.every((r) => r.card !== undefined));
  });

  it('token info is a TokenInfo with PKCS11TokenInfo', async () => {
    const info = await get(`/readers/${slot}/info`) as { info: Record<string, unknown>; infoType: string; module: { name: string } };
    assert.equal(info.infoType, 'PKCS11');
    assert.equal(info.module.name, 'pkcs11');
    assert.equal(info.info.label, 'api-test');
    assert.equal(info.info.slot, Number(slot));
    assert.equal((info.info.flags as Record<string, boolean>).isLoginRequired, true);
    assert.ok(Array.isArray(info.info.mechanisms));
  });

  it('cert-list and the single-certificate routes give the token\'s certificates with their CKA_ID', async () => {
    const list = await get(`/readers/${slot}/cert-list?0=authenticationCertificate`) as CertList;
    assert.equal(list.authenticationCertificate?.certificates[0]?.id, '01');
    assert.equal(list.nonRepudiationCertificate?.certificates[0]?.id, '02');
    assert.equal(list.rootCertificate?.certificates.length, 1);
    const auth = await get(`/readers/${slot}/authentication-cert`) as CertList[string];
    assert.deepEqual(Buffer.from(auth?.certificates[0]?.certificate ?? '', 'base64'), Buffer.from(token.authentication.certificate));
    const nonRep = await get(`/readers/${slot}/nonrepudiation-cert`) as CertList[string];
    assert.deepEqual(Buffer.from(nonRep?.certificates[0]?.certificate ?? '', 'base64'), Buffer.from(token.nonRepudiation.certificate));
    assert.deepEqual((await get(`/readers/${slot}/supported-algorithms`) as { ref: string[] }).ref, ['sha1', 'sha256', 'sha384', 'sha512']);
  });

  it('verify-pin, sign (P-256, r‖s) and authenticate (RSA-2048) with encrypted PINs; signatures verify with the listed certificates', async () => {
    assert.deepEqual(data(await post(`/readers/${slot}/verify-pin`, { pin: pin(HSM_PIN), base64Encoded: true })), { verified: true });
    const list = await get(`/readers/${slot}/cert-list`) as CertList;
    const der = (kind: string) => Buffer.from(list[kind]?.certificates[0]?.certificate ?? '', 'base64');
    const signed = data(await post(`/readers/${slot}/sign`, { algorithm: 'sha256', data: SHA256.toString('base64'), pin: pin(HSM_PIN), base64Encoded: true })) as { data: string };
    assert.ok(verify('sha256', MESSAGE, { key: new X509Certificate(der('nonRepudiationCertificate')).publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.data, 'base64')));
    const authenticated = data(await post(`/readers/${slot}/authenticate`, { algorithm: 'SHA256', data: SHA256.toString('base64'), pin: pin(HSM_PIN) })) as { data: string };
    assert.ok(verify('sha256', MESSAGE, new X509Certificate(der('authenticationCertificate')).publicKey, Buffer.from(authenticated.data, 'base64')));
    const byId = data(await post(`/readers/${slot}/sign`, { algorithm: 'sha256', data: SHA256.toString('base64'), pin: pin(HSM_PIN), id: '01' })) as { data: string };
    assert.equal(Buffer.from(byId.data, 'base64').length, 256, 'the key of certificate 01 is RSA-2048');
    const valid = data(await post(`/readers/${slot}/validate`, { algorithm: 'sha256', hash: SHA256.toString('base64'), signedHash: signed.data })) as { valid: boolean };
    assert.equal(valid.valid, true);
    const forged = data(await post(`/readers/${slot}/validate`, { algorithm: 'sha256', hash: createHash('sha256').update('other').digest('base64'), signedHash: signed.data })) as { valid: boolean };
    assert.equal(forged.valid, false);
  });

  it('bulk signing keeps the PIN for this token across reader listings until reset-bulk-pin', async () => {
    const body = { algorithm: 'sha256', data: SHA256.toString('base64') };
    assert.equal((await post(`/readers/${slot}/sign?bulk=true`, { ...body, pin: pin(HSM_PIN) })).status, 200);
    await f.c.call('GET', '/v3/readers');
    const kept = await post(`/readers/${slot}/sign?bulk=true`, body);
    assert.equal(kept.status, 200, kept.text);
    assert.equal(errorCode(await post(`/readers/${slot}/sign`, body)), '108001', 'without bulk=true the kept PIN is not used');
    assert.equal(data(await f.c.call('GET', `${PREFIX}/reset-bulk-pin`)), true);
    assert.equal(errorCode(await post(`/readers/${slot}/sign?bulk=true`, body)), '108001');
  });

  it('bad inputs: wrong PIN, unknown slot, malformed slot id, hex id, base64, digest length, algorithm; a good call still works after', async () => {
    const cases: [string, object, number, string][] = [
      [`/readers/${slot}/verify-pin`, { pin: pin('0000') }, 400, '108003'],
      ['/readers/4242424/verify-pin', { pin: pin(HSM_PIN) }, 400, '701001'],
      ['/readers/not-a-slot/verify-pin', { pin: pin(HSM_PIN) }, 400, '106001'],
      [`/readers/${slot}/sign`, { algorithm: 'sha256', data: 'not base64!', pin: pin(HSM_PIN) }, 400, '106003'],
      [`/readers/${slot}/sign`, { algorithm: 'sha256', data: Buffer.alloc(20).toString('base64'), pin: pin(HSM_PIN) }, 400, '106004'],
      [`/readers/${slot}/sign`, { algorithm: 'md5', data: SHA256.toString('base64'), pin: pin(HSM_PIN) }, 400, '106005'],
      [`/readers/${slot}/sign`, { algorithm: 'sha256', data: SHA256.toString('base64'), pin: pin(HSM_PIN), id: 'zz' }, 400, '106001'],
      [`/readers/${slot}/sign`, { algorithm: 'sha256', data: SHA256.toString('base64'), pin: pin(HSM_PIN), id: 'FF' }, 400, '302002'],
      [`/readers/${slot}/sign`, { algorithm: 'sha256', data: SHA256.toString('base64') }, 400, '108001'],
    ];
    for (const [path, body, status, code] of cases) {
      const answer = await post(path, body);
      assert.equal(answer.status, status, `${path} ${answer.text}`);
      assert.equal(errorCode(answer), code, `${path} ${answer.text}`);
      assert.doesNotMatch(answer.text, new RegExp(HSM_PIN));
    }
    const unknown = await f.c.call('GET', `${PREFIX}/readers/4242424/info`);
    assert.equal(errorCode(unknown), '701001');
    assert.deepEqual(data(await post(`/readers/${slot}/verify-pin`, { pin: pin(HSM_PIN) })), { verified: true });
  });

  it('a library that is not installed is accepted as configuration and reported at use (503 111010)', async () => {
    await useLibrary('/usr/lib/t1c-not-installed/libnothere-pkcs11.so');
    try {
      const answer = await f.c.call('GET', `${PREFIX}/readers`);
      assert.equal(answer.status, 503);
      assert.equal(errorCode(answer), '111010');
      assert.match(answer.text, /not installed/);
    } finally {
      await useLibrary(token.library);
    }
  });

  it('OpenSC over the virtual eID: readers as slots, the card\'s certificates, authenticate verifies, three wrong PINs lock it (423 108004)', async () => {
    await useLibrary(OPENSC);
    try {
      const readers = await get('/readers?tokenPresent=true') as Reader[];
      const cards = readers.filter((r) => r.name.startsWith('Virtual PCD'));
      assert.equal(cards.length, 2, JSON.stringify(readers));
      const [first, second] = cards;
      assert.ok(first && second);
      assert.equal(first.card?.description[0], 'BELPIC (Basic PIN)');
      const list = await get(`/readers/${first.id}/cert-list`) as CertList;
      const authDer = Buffer.from(list.authenticationCertificate?.certificates[0]?.certificate ?? '', 'base64');
      assert.deepEqual(authDer, Buffer.from(f.rig.cards[0]?.pki.authenticationCertificate ?? []));
      const signed = data(await post(`/readers/${first.id}/authenticate`, { algorithm: 'sha256', data: SHA256.toString('base64'), pin: pin(PIN) })) as { data: string };
      assert.ok(verify('sha256', MESSAGE, new X509Certificate(authDer).publicKey, Buffer.from(signed.data, 'base64')));
      const wrong = async () => post(`/readers/${second.id}/verify-pin`, { pin: pin('000000') });
      assert.equal(errorCode(await wrong()), '108003');
      const last = await wrong();
      assert.equal(errorCode(last), '108003');
      assert.match(last.text, /1 tries left/);
      const locked = await wrong();
      assert.equal(locked.status, 423);
      assert.equal(errorCode(locked), '108004');
      assert.equal(errorCode(await post(`/readers/${second.id}/verify-pin`, { pin: pin(PIN) })), '108004');
      assert.equal(f.rig.cards[1]?.pinTriesLeft, 0);
      assert.equal(f.rig.cards[0]?.pinTriesLeft, 3, 'the other card is untouched');
    } finally {
      await useLibrary(token.library);
    }
  });
});
