import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recoverCertificate } from '@t1c/smartcard/emv';
import { EmvVirtualCard, NO_DIRECTORY_APPLICATIONS } from '@t1c/emulator';
import { PIN } from './api-helpers/fixture.js';
import { startConnectorInChromium, type ConnectorInChromium } from './api-helpers/connector-in-chromium.js';
import { startPageServer } from './api-helpers/page-server.js';

interface Cert { certificate: string; exponent: string; remainder: string }
interface PageResult {
  reader: { id: string; modules: string[] } | undefined;
  applications: { aid: string; name: string; priority: number }[];
  applicationData: Record<string, string>;
  issuer: Cert;
  icc: Cert;
  allCerts: string[];
  verified: boolean;
  wrongPin: { code: string; description: string };
}

/** Runs in the page: only the official SDK's public API (its `emv` module). */
async function driveSdk(args: { port: number; jwt: string; pin: string; readerName: string }): Promise<PageResult> {
  type Res<T> = Promise<{ data: T }>;
  interface Emv {
    readData(): Res<{ applications: { aid: string; name: string; priority: number }[] }>;
    readApplicationData(): Res<Record<string, string>>;
    issuerPublicCertificate(aid: string): Res<Cert>;
    iccPublicCertificate(aid: string): Res<Cert>;
    allCerts(aid: string, filters: string[]): Res<Record<string, unknown>>;
    verifyPin(body: { pin: string }): Res<{ verified: boolean }>;
  }
  interface Sdk {
    T1CConfigOptions: new (url: string, port: string, proxyUrl: undefined, proxyPort: undefined, jwt: string) => unknown;
    T1CConfig: new (options: unknown) => unknown;
    T1CClient: { initialize(cfg: unknown): Promise<{ core(): { readersCardAvailable(): Res<{ id: string; name: string; card?: { modules: string[] } }[]> }; emv(id: string): Emv }> };
  }
  const sdk = (globalThis as unknown as { T1CSdk: Sdk }).T1CSdk;
  const options = new sdk.T1CConfigOptions('https://127.0.0.1', String(args.port), undefined, undefined, args.jwt);
  const client = await sdk.T1CClient.initialize(new sdk.T1CConfig(options));
  const readers = (await client.core().readersCardAvailable()).data;
  const found = readers.find((r) => r.name === args.readerName);
  const emv = client.emv(found?.id ?? '');
  const applications = (await emv.readData()).data.applications;
  const aid = applications[0]?.aid ?? '';
  const all = (await emv.allCerts(aid, [])).data;
  const result: PageResult = {
    reader: found ? { id: found.id, modules: found.card?.modules ?? [] } : undefined,
    applications,
    applicationData: (await emv.readApplicationData()).data,
    issuer: (await emv.issuerPublicCertificate(aid)).data,
    icc: (await emv.iccPublicCertificate(aid)).data,
    allCerts: Object.keys(all).filter((k) => all[k]),
    verified: (await emv.verifyPin({ pin: args.pin })).data.verified,
    wrongPin: { code: '', description: '' },
  };
  try {
    await emv.verifyPin({ pin: '000000' });
  } catch (error) {
    result.wrongPin = { code: String((error as { code: string }).code), description: String((error as { description: string }).description) };
  }
  return result;
}

describe('official t1c-sdk-js 3.6.1 emv module in Debian Chromium against the connector', () => {
  let rig: ConnectorInChromium;
  let card: EmvVirtualCard;

  before(async () => {
    rig = await startConnectorInChromium(await startPageServer(), [{ appletVersion: '1.8', pin: PIN }]);
    card = await EmvVirtualCard.create({ pin: PIN });
    await rig.f.rig.swap(1, card);
  });
  after(async () => {
    await rig?.close();
  });

  it('lists the payment card as emv, reads applications, application data and certificates, verifies the PIN', async () => {
    const jwt = await rig.f.issuer.token({ origins: [rig.origin] });
    const result = await rig.inPage((tab) => tab.evaluate(driveSdk, { port: rig.f.api.port, jwt, pin: PIN, readerName: rig.f.rig.readerNames[1] ?? '' }));

    assert.deepEqual(result.reader?.modules, ['emv']);
    assert.deepEqual(result.applications, [{ aid: 'A0000000043060', name: 'MAESTRO', priority: 1 }, { aid: 'A0000000031010', name: 'VISA CREDIT', priority: 2 }]);
    assert.equal(result.applicationData.pan, '6703000000000000003');
    assert.equal(result.applicationData.expirationDate, '291130');
    assert.equal(result.applicationData.name, 'SPECIMEN/ALICE');
    assert.equal(result.applicationData.country, 'BE');
    const [ca] = card.certificationAuthorities();
    assert.ok(ca);
    const b = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'base64'));
    const issuer = recoverCertificate({ certificate: b(result.issuer.certificate), exponent: b(result.issuer.exponent), remainder: b(result.issuer.remainder) }, ca, 0x02);
    assert.ok(issuer.status === 'recovered' && issuer.key.hashValid, 'the issuer certificate the page got recovers with the test CA');
    assert.equal(b(result.icc.certificate).length, 128);
    assert.deepEqual(result.allCerts.sort(), ['ICCPublicCertificate', 'issuerPublicCertificate']);
    assert.equal(result.verified, true);
    assert.equal(result.wrongPin.code, '108003');
    assert.match(result.wrongPin.description, /2 tries left/);
  });

  it('a card with neither PSE nor PPSE (applications from the terminal AIDs, one by next occurrence) works the same through the SDK', async () => {
    const bare = await EmvVirtualCard.create({ pse: false, ppse: false, applications: NO_DIRECTORY_APPLICATIONS, pin: PIN });
    await rig.f.rig.swap(1, bare);
    const jwt = await rig.f.issuer.token({ origins: [rig.origin] });
    const result = await rig.inPage((tab) => tab.evaluate(driveSdk, { port: rig.f.api.port, jwt, pin: PIN, readerName: rig.f.rig.readerNames[1] ?? '' }));

    assert.deepEqual(result.reader?.modules, ['emv']);
    assert.deepEqual(result.applications, [{ aid: 'A000000003101001', name: 'VISA CREDIT', priority: 1 }, { aid: 'A0000000043060', name: 'MAESTRO', priority: 2 }]);
    assert.equal(result.applicationData.pan, '4000000000000028');
    assert.equal(result.applicationData.expirationDate, '310630');
    const [ca] = bare.certificationAuthorities();
    assert.ok(ca);
    const b = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'base64'));
    const issuer = recoverCertificate({ certificate: b(result.issuer.certificate), exponent: b(result.issuer.exponent), remainder: b(result.issuer.remainder) }, ca, 0x02);
    assert.ok(issuer.status === 'recovered' && issuer.key.hashValid);
    assert.equal(result.verified, true);
    assert.equal(result.wrongPin.code, '108003');
  });

  it('the logs of the whole run hold no PAN, name or PIN', () => {
    const text = rig.f.logs.join('');
    assert.ok(text.length > 1000, 'the run was logged');
    for (const secret of ['6703000000000000003', '4000000000000028', 'SPECIMEN/ALICE', 'SPECIMEN/BOB', PIN]) assert.ok(!text.includes(secret), `log contains ${secret.slice(0, 4)}…`);
  });
});
