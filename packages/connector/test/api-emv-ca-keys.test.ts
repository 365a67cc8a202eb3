import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { EmvVirtualCard, type EmvTestCertificationAuthority } from '@t1c/emulator';
import { startApi } from '../src/index.js';
import { PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { errorCode, verifiedData } from './api-helpers/http.js';
import { tempDir } from './api-helpers/rig.js';

const MAESTRO = 'A0000000043060';
const VISA = 'A0000000031010';
const emvPath = (rid: string, op: string, aid: string): string => `/v3/modules/emv/apps/payment/${aid}/readers/${rid}/${op}`;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

/** The emulator's test CA as an `emvCaKeys` entry, with the checksum a scheme would publish. */
function keyEntry(ca: EmvTestCertificationAuthority, expiry: string): Record<string, unknown> {
  const checksum = createHash('sha1').update(Buffer.from(ca.rid, 'hex')).update(Uint8Array.of(ca.index)).update(ca.modulus).update(ca.exponent).digest('hex').toUpperCase();
  return { scheme: 'test', rid: ca.rid, index: ca.index, bits: ca.modulus.length * 8, expiry, modulus: hex(ca.modulus), exponent: hex(ca.exponent), checksum };
}

interface WireCertificate { certificate: string; recovered?: { hashValid: boolean; owner: string; modulus: string } }

/** pcscd with an eID in reader 0 and the payment card in reader 1, the API configured with `extra`. */
async function withPaymentCard(card: EmvVirtualCard, emvCaKeys?: string): Promise<{ f: Fixture; rid: string }> {
  const f = await startFixture([{ appletVersion: '1.8', pin: PIN }], emvCaKeys ? { emvCaKeys } : {});
  await f.rig.swap(1, card);
  return { f, rid: await f.readerId(1) };
}

describe('emv over HTTP: CA public keys for certificate recovery (EMV Book 2 §5.3), through pcscd and the sandbox', () => {
  let card: EmvVirtualCard;
  let maestroCa: EmvTestCertificationAuthority;
  const dir = tempDir('t1c-emv-ca-');
  before(async () => {
    card = await EmvVirtualCard.create({ pin: PIN });
    const ca = card.certificationAuthorities().find((a) => a.rid === MAESTRO.slice(0, 10));
    assert.ok(ca);
    maestroCa = ca;
  });
  after(() => dir.remove());

  describe('the default table (the schemes\' production keys) does not trust the emulator\'s test CA', () => {
    let f: Fixture;
    let rid: string;
    before(async () => {
      ({ f, rid } = await withPaymentCard(card));
    });
    after(async () => {
      await f?.close();
    });

    it('issuer-cert answers the raw certificate as T1C does, with nothing recovered', async () => {
      const answer = verifiedData(await f.c.call('GET', emvPath(rid, 'issuer-cert', MAESTRO)), f.api.deviceKeyPem) as { certificates: WireCertificate[] };
      assert.equal(answer.certificates.length, 1);
      assert.equal(answer.certificates[0]?.recovered, undefined);
    });

    it('recover=true with an unknown RID/index answers 302003 naming the RID and index, and the card stays usable', async () => {
      const answer = await f.c.call('GET', `${emvPath(rid, 'issuer-cert', MAESTRO)}?recover=true`);
      assert.equal(answer.status, 400, answer.text);
      assert.equal(errorCode(answer), '302003');
      assert.match((answer.json as { description: string }).description, /A000000004, index 92 is not known/);
      const icc = await f.c.call('GET', `${emvPath(rid, 'cert-list', VISA)}?recover=true&filter=ICCPublicCertificate`);
      assert.equal(errorCode(icc), '302003');
      assert.equal((verifiedData(await f.c.call('GET', `/v3/modules/emv/apps/payment/readers/${rid}/data`), f.api.deviceKeyPem) as { applications: unknown[] }).applications.length, 2);
    });

    it('refuses recover=yes as a bad request', async () => {
      assert.equal(errorCode(await f.c.call('GET', `${emvPath(rid, 'issuer-cert', MAESTRO)}?recover=yes`)), '106001');
    });
  });

  describe('a configured table (emvCaKeys) with the test CA, in place of the production keys', () => {
    let f: Fixture;
    let rid: string;
    before(async () => {
      const file = `${dir.path}/test-ca.json`;
      // The same test key under Mastercard 92 (valid) and Visa 92 (expired), so one card shows both.
      writeFileSync(file, JSON.stringify({ keys: [keyEntry(maestroCa, '2099-12-31'), keyEntry({ ...maestroCa, rid: VISA.slice(0, 10) }, '2020-12-31')] }));
      ({ f, rid } = await withPaymentCard(card, file));
    });
    after(async () => {
      await f?.close();
    });

    it('recover=true gives the issuer and ICC public keys recovered, hashes valid', async () => {
      const issuer = (verifiedData(await f.c.call('GET', `${emvPath(rid, 'issuer-cert', MAESTRO)}?recover=true`), f.api.deviceKeyPem) as { certificates: WireCertificate[] }).certificates[0];
      assert.equal(issuer?.recovered?.hashValid, true);
      assert.equal(issuer?.recovered?.owner, '670300FF');
      const list = verifiedData(await f.c.call('GET', `${emvPath(rid, 'cert-list', MAESTRO)}?recover=true`), f.api.deviceKeyPem) as Record<string, { certificates: WireCertificate[] }>;
      assert.equal(list.ICCPublicCertificate?.certificates[0]?.recovered?.hashValid, true);
      assert.equal(Buffer.from(list.ICCPublicCertificate?.certificates[0]?.recovered?.modulus ?? '', 'base64').length, 96);
    });

    it('an expired CA key is not used: 302004 with its expiry date', async () => {
      const answer = await f.c.call('GET', `${emvPath(rid, 'icc-cert', VISA)}?recover=true`);
      assert.equal(answer.status, 400, answer.text);
      assert.equal(errorCode(answer), '302004');
      const issuer = await f.c.call('GET', `${emvPath(rid, 'issuer-cert', VISA)}?recover=true`);
      assert.match((issuer.json as { description: string }).description, /A000000003, index 92 expired on 2020-12-31/);
    });

    it('a card whose issuer certificate another CA signed under the same RID and index: 302005, never a recovered key', async () => {
      const foreign = await EmvVirtualCard.create({ pin: PIN, freshKeys: true });
      await f.rig.swap(1, foreign);
      for (const op of ['issuer-cert', 'icc-cert']) {
        const answer = await f.c.call('GET', `${emvPath(rid, op, MAESTRO)}?recover=true`);
        assert.equal(answer.status, 502, answer.text);
        assert.equal(errorCode(answer), '302005');
      }
      const raw = verifiedData(await f.c.call('GET', emvPath(rid, 'issuer-cert', MAESTRO)), f.api.deviceKeyPem) as { certificates: WireCertificate[] };
      assert.notEqual(raw.certificates[0]?.recovered?.hashValid, true);
    });
  });

  describe('a key file with a mistake stops the start with the file\'s problem', () => {
    const bad: readonly (readonly [string, () => unknown, RegExp])[] = [
      ['a modulus with a typo (checksum mismatch)', () => ({ keys: [{ ...keyEntry(maestroCa, '2099-12-31'), modulus: `${hex(maestroCa.modulus).slice(0, -1)}0` }] }), /checksum: does not match/],
      ['two keys under one RID and index', () => ({ keys: [keyEntry(maestroCa, '2099-12-31'), keyEntry(maestroCa, '2030-12-31')] }), /a second key under RID A000000004 and index 146/],
      ['an unknown field', () => ({ keys: [keyEntry(maestroCa, '2099-12-31')], withPaymentSchemeKeys: true }), /withPaymentSchemeKeys/],
      ['no keys', () => ({ keys: [] }), /keys/],
      ['not JSON', () => '{', /emvCaKeys .*JSON/],
    ];
    for (const [name, content, message] of bad) {
      it(`refuses ${name}`, async () => {
        const file = `${dir.path}/bad.json`;
        const body = content();
        writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
        await assert.rejects(startApi({
          port: 0, transport: 'http', jwt: false, pcsc: false, dataDir: `${dir.path}/data`, emvCaKeys: file,
          env: { ...process.env, XDG_CONFIG_HOME: `${dir.path}/config` },
        }), message);
      });
    }
  });
});
