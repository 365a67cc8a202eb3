import assert from 'node:assert/strict';
import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PIN } from './api-helpers/fixture.js';
import { startConnectorInChromium, type ConnectorInChromium } from './api-helpers/connector-in-chromium.js';
import { startPageServer } from './api-helpers/page-server.js';

interface PageResult {
  readers: { id: string; name: string }[];
  perReader: Record<string, { bio: { nationalNumber: string; name: string }; address: { zipcode: string }; picture: string; certs: string[]; nonRep: string; auth: string; verified: boolean; signature: string; authSignature: string; tokenInfo: string }>;
  wrongPin: { code: string; description: string };
}

/** Runs in the page: only the official SDK's public API. */
async function driveSdk(args: { port: number; jwt: string; pin: string; digest: string }): Promise<PageResult> {
  type Res<T> = Promise<{ data: T }>;
  interface Beid {
    allData(filters: string[]): Res<{ address: { zipcode: string } }>;
    allCerts(filters: string[]): Res<Record<string, unknown>>;
    biometric(): Res<{ nationalNumber: string; name: string }>;
    picture(): Res<{ picture: string }>;
    nonRepudiationCertificate(): Res<{ certificate: string }>;
    authenticationCertificate(): Res<{ certificate: string }>;
    tokenData(): Res<{ info: { serialNumber: string } }>;
    verifyPin(body: { pin: string }): Res<{ verified: boolean }>;
    sign(body: { algorithm: string; data: string; pin: string }): Res<{ data: string }>;
    authenticate(body: { algorithm: string; data: string; pin: string }): Res<{ data: string }>;
  }
  interface Sdk {
    T1CConfigOptions: new (url: string, port: string, proxyUrl: undefined, proxyPort: undefined, jwt: string) => unknown;
    T1CConfig: new (options: unknown) => unknown;
    T1CClient: { initialize(cfg: unknown): Promise<{ core(): { readersCardAvailable(): Res<{ id: string; name: string }[]> }; beid(id: string): Beid }> };
  }
  const sdk = (globalThis as unknown as { T1CSdk: Sdk }).T1CSdk;
  const options = new sdk.T1CConfigOptions('https://127.0.0.1', String(args.port), undefined, undefined, args.jwt);
  const client = await sdk.T1CClient.initialize(new sdk.T1CConfig(options));
  const readers = (await client.core().readersCardAvailable()).data;
  const perReader: PageResult['perReader'] = {};
  for (const reader of readers) {
    const beid = client.beid(reader.id);
    const all = (await beid.allData([])).data;
    const certs = (await beid.allCerts([])).data;
    perReader[reader.id] = {
      bio: (await beid.biometric()).data,
      address: all.address,
      picture: (await beid.picture()).data.picture,
      certs: Object.keys(certs).filter((k) => certs[k]),
      nonRep: (await beid.nonRepudiationCertificate()).data.certificate,
      auth: (await beid.authenticationCertificate()).data.certificate,
      tokenInfo: (await beid.tokenData()).data.info.serialNumber,
      verified: (await beid.verifyPin({ pin: args.pin })).data.verified,
      signature: (await beid.sign({ algorithm: 'sha256', data: args.digest, pin: args.pin })).data.data,
      authSignature: (await beid.authenticate({ algorithm: 'sha256', data: args.digest, pin: args.pin })).data.data,
    };
  }
  let wrongPin = { code: '', description: '' };
  try {
    await client.beid(readers[0]?.id ?? '').verifyPin({ pin: '000000' });
  } catch (error) {
    wrongPin = { code: String((error as { code: string }).code), description: String((error as { description: string }).description) };
  }
  return { readers, perReader, wrongPin };
}

describe('official t1c-sdk-js 3.6.1 in Debian Chromium against the connector', () => {
  let rig: ConnectorInChromium;

  before(async () => {
    rig = await startConnectorInChromium(await startPageServer(), undefined);
  });
  after(async () => {
    await rig?.close();
  });

  it('initialises, lists readers, reads, verifies the PIN and signs; signatures verify with the card certificates', async () => {
    const message = randomBytes(64);
    const jwt = await rig.f.issuer.token({ origins: [rig.origin] });
    const result = await rig.inPage((tab) => tab.evaluate(driveSdk, { port: rig.f.api.port, jwt, pin: PIN, digest: createHash('sha256').update(message).digest('base64') }));

    assert.equal(result.readers.length, 2);
    for (const [index, card] of rig.f.rig.cards.entries()) {
      const reader = result.readers.find((r) => r.name === rig.f.rig.readerNames[index]);
      assert.ok(reader);
      const got = result.perReader[reader.id];
      assert.ok(got);
      assert.equal(got.bio.nationalNumber, card.holder.nationalNumber);
      assert.equal(got.bio.name, card.holder.surname);
      assert.equal(got.address.zipcode, card.holder.address.zipCode);
      assert.ok(got.picture.length > 100);
      assert.deepEqual(got.certs.sort(), ['authenticationCertificate', 'intermediateCertificates', 'nonRepudiationCertificate', 'rootCertificate']);
      assert.ok(got.tokenInfo.length > 0);
      assert.equal(got.verified, true);
      for (const [certificate, signature] of [[got.nonRep, got.signature], [got.auth, got.authSignature]] as const) {
        const key = new X509Certificate(Buffer.from(certificate, 'base64')).publicKey;
        const sig = Buffer.from(signature, 'base64');
        const ok = card.applet === '1.7' ? verify('sha256', message, key, sig) : verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, sig);
        assert.ok(ok, `applet ${card.applet} signature verifies`);
      }
    }
    assert.equal(result.wrongPin.code, '108003');
    assert.match(result.wrongPin.description, /tries left/);
  });

  it('the logs of the whole run hold no PIN, JWT, national number or name', () => {
    const text = rig.f.logs.join('');
    assert.ok(text.length > 1000, 'the run was logged');
    const secrets = [PIN, rig.f.jwt, rig.f.jwt.split('.')[2] ?? 'x'];
    for (const card of rig.f.rig.cards) secrets.push(card.holder.nationalNumber, card.holder.surname, card.holder.firstNames, card.holder.address.streetAndNumber);
    for (const secret of secrets) assert.ok(!text.includes(secret), `log contains ${secret.slice(0, 4)}…`);
  });
});
