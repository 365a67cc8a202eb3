import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EmvVirtualCard, NO_DIRECTORY_APPLICATIONS, SPECIMEN_APPLICATIONS } from '@t1c/emulator';
import { encryptPin, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { verifiedData } from './api-helpers/http.js';

const VISA_CREDIT = 'A000000003101001';
const MAESTRO = 'A0000000043060';
const VISA = 'A0000000031010';
const SELECT = 0xa4;
const emvPath = (rid: string, op: string, aid?: string): string => `/v3/modules/emv/apps/payment${aid ? `/${aid}` : ''}/readers/${rid}/${op}`;

describe('emv over HTTP: the application list is read once per card insertion (pcscd, vpcd, the sandbox)', () => {
  let f: Fixture;
  let rid: string;
  let noDirectory: EmvVirtualCard;
  let withPpse: EmvVirtualCard;

  const get = async (path: string): Promise<unknown> => verifiedData(await f.c.call('GET', path), f.api.deviceKeyPem);
  const selects = (card: EmvVirtualCard): number => card.exchanges.filter((e) => e.ins === SELECT).length;

  before(async () => {
    f = await startFixture([{ appletVersion: '1.8', pin: PIN }]);
    noDirectory = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS, pin: PIN });
    withPpse = await EmvVirtualCard.create({ applications: SPECIMEN_APPLICATIONS, pin: PIN });
    await f.rig.swap(1, noDirectory);
    rid = await f.readerId(1);
  });
  after(async () => {
    await f?.close();
  });

  it('a card without PSE/PPSE: the first op selects the terminal AIDs; later ops on the insertion select only their application', async () => {
    noDirectory.clearExchanges();
    assert.deepEqual(await get(emvPath(rid, 'data')), { applications: [{ aid: VISA_CREDIT, name: 'VISA CREDIT', priority: 1 }, { aid: MAESTRO, name: 'MAESTRO', priority: 2 }] });
    assert.ok(selects(noDirectory) >= 8, `the list took ${selects(noDirectory)} SELECTs`);

    noDirectory.clearExchanges();
    assert.equal((await get(emvPath(rid, 'application-data')) as { pan: string }).pan, '4000000000000028');
    assert.equal(selects(noDirectory), 1, 'only the SELECT of the preferred application');

    noDirectory.clearExchanges();
    assert.equal((await get(emvPath(rid, 'issuer-cert', MAESTRO)) as { certificates: unknown[] }).certificates.length, 1);
    assert.equal(selects(noDirectory), 1, 'only the SELECT of the Maestro application');

    noDirectory.clearExchanges();
    assert.deepEqual(verifiedData(await f.c.call('POST', emvPath(rid, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, PIN) } }), f.api.deviceKeyPem), { verified: true });
    assert.equal(selects(noDirectory), 1);

    noDirectory.clearExchanges();
    assert.equal((await get(emvPath(rid, 'data')) as { applications: unknown[] }).applications.length, 2);
    assert.equal(noDirectory.exchanges.length, 0, 'data on the same insertion sends nothing');
  });

  it('a card with a PPSE swapped in the same reader is listed afresh, not served the other card\'s list', async () => {
    await f.rig.swap(1, withPpse);
    withPpse.clearExchanges();
    assert.deepEqual(await get(emvPath(rid, 'data')), { applications: [{ aid: MAESTRO, name: 'MAESTRO', priority: 1 }, { aid: VISA, name: 'VISA CREDIT', priority: 2 }] });
    assert.ok(selects(withPpse) >= 1, 'its PPSE was selected');
    withPpse.clearExchanges();
    assert.equal((await get(emvPath(rid, 'application-data')) as { pan: string }).pan, '6703000000000000003');
    assert.equal(selects(withPpse), 1);
    assert.equal(noDirectory.exchanges.length, 0);
  });

  it('the first card taken out and put back is listed again (a new insertion)', async () => {
    await f.rig.swap(1, noDirectory);
    noDirectory.clearExchanges();
    assert.equal((await get(emvPath(rid, 'application-data')) as { pan: string }).pan, '4000000000000028');
    assert.ok(selects(noDirectory) >= 8, `listed again: ${selects(noDirectory)} SELECTs`);
  });
});
