import assert from 'node:assert/strict';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildPinpadShim, type PinpadShim } from '@t1c/emulator/pinpad-shim';
import { createSoftHsmToken, type SoftHsmToken } from '@t1c/emulator/softhsm';
import { encryptPinOaep, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { errorCode, verifiedData, type Answer } from './api-helpers/http.js';

const PREFIX = '/v3/modules/pkcs11/apps/token';
const HSM_PIN = '5823';
const MESSAGE = Buffer.from('signed on a token with a PIN pad');
const SHA256 = createHash('sha256').update(MESSAGE).digest();

type Reader = { id: string; name: string; pinpad: boolean; card?: { description: string[] } };
type CertList = Record<string, { certificates: { certificate: string }[] } | undefined>;

/**
 * A token with CKF_PROTECTED_AUTHENTICATION_PATH (PKCS#11 v2.40 C_Login with a NULL PIN), over
 * HTTP as t1c-api.md §2.6 describes: SoftHSM2 behind the PIN pad shim (@t1c/emulator/pinpad-shim),
 * one library with two slots, one with a pad and one without.
 */
describe('pkcs11 tokens with a protected authentication path (PIN pad) over HTTP', () => {
  let f: Fixture;
  let padToken: SoftHsmToken;
  let plainToken: SoftHsmToken;
  let shim: PinpadShim;
  let pad: string;
  let plain: string;
  const data = (answer: Answer): unknown => verifiedData(answer, f.api.deviceKeyPem);
  const get = async (path: string): Promise<unknown> => data(await f.c.call('GET', `${PREFIX}${path}`));
  const post = (path: string, body: object): Promise<Answer> => f.c.call('POST', `${PREFIX}${path}`, { body, headers: { 'x-t1c-pin-encryption': 'RSA-OAEP-256' } });
  const pin = (digits: string): string => encryptPinOaep(f.api.deviceKeyPem, digits);
  const digest = { algorithm: 'sha256', data: SHA256.toString('base64') };
  const certificate = async (slot: string, kind: string): Promise<X509Certificate> => {
    const list = await get(`/readers/${slot}/cert-list`) as CertList;
    return new X509Certificate(Buffer.from(list[kind]?.certificates[0]?.certificate ?? '', 'base64'));
  };

  before(async () => {
    padToken = await createSoftHsmToken({ label: 'pad-token', pin: HSM_PIN });
    plainToken = await createSoftHsmToken({ label: 'plain-token', pin: HSM_PIN, beside: padToken });
    shim = await buildPinpadShim({ pinpadLabels: ['pad-token'] });
    // The sandbox inherits the environment: SoftHSM's configuration, the pad's files, and the
    // shim's private directory on the library allow-list.
    Object.assign(process.env, padToken.env, shim.env, { T1C_PKCS11_DIRECTORIES: shim.dir });
    f = await startFixture([{ appletVersion: '1.7', pin: PIN }]);
    const configured = await post('/config', { linux: shim.library });
    assert.equal(configured.status, 200, configured.text);
    const readers = await get('/readers?tokenPresent=true') as Reader[];
    const byLabel = (label: string): string => {
      const found = readers.find((r) => r.card?.description[0] === label);
      assert.ok(found, JSON.stringify(readers));
      return found.id;
    };
    pad = byLabel('pad-token');
    plain = byLabel('plain-token');
  });

  after(async () => {
    await f?.close();
    plainToken?.remove();
    padToken?.remove();
    shim?.remove();
  });

  it('the token with the path is a reader with pinpad: true, the other slot of the same library is not; token info says so', async () => {
    const readers = await get('/readers') as Reader[];
    assert.equal(readers.find((r) => r.id === pad)?.pinpad, true);
    assert.equal(readers.find((r) => r.id === plain)?.pinpad, false);
    const info = await get(`/readers/${pad}/info`) as { info: { flags: Record<string, boolean> } };
    assert.equal(info.info.flags.isProtectedAuthenticationPath, true);
    const plainInfo = await get(`/readers/${plain}/info`) as { info: { flags: Record<string, boolean> } };
    assert.equal(plainInfo.info.flags.isProtectedAuthenticationPath, false);
  });

  it('verify-pin, sign (P-256) and authenticate (RSA-2048) with no PIN in the body: entered on the pad; signatures verify with the listed certificates', async () => {
    shim.type(HSM_PIN);
    shim.takeLog();
    assert.deepEqual(data(await post(`/readers/${pad}/verify-pin`, { base64Encoded: true })), { verified: true });
    const signed = data(await post(`/readers/${pad}/sign`, digest)) as { data: string };
    const nonRepudiation = await certificate(pad, 'nonRepudiationCertificate');
    assert.ok(verify('sha256', MESSAGE, { key: nonRepudiation.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.data, 'base64')));
    const authenticated = data(await post(`/readers/${pad}/authenticate`, digest)) as { data: string };
    const authentication = await certificate(pad, 'authenticationCertificate');
    assert.equal(Buffer.from(authenticated.data, 'base64').length, 256);
    assert.ok(verify('sha256', MESSAGE, authentication.publicKey, Buffer.from(authenticated.data, 'base64')));
    assert.deepEqual(shim.takeLog(), ['pad', 'pad', 'pad'], 'each operation was authorised on the pad, none with a PIN from the host');
  });

  it('a PIN in the body of a pinpad token is not used, nor an OS dialog: the pad asks (as on a beid pinpad reader)', async () => {
    shim.type(HSM_PIN);
    shim.takeLog();
    // A wrong PIN in the body: had it reached the token, the answer would be 108003.
    assert.deepEqual(data(await post(`/readers/${pad}/verify-pin`, { pin: pin('0000') })), { verified: true });
    assert.equal((await post(`/readers/${pad}/sign`, { ...digest, pin: pin('0000') })).status, 200);
    // Nor is a native dialog shown: the pad takes precedence (t1c-api.md §2.2).
    assert.deepEqual(data(await post(`/readers/${pad}/verify-pin`, { osDialog: true })), { verified: true });
    assert.deepEqual(shim.takeLog(), ['pad', 'pad', 'pad']);
  });

  it('a wrong PIN on the pad is 400 108003, a cancelled entry 400 108005; nothing stays locked or logged in: the next request works', async () => {
    shim.takeLog();
    for (const [typed, code, text] of [['0000', '108003', /Wrong PIN entered on the token's PIN pad/], ['cancel', '108005', /PIN entry on the token's PIN pad was cancelled/]] as const) {
      shim.type(typed);
      for (const answer of [await post(`/readers/${pad}/verify-pin`, {}), await post(`/readers/${pad}/sign`, digest), await post(`/readers/${pad}/authenticate`, digest)]) {
        assert.equal(answer.status, 400, answer.text);
        assert.equal(errorCode(answer), code, answer.text);
        assert.match(answer.text, text);
      }
      shim.type(HSM_PIN);
      assert.deepEqual(data(await post(`/readers/${pad}/verify-pin`, {})), { verified: true });
      const signed = data(await post(`/readers/${pad}/sign`, digest)) as { data: string };
      assert.ok(verify('sha256', MESSAGE, { key: (await certificate(pad, 'nonRepudiationCertificate')).publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.data, 'base64')));
    }
    assert.deepEqual(shim.takeLog(), ['pad', 'pad', 'pad', 'pad', 'pad', 'cancelled', 'cancelled', 'cancelled', 'pad', 'pad']);
  });

  it('while a PIN is typed on the pad, other pkcs11 calls get 409 701004 (the card service is not restarted); the entry then completes', async () => {
    shim.takeLog();
    shim.type('wait');
    const typing = post(`/readers/${pad}/verify-pin`, {});
    await shim.padWaiting();
    // The library runs one call at a time: the listing waits its 20 s, then says busy.
    const busy = await f.c.call('GET', `${PREFIX}/readers`);
    assert.equal(busy.status, 409, busy.text);
    assert.equal(errorCode(busy), '701004', busy.text);
    shim.type(HSM_PIN);
    assert.deepEqual(data(await typing), { verified: true });
    assert.deepEqual(shim.takeLog(), ['waiting', 'pad']);
    assert.ok((await get('/readers') as Reader[]).some((r) => r.id === pad));
  });

  it('bulk signing on a pinpad token keeps nothing: every signature is authorised on the pad again', async () => {
    shim.type(HSM_PIN);
    shim.takeLog();
    assert.equal((await post(`/readers/${pad}/sign?bulk=true`, digest)).status, 200);
    assert.equal((await post(`/readers/${pad}/sign?bulk=true`, { ...digest, pin: pin(HSM_PIN) })).status, 200);
    // Had a PIN been kept, this signature would not reach the pad, and the cancel would not show.
    shim.type('cancel');
    const next = await post(`/readers/${pad}/sign?bulk=true`, digest);
    assert.equal(errorCode(next), '108005', next.text);
    assert.deepEqual(shim.takeLog(), ['pad', 'pad', 'cancelled']);
    shim.type(HSM_PIN);
    assert.equal((await post(`/readers/${pad}/sign?bulk=true`, digest)).status, 200);
    assert.equal(data(await f.c.call('GET', `${PREFIX}/reset-bulk-pin`)), true);
  });

  it('a token without the path and no PIN is still refused (400 108001) and sees no login; with the PIN it signs', async () => {
    shim.type(HSM_PIN);
    shim.takeLog();
    for (const answer of [await post(`/readers/${plain}/verify-pin`, {}), await post(`/readers/${plain}/sign`, digest), await post(`/readers/${plain}/authenticate`, digest)]) {
      assert.equal(answer.status, 400, answer.text);
      assert.equal(errorCode(answer), '108001', answer.text);
    }
    assert.deepEqual(shim.takeLog(), [], 'the token was never asked');
    const signed = data(await post(`/readers/${plain}/sign`, { ...digest, pin: pin(HSM_PIN) })) as { data: string };
    assert.ok(verify('sha256', MESSAGE, { key: (await certificate(plain, 'nonRepudiationCertificate')).publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.data, 'base64')));
    assert.deepEqual(shim.takeLog(), ['pin']);
  });

  it('an unknown slot with no PIN is an unknown reader (701001), not a PIN request', async () => {
    for (const answer of [await post('/readers/4242424/verify-pin', {}), await post('/readers/4242424/sign', digest)]) {
      assert.equal(answer.status, 400, answer.text);
      assert.equal(errorCode(answer), '701001', answer.text);
    }
    assert.doesNotMatch(f.logs.join(''), new RegExp(HSM_PIN));
  });
});
