import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toHex } from '@t1c/smartcard/codec';
import { recoverCertificate } from '@t1c/smartcard/emv';
import { EmvVirtualCard } from '@t1c/emulator';
import { encryptPin, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { errorCode, verifiedData, type Answer } from './api-helpers/http.js';

const MAESTRO = 'A0000000043060';
const VISA = 'A0000000031010';
const emvPath = (rid: string, op: string, aid?: string): string => `/v3/modules/emv/apps/payment${aid ? `/${aid}` : ''}/readers/${rid}/${op}`;

interface WireCertificate { certificate: string; exponent: string; remainder: string }
const bytes = (b64: string): Uint8Array => Uint8Array.from(Buffer.from(b64, 'base64'));

describe('emv over HTTP: a virtual payment card in pcscd beside a virtual eID, through the sandbox', () => {
  let f: Fixture;
  let card: EmvVirtualCard;
  let beidRid: string;
  let emvRid: string;

  before(async () => {
    f = await startFixture([{ appletVersion: '1.8', pin: PIN }]);
    card = await EmvVirtualCard.create({ pin: PIN });
    await f.rig.swap(1, card);
    beidRid = await f.readerId(0);
    emvRid = await f.readerId(1);
  });
  after(async () => {
    await f?.close();
  });

  const get = async (path: string): Promise<unknown> => verifiedData(await f.c.call('GET', path), f.api.deviceKeyPem);
  const verify = (rid: string, pin: string): Promise<Answer> => f.c.call('POST', emvPath(rid, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, pin) } });

  it('/v3/readers names the module of each card: emv for the payment card (found by selecting the PPSE), beid by ATR', async () => {
    const readers = await get('/v3/readers') as { id: string; card?: { atr: string; module: string[]; modules: string[]; description: string[] } }[];
    const emv = readers.find((r) => r.id === emvRid);
    assert.deepEqual(emv?.card, { atr: toHex(card.atr), description: ['EMV payment card'], module: ['emv'], modules: ['emv'] });
    assert.deepEqual(readers.find((r) => r.id === beidRid)?.card?.modules, ['beid']);
  });

  it('/atrs names emv for the payment card\'s ATR once it was seen, after the ATR table\'s own rows', async () => {
    const atrs = await get('/atrs') as { atr: string; module: string; moduleDescription: string }[];
    const row = atrs.find((a) => a.atr === toHex(card.atr));
    assert.equal(row?.module, 'emv');
    assert.match(row?.moduleDescription ?? '', /EMV payment card/);
    assert.ok(atrs.some((a) => a.module === 'beid'));
  });

  it('data lists the applications with label as name and priority; application-data reads the preferred one', async () => {
    assert.deepEqual(await get(emvPath(emvRid, 'data')), { applications: [{ aid: MAESTRO, name: 'MAESTRO', priority: 1 }, { aid: VISA, name: 'VISA CREDIT', priority: 2 }] });
    assert.deepEqual(await get(emvPath(emvRid, 'application-data')), {
      country: 'BE', countryCode: '0056', effectiveDate: '241201', expirationDate: '291130', language: 'nlfr', name: 'SPECIMEN/ALICE', pan: '6703000000000000003',
    });
  });

  it('issuer-cert, icc-cert and cert-list give the raw certificates, exponents and remainders; they recover with the test CA', async () => {
    const issuer = (await get(emvPath(emvRid, 'issuer-cert', MAESTRO)) as { certificates: WireCertificate[] }).certificates[0];
    const icc = (await get(emvPath(emvRid, 'icc-cert', MAESTRO.toLowerCase())) as { certificates: WireCertificate[] }).certificates[0];
    assert.ok(issuer && icc);
    const [ca] = card.certificationAuthorities();
    assert.ok(ca);
    const recoveredIssuer = recoverCertificate({ certificate: bytes(issuer.certificate), exponent: bytes(issuer.exponent), remainder: bytes(issuer.remainder) }, ca, 0x02);
    assert.ok(recoveredIssuer.status === 'recovered' && recoveredIssuer.key.hashValid);
    assert.equal(bytes(icc.certificate).length, 128);
    assert.equal(bytes(icc.remainder).length, 10);
    const list = await get(emvPath(emvRid, 'cert-list', VISA)) as Record<string, { certificates: WireCertificate[] }>;
    assert.deepEqual(Object.keys(list).sort(), ['ICCPublicCertificate', 'issuerPublicCertificate']);
    const filtered = await get(`${emvPath(emvRid, 'cert-list', VISA)}?filter=ICCPublicCertificate`) as Record<string, unknown>;
    assert.deepEqual(Object.keys(filtered), ['ICCPublicCertificate']);
  });

  it('verify-pin: the right PIN verifies; a wrong one says how many tries are left; the right one restores them', async () => {
    assert.deepEqual(verifiedData(await verify(emvRid, PIN), f.api.deviceKeyPem), { verified: true });
    const wrong = await verify(emvRid, '000000');
    assert.equal(wrong.status, 400);
    assert.equal(errorCode(wrong), '108003');
    assert.match((wrong.json as { description: string }).description, /2 tries left/);
    assert.deepEqual(verifiedData(await verify(emvRid, PIN), f.api.deviceKeyPem), { verified: true });
    assert.equal(card.pinTriesLeft, 3);
  });

  const bad: readonly (readonly [string, () => string, number, string])[] = [
    ['an AID the card does not list', () => emvPath(emvRid, 'issuer-cert', 'A0000000999999'), 400, '106001'],
    ['an AID that is not hex', () => emvPath(emvRid, 'icc-cert', 'XYZXYZXYZX'), 400, '106001'],
    ['an AID too short', () => emvPath(emvRid, 'cert-list', 'A000'), 400, '106001'],
    ['an emv route on the eID', () => emvPath(beidRid, 'data'), 400, '602001'],
    ['a beid route on the payment card', () => `/v3/modules/beid/apps/token/readers/${emvRid}/biometric`, 400, '602001'],
    ['an unknown reader', () => emvPath('0123456789abcdef', 'application-data'), 400, '701001'],
  ];
  for (const [name, path, status, code] of bad) {
    it(`refuses ${name} with ${code}, and the card stays usable`, async () => {
      const answer = await f.c.call('GET', path());
      assert.equal(answer.status, status, answer.text);
      assert.equal(errorCode(answer), code);
      assert.equal((await get(emvPath(emvRid, 'data')) as { applications: unknown[] }).applications.length, 2);
    });
  }

  it('a PIN that is not encrypted, or missing, is refused before the card sees it', async () => {
    card.clearExchanges();
    const plain = await f.c.call('POST', emvPath(emvRid, 'verify-pin'), { body: { pin: PIN } });
    assert.equal(errorCode(plain), '104011');
    const none = await f.c.call('POST', emvPath(emvRid, 'verify-pin'), { body: {} });
    assert.equal(errorCode(none), '108001');
    assert.ok(!card.exchanges.some((e) => e.ins === 0x20));
    assert.equal(card.pinTriesLeft, 3);
  });

  it('three wrong PINs block it; then the right PIN gets 108004 and never reaches the card', async () => {
    assert.equal(errorCode(await verify(emvRid, '000000')), '108003');
    assert.equal(errorCode(await verify(emvRid, '000000')), '108003');
    const third = await verify(emvRid, '000000');
    assert.equal(third.status, 423);
    assert.equal(errorCode(third), '108004');
    card.clearExchanges();
    assert.equal(errorCode(await verify(emvRid, PIN)), '108004');
    assert.ok(!card.exchanges.some((e) => e.ins === 0x20));
  });

  it('the logs of the whole run hold no PAN, cardholder name or PIN', () => {
    const text = f.logs.join('');
    assert.ok(text.length > 1000, 'the run was logged');
    for (const secret of ['6703000000000000003', '4000000000000002', 'SPECIMEN/ALICE', PIN]) {
      assert.ok(!text.includes(secret), `log contains ${secret.slice(0, 4)}…`);
    }
  });
});
