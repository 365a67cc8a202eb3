import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EmvVirtualCard } from '@t1c/emulator';
import { PIN } from '../../connector/test/api-helpers/fixture.js';
import { startBundleInChromium, type BundleInChromium } from './bundle-in-chromium.js';

interface EmvPageResult {
  modules: string[];
  applications: { aid: string; name: string; priority?: number }[];
  pan: string;
  country: string | undefined;
  issuerCertificate: string;
  certListKeys: string[];
  verified: boolean;
  wrong: { kind: string; code: string; triesLeft: number | undefined } | undefined;
}

/** The emv calls of our bundle against the real connector, with the virtual payment card in pcscd. */
async function driveEmv(args: { url: string; jwt: string; pin: string; readerName: string }): Promise<EmvPageResult> {
  interface Emv {
    data(): Promise<{ applications: { aid: string; name: string; priority?: number }[] }>;
    applicationData(): Promise<{ pan: string; country?: string }>;
    issuerCertificate(aid: string): Promise<{ certificates: { certificate: string }[] }>;
    certificates(aid: string, filters?: string[]): Promise<Record<string, unknown>>;
    verifyPin(o: { pin: string }): Promise<boolean>;
  }
  interface Reader { id: string; name: string; card?: { modules: string[] } }
  interface Sdk { connect(o: object): Promise<{ readersWithCard(): Promise<Reader[]>; emv(id: string): Emv }> }
  const sdk = await import('/t1c-sdk.min.js' as string) as Sdk;
  const client = await sdk.connect({ candidates: [args.url], getJwt: async () => args.jwt, verifySignatures: 'required' });
  const reader = (await client.readersWithCard()).find((r) => r.name === args.readerName);
  const emv = client.emv(reader?.id ?? '');
  const { applications } = await emv.data();
  const aid = applications[0]?.aid ?? '';
  const data = await emv.applicationData();
  const issuer = await emv.issuerCertificate(aid);
  const list = await emv.certificates(aid, ['ICCPublicCertificate']);
  const verified = await emv.verifyPin({ pin: args.pin });
  const wrong = await emv.verifyPin({ pin: '0000' }).then(() => undefined,
    (e: { kind: string; code: string; triesLeft?: number }) => ({ kind: e.kind, code: e.code, triesLeft: e.triesLeft }));
  return {
    modules: reader?.card?.modules ?? [], applications, pan: data.pan, country: data.country,
    issuerCertificate: issuer.certificates[0]?.certificate ?? '', certListKeys: Object.keys(list), verified, wrong,
  };
}

describe('our bundle\'s emv calls in Chromium against the real connector', () => {
  let rig: BundleInChromium;

  before(async () => {
    rig = await startBundleInChromium();
  });

  after(async () => {
    await rig?.close();
  });

  it('emv: applications, application data, certificates and the offline PIN of a payment card put in the second reader', async () => {
    // Out with the eID first, seen by PC/SC, so the listing cannot catch the old card.
    await rig.f.rig.swap(1, await EmvVirtualCard.create({ pin: PIN }));
    const jwt = await rig.f.issuer.token({ origins: [rig.origin] });
    const result = await rig.inPage((tab) => tab.evaluate(driveEmv, { url: rig.f.base, jwt, pin: PIN, readerName: rig.f.rig.readerNames[1] ?? '' }));
    assert.deepEqual(result.modules, ['emv']);
    assert.deepEqual(result.applications.map((a) => [a.name, a.priority]), [['MAESTRO', 1], ['VISA CREDIT', 2]]);
    assert.equal(result.pan, '6703000000000000003');
    assert.equal(result.country, 'BE');
    assert.equal(Buffer.from(result.issuerCertificate, 'base64').length, 144);
    assert.deepEqual(result.certListKeys, ['ICCPublicCertificate']);
    assert.equal(result.verified, true);
    assert.deepEqual(result.wrong, { kind: 'pin-incorrect', code: '108003', triesLeft: 2 });
  });
});
