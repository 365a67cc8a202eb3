import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeBerTlv, fromHex, toHex } from '@t1c/smartcard/codec';
import { EmvVirtualCard, NO_DIRECTORY_APPLICATIONS, type EmvFaultHook } from '@t1c/emulator';
import { encryptPin, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { errorCode, verifiedData } from './api-helpers/http.js';

const VISA = 'A0000000031010';
const VISA_CREDIT = 'A000000003101001';
const MAESTRO = 'A0000000043060';
const emvPath = (rid: string, op: string, aid?: string): string => `/v3/modules/emv/apps/payment${aid ? `/${aid}` : ''}/readers/${rid}/${op}`;
const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => encodeBerTlv(tag, Buffer.concat(parts));
const withSw = (data: Uint8Array, sw: number): Uint8Array => Uint8Array.from([...data, sw >> 8, sw & 0xff]);
/** SELECT by name of the Visa AID (any P2). */
const selectsVisa = (apdu: Uint8Array): boolean => apdu[1] === 0xa4 && apdu[2] === 0x04 && toHex(apdu.subarray(5, 5 + (apdu[4] ?? 0))) === VISA;

describe('emv over HTTP: a payment card with neither PSE nor PPSE (Book 1 §12.3.3), through pcscd and the sandbox', () => {
  let f: Fixture;
  let card: EmvVirtualCard;
  let beidRid: string;
  let emvRid: string;

  before(async () => {
    f = await startFixture([{ appletVersion: '1.8', pin: PIN }]);
    card = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS, pin: PIN });
    await f.rig.swap(1, card);
    beidRid = await f.readerId(0);
    emvRid = await f.readerId(1);
  });
  after(async () => {
    await f?.close();
  });

  const get = async (path: string): Promise<unknown> => verifiedData(await f.c.call('GET', path), f.api.deviceKeyPem);

  it('/v3/readers names it emv although it has no PSE and no PPSE; /atrs lists its ATR under emv', async () => {
    const readers = await get('/v3/readers') as { id: string; card?: { atr: string; modules: string[] } }[];
    assert.deepEqual(readers.find((r) => r.id === emvRid)?.card?.modules, ['emv']);
    assert.deepEqual(readers.find((r) => r.id === beidRid)?.card?.modules, ['beid']);
    const atrs = await get('/atrs') as { atr: string; module: string }[];
    assert.equal(atrs.find((a) => a.atr === toHex(card.atr))?.module, 'emv');
  });

  it('data lists the applications found from the terminal AIDs by priority: the one behind a blocked ADF (next occurrence) first', async () => {
    assert.deepEqual(await get(emvPath(emvRid, 'data')), {
      applications: [{ aid: VISA_CREDIT, name: 'VISA CREDIT', priority: 1 }, { aid: MAESTRO, name: 'MAESTRO', priority: 2 }],
    });
  });

  it('application-data reads the preferred application, and another by its AID; certificates and verify-pin work on it', async () => {
    assert.deepEqual(await get(emvPath(emvRid, 'application-data')), {
      country: 'BE', countryCode: '0056', effectiveDate: '260101', expirationDate: '310630', language: 'fr', name: 'SPECIMEN/BOB', pan: '4000000000000028',
    });
    const issuer = (await get(emvPath(emvRid, 'issuer-cert', MAESTRO)) as { certificates: { certificate: string }[] }).certificates[0];
    assert.equal(Buffer.from(issuer?.certificate ?? '', 'base64').length, 144);
    const verified = await f.c.call('POST', emvPath(emvRid, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, PIN) } });
    assert.deepEqual(verifiedData(verified, f.api.deviceKeyPem), { verified: true });
  });

  it('the blocked application is not listed, so its AID is refused as unknown without reaching the card', async () => {
    card.clearExchanges();
    const answer = await f.c.call('GET', emvPath(emvRid, 'issuer-cert', 'A000000003101002'));
    assert.equal(errorCode(answer), '106001');
    assert.ok(!card.exchanges.some((e) => e.ins === 0xa8), 'no GET PROCESSING OPTIONS for it');
  });

  const faults: readonly (readonly [string, () => EmvFaultHook])[] = [
    ['answers SELECT of a terminal AID with garbage', () => (apdu) => (selectsVisa(apdu) ? withSw(fromHex('DEADBEEF00'), 0x9000) : undefined)],
    ['answers 9000 with an FCI without DF name', () => (apdu) => (selectsVisa(apdu) ? withSw(tlv(0x6f, tlv(0xa5, tlv(0x50, ascii('VISA')))), 0x9000) : undefined)],
    ['answers every next occurrence with a new DF name, endlessly', () => {
      let n = 0;
      return (apdu) => {
        if (!selectsVisa(apdu)) return undefined;
        n++;
        return withSw(tlv(0x6f, tlv(0x84, fromHex(`${VISA}${n.toString(16).padStart(4, '0')}`)), tlv(0xa5, tlv(0x50, ascii('LOOP')))), 0x9000);
      };
    }],
  ];
  for (const [name, hook] of faults) {
    it(`a card that ${name} is emv but its reads give 602003; the card is not left locked`, async () => {
      const faulty = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS, pin: PIN });
      faulty.faultHook = hook();
      await f.rig.swap(1, faulty);
      const readers = await get('/v3/readers') as { id: string; card?: { modules: string[] } }[];
      assert.deepEqual(readers.find((r) => r.id === emvRid)?.card?.modules, ['emv'], 'it answers a payment AID');
      for (const op of ['data', 'application-data']) {
        const answer = await f.c.call('GET', emvPath(emvRid, op));
        assert.equal(answer.status, 502, answer.text);
        assert.equal(errorCode(answer), '602003');
      }
      assert.ok(faulty.exchanges.filter((e) => e.ins === 0xa4).length <= 60, 'each read stopped at the cap');
      // The same insertion, once the card behaves: the reader was released after each failure.
      faulty.faultHook = undefined;
      assert.equal((await get(emvPath(emvRid, 'data')) as { applications: unknown[] }).applications.length, 2);
      assert.ok(Array.isArray(await get('/v3/readers')));
    });
  }

  it('a card that answers 6A81 to every SELECT (blocked) is not emv: emv routes refuse it with 602001', async () => {
    const blocked = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS });
    blocked.faultHook = (apdu) => (apdu[1] === 0xa4 ? Uint8Array.of(0x6a, 0x81) : undefined);
    await f.rig.swap(1, blocked);
    const readers = await get('/v3/readers') as { id: string; card?: { modules: string[] } }[];
    assert.deepEqual(readers.find((r) => r.id === emvRid)?.card?.modules ?? [], []);
    const answer = await f.c.call('GET', emvPath(emvRid, 'data'));
    assert.equal(errorCode(answer), '602001');
  });

  it('a card answering 6A81 to SELECT of the PSE only is emv (it answers its AIDs), but its reads end with 602002 (EMV Book 1 §12.3.2)', async () => {
    const blockedPse = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS });
    const pse = Buffer.from('1PAY.SYS.DDF01', 'latin1');
    blockedPse.faultHook = (apdu) => (apdu[1] === 0xa4 && Buffer.from(apdu.subarray(5, 5 + (apdu[4] ?? 0))).equals(pse) ? Uint8Array.of(0x6a, 0x81) : undefined);
    await f.rig.swap(1, blockedPse);
    const readers = await get('/v3/readers') as { id: string; card?: { modules: string[] } }[];
    assert.deepEqual(readers.find((r) => r.id === emvRid)?.card?.modules, ['emv']);
    blockedPse.clearExchanges();
    const answer = await f.c.call('GET', emvPath(emvRid, 'data'));
    assert.equal(answer.status, 502, answer.text);
    assert.equal(errorCode(answer), '602002');
    assert.equal(blockedPse.exchanges.filter((e) => e.ins === 0xa4).length, 2, 'PPSE and PSE only: no terminal AID after 6A81');
  });

  it('the logs of the whole run hold no PAN, cardholder name or PIN', () => {
    const text = f.logs.join('');
    assert.ok(text.length > 1000, 'the run was logged');
    for (const secret of ['4000000000000028', '6703000000000000011', 'SPECIMEN/BOB', PIN]) {
      assert.ok(!text.includes(secret), `log contains ${secret.slice(0, 4)}…`);
    }
  });
});
