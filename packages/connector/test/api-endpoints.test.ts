import assert from 'node:assert/strict';
import { constants, createHash, publicEncrypt, randomBytes, verify, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { beidPath, encryptPin, encryptPinOaep, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { errorCode, verifiedData } from './api-helpers/http.js';

type Data = Record<string, unknown>;

describe('local API over HTTPS (local CA) with JWT, pcscd + vpcd, eID 1.7 and 1.8', () => {
  let f: Fixture;
  const get = async (path: string): Promise<Data> => verifiedData(await f.c.call('GET', path), f.api.deviceKeyPem) as Data;
  const post = async (path: string, body: object, headers: Record<string, string> = {}): Promise<Data> =>
    verifiedData(await f.c.call('POST', path, { body, headers }), f.api.deviceKeyPem) as Data;

  before(async () => {
    f = await startFixture();
  });
  after(async () => {
    await f.close();
  });

  it('/info is the bare InfoResponse with every field, version ≥ 3.8.8, not a PROXY', async () => {
    const info = (await f.c.call('GET', '/info')).json as Record<string, Record<string, unknown>>;
    for (const [group, fields] of Object.entries({
      t1CInfoOS: ['architecture', 'os', 'version'], t1CInfoJava: ['runtime', 'spec', 'java'],
      t1CInfoRuntime: ['runtime', 'desktop', 'version', 'dateTime'],
      t1CInfoUser: ['timezone', 'country', 'language', 'home', 'tempDir', 'name', 'username', 'hostName', 'installedDir'],
      t1CInfoAPI: ['service', 'activated', 'status', 'environment', 'uid', 'modules', 'cors', 'version', 'logLevel', 'jwtEnabled', 'optionalConsent'],
    })) for (const field of fields) assert.ok(field in (info[group] ?? {}), `${group}.${field}`);
    const api = info.t1CInfoAPI as { version: string; service: Record<string, unknown>; jwtEnabled: boolean };
    assert.equal(api.version, '3.8.8');
    assert.notEqual(api.service.deviceType, 'PROXY');
    for (const k of ['url', 'apiPort', 'gRpcPort', 'deviceType', 'distributionServiceUrl', 'dsRegistryActivated']) assert.ok(k in api.service, k);
    assert.equal(api.jwtEnabled, true);
  });

  it('/device-key is an SPKI PEM of an RSA-2048 key, stored 0600', async () => {
    const pem = await get('/device-key') as unknown as string;
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----/);
    assert.equal(pem, f.api.deviceKeyPem);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(`${f.dataDir}/device-key.pem`).mode & 0o777, 0o600);
  });

  it('/v3/readers lists both readers with cardInserted and excluded filters; /v3/readers/{rid}; /atrs', async () => {
    const all = await get('/v3/readers') as unknown as { id: string; name: string; pinpad: boolean; card: { modules: string[]; module: string[]; atr: string } }[];
    assert.equal(all.length, 2);
    for (const r of all) {
      assert.deepEqual(r.card.modules, ['beid']);
      assert.deepEqual(r.card.module, ['beid']);
      assert.match(r.id, /^[0-9a-f]{16}$/);
    }
    assert.equal((await get('/v3/readers?cardInserted=true') as unknown as unknown[]).length, 2);
    assert.equal((await get('/v3/readers?cardInserted=false&excluded=hello') as unknown as unknown[]).length, 0);
    assert.equal((await get('/v3/readers?excluded=virtual') as unknown as unknown[]).length, 0);
    const first = all[0];
    assert.ok(first);
    assert.deepEqual(await get(`/v3/readers/${first.id}`), first);
    assert.equal(await f.readerId(0), await f.readerId(0), 'ids are stable');
    // The sandbox's ATR table, as it was when it was a literal in the API (wire-identical).
    assert.deepEqual(await get('/atrs'), [
      { atr: '3B9813400AA503010101AD1311', module: 'beid', moduleDescription: 'Belgian eID (applet 1.1-1.7, RSA)' },
      { atr: '3B7F96000080318065B085040120120FFF829000', module: 'beid', moduleDescription: 'Belgian eID (applet 1.8, EC P-384)' },
    ]);
  });

  for (const index of [0, 1]) {
    describe(`eID applet ${index === 0 ? '1.7 (RSA)' : '1.8 (EC P-384)'}`, () => {
      let rid: string;
      const card = () => {
        const c = f.rig.cards[index];
        assert.ok(c);
        return c;
      };
      before(async () => {
        rid = await f.readerId(index);
      });

      it('biometric, address, picture, token info, version and all-data equal the card', async () => {
        const h = card().holder;
        const bio = await get(beidPath(rid, 'biometric'));
        assert.equal(bio.nationalNumber, h.nationalNumber);
        assert.equal(bio.name, h.surname);
        assert.equal(bio.firstNames, h.firstNames);
        const address = await get(beidPath(rid, 'address'));
        assert.equal(address.zipcode, h.address.zipCode);
        const picture = await get(beidPath(rid, 'picture'));
        assert.equal(Buffer.from(String(picture.picture), 'base64').subarray(0, 2).toString('hex'), 'ffd8');
        const info = await get(beidPath(rid, 'info'));
        assert.equal(info.infoType, 'Token');
        assert.deepEqual(await get(beidPath(rid, 'version')), { version: card().applet });
        const all = await get(beidPath(rid, 'all-data')) as { integrity?: { valid: boolean } };
        assert.deepEqual(Object.keys(all).sort(), ['address', 'biometric', 'integrity', 'picture']);
        assert.equal(all.integrity?.valid, true);
        assert.equal((await get(beidPath(rid, 'integrity')) as { valid: boolean }).valid, true);
        assert.deepEqual(Object.keys(await get(beidPath(rid, 'all-data?filter=biometric,address'))).sort(), ['address', 'biometric']);
        assert.deepEqual(await get(beidPath(rid, 'supported-algorithms')), { ref: ['sha1', 'sha256', 'sha384', 'sha512'] });
      });

      it('certificates in the ≥ 3.6 shape, cert-list with filters, no encryption certificate', async () => {
        for (const op of ['root-cert', 'intermediate-certs', 'authentication-cert', 'nonrepudiation-cert']) {
          const { certificates } = await get(beidPath(rid, op)) as { certificates: { certificate: string }[] };
          assert.equal(certificates.length, 1, op);
          assert.doesNotThrow(() => new X509Certificate(Buffer.from(certificates[0]?.certificate ?? '', 'base64')));
        }
        assert.deepEqual(Object.keys(await get(beidPath(rid, 'cert-list'))).sort(),
          ['authenticationCertificate', 'intermediateCertificates', 'nonRepudiationCertificate', 'rootCertificate']);
        assert.deepEqual(Object.keys(await get(beidPath(rid, 'cert-list?filter=rootCertificate,nonRepudiationCertificate'))).sort(),
          ['nonRepudiationCertificate', 'rootCertificate']);
        const enc = await f.c.call('GET', beidPath(rid, 'encryption-cert'));
        assert.equal(enc.status, 400);
        assert.equal(errorCode(enc), '302001');
      });

      const certOf = async (op: string): Promise<X509Certificate> => {
        const { certificates } = await get(beidPath(rid, op)) as { certificates: { certificate: string }[] };
        return new X509Certificate(Buffer.from(certificates[0]?.certificate ?? '', 'base64'));
      };
      const checkSignature = (cert: X509Certificate, message: Buffer, signature: string): void => {
        const sig = Buffer.from(signature, 'base64');
        const ok = card().applet === '1.7'
          ? verify('sha256', message, cert.publicKey, sig)
          : verify('sha256', message, { key: cert.publicKey, dsaEncoding: 'ieee-p1363' }, sig);
        assert.ok(ok, 'signature verifies with the certificate');
      };

      it('verify-pin with an encrypted PIN (PKCS#1 v1.5 and OAEP), sign, authenticate and sign_raw verify', async () => {
        const key = f.api.deviceKeyPem;
        assert.deepEqual(await post(beidPath(rid, 'verify-pin'), { pin: encryptPin(key, PIN), base64Encoded: true }), { verified: true });
        assert.deepEqual(await post(beidPath(rid, 'verify-pin'), { pin: encryptPinOaep(key, PIN) }, { 'x-t1c-pin-encryption': 'RSA-OAEP-256' }), { verified: true });
        const message = randomBytes(100);
        const digest = createHash('sha256').update(message).digest('base64');
        const signed = await post(beidPath(rid, 'sign'), { algorithm: 'sha256', data: digest, pin: encryptPin(key, PIN), base64Encoded: true });
        checkSignature(await certOf('nonrepudiation-cert'), message, String(signed.data));
        const auth = await post(beidPath(rid, 'authenticate'), { algorithm: 'sha256', data: digest, pin: encryptPin(key, PIN) });
        checkSignature(await certOf('authentication-cert'), message, String(auth.data));
        const raw = await post(beidPath(rid, 'sign_raw'), { algorithm: 'sha256', data: message.toString('base64'), pin: encryptPin(key, PIN) });
        checkSignature(await certOf('nonrepudiation-cert'), message, String(raw.data));
      });

      it('a 255-byte ciphertext (jsencrypt does not left-pad) is accepted', async () => {
        let short: string | undefined;
        for (let i = 0; i < 5000 && !short; i++) {
          const ct = publicEncrypt({ key: f.api.deviceKeyPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(PIN));
          if (ct[0] === 0) short = ct.subarray(1).toString('base64');
        }
        assert.ok(short, 'found a ciphertext with a leading zero byte');
        assert.deepEqual(await post(beidPath(rid, 'verify-pin'), { pin: short }), { verified: true });
      });

      it('bulk signing reuses the PIN until reset-bulk-pin (GET and POST)', async () => {
        const digest = createHash('sha256').update('bulk').digest('base64');
        await post(`${beidPath(rid, 'sign')}?bulk=true`, { algorithm: 'sha256', data: digest, pin: encryptPin(f.api.deviceKeyPem, PIN) });
        await post(`${beidPath(rid, 'sign')}?bulk=true`, { algorithm: 'sha256', data: digest });
        assert.equal(await get('/v3/modules/beid/apps/token/reset-bulk-pin') as unknown, true);
        const again = await f.c.call('POST', `${beidPath(rid, 'sign')}?bulk=true`, { body: { algorithm: 'sha256', data: digest } });
        assert.equal(errorCode(again), '108001');
        assert.equal(await post('/v3/modules/beid/apps/token/reset-bulk-pin', {}) as unknown, true);
      });
    });
  }
});
