import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { createSoftHsmToken, type SoftHsmToken } from '@t1c/emulator/softhsm';
import { PIN } from '../../connector/test/api-helpers/fixture.js';
import { startBundleInChromium, type BundleInChromium } from './bundle-in-chromium.js';

interface PageResult {
  readers: string[];
  name: string;
  verified: boolean;
  signature: string;
  wrong: { kind: string; code: string; triesLeft: number | undefined } | undefined;
}

/** Runs in the page against the real connector (pcscd + vpcd virtual eIDs), through our bundle. */
async function drive(args: { url: string; jwt: string; pin: string }): Promise<PageResult> {
  interface Beid {
    biometric(): Promise<{ name: string }>;
    verifyPin(o: { pin: string }): Promise<boolean>;
    sign(o: { algorithm: string; digest: Uint8Array; pin: string }): Promise<{ data: string }>;
  }
  interface Sdk { connect(o: object): Promise<{ readersWithCard(): Promise<{ id: string }[]>; beid(id: string): Beid }> }
  const sdk = await import('/t1c-sdk.min.js' as string) as Sdk;
  const client = await sdk.connect({ candidates: [args.url], getJwt: async () => args.jwt, verifySignatures: 'required' });
  const readers = await client.readersWithCard();
  const card = client.beid(readers[0]?.id ?? '');
  const name = (await card.biometric()).name;
  const verified = await card.verifyPin({ pin: args.pin });
  const signature = (await card.sign({ algorithm: 'sha256', digest: new Uint8Array(32).fill(1), pin: args.pin })).data;
  const wrong = await card.verifyPin({ pin: '0000' }).then(() => undefined,
    (e: { kind: string; code: string; triesLeft?: number }) => ({ kind: e.kind, code: e.code, triesLeft: e.triesLeft }));
  return { readers: readers.map((r) => r.id), name, verified, signature, wrong };
}

interface Pkcs11PageResult {
  label: string | undefined;
  certificate: string;
  signature: string;
  wrong: { kind: string; code: string } | undefined;
}

/** In the page: our bundle's pkcs11 calls against a SoftHSM2 token the connector loads. */
async function drivePkcs11(args: { url: string; jwt: string; library: string; pin: string; digest: number[] }): Promise<Pkcs11PageResult> {
  interface Token {
    tokenInfo(): Promise<{ info: { label: string } }>;
    nonRepudiationCertificate(): Promise<{ certificates: { certificate: string }[] }>;
    sign(o: { algorithm: string; digest: Uint8Array; pin: string }): Promise<{ data: string }>;
    verifyPin(o: { pin: string }): Promise<boolean>;
  }
  interface Pkcs11 { setConfig(c: object): Promise<unknown>; slots(o: object): Promise<{ id: string }[]>; token(id: string): Token }
  interface Sdk { connect(o: object): Promise<{ pkcs11(): Pkcs11 }> }
  const sdk = await import('/t1c-sdk.min.js' as string) as Sdk;
  const client = await sdk.connect({ candidates: [args.url], getJwt: async () => args.jwt, verifySignatures: 'required' });
  const pkcs11 = client.pkcs11();
  await pkcs11.setConfig({ linux: args.library });
  const [slot] = await pkcs11.slots({ tokenPresent: true });
  const token = pkcs11.token(slot?.id ?? '');
  const label = (await token.tokenInfo()).info.label;
  const certificate = (await token.nonRepudiationCertificate()).certificates[0]?.certificate ?? '';
  const signature = (await token.sign({ algorithm: 'sha256', digest: new Uint8Array(args.digest), pin: args.pin })).data;
  const wrong = await token.verifyPin({ pin: '0000' }).then(() => undefined, (e: { kind: string; code: string }) => ({ kind: e.kind, code: e.code }));
  return { label, certificate, signature, wrong };
}

describe('our bundle in Chromium against the real connector', () => {
  let rig: BundleInChromium;
  let token: SoftHsmToken;

  before(async () => {
    token = await createSoftHsmToken({ label: 'browser-test', pin: '2468' });
    // The connector's sandbox inherits the environment: SoftHSM reads SOFTHSM2_CONF there.
    process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
    rig = await startBundleInChromium();
  });

  after(async () => {
    await rig?.close();
    token?.remove();
  });

  it('reads, verifies the OAEP-encrypted PIN, signs, and maps a wrong PIN with tries left', async () => {
    const jwt = await rig.f.issuer.token({ origins: [rig.origin] });
    const result = await rig.inPage((tab) => tab.evaluate(drive, { url: rig.f.base, jwt, pin: PIN }));
    assert.equal(result.readers.length, 2);
    assert.ok(result.name.length > 0);
    assert.equal(result.verified, true);
    assert.ok(result.signature.length > 80);
    assert.equal(result.wrong?.kind, 'pin-incorrect');
    assert.equal(result.wrong?.code, '108003');
    assert.equal(typeof result.wrong?.triesLeft, 'number');
  });

  it('drives a PKCS#11 token (SoftHSM2): config, slots, token info, certificate, an EC signature that verifies, a wrong PIN', async () => {
    const jwt = await rig.f.issuer.token({ origins: [rig.origin] });
    const message = Buffer.from('signed in Chromium');
    const digest = [...createHash('sha256').update(message).digest()];
    const result = await rig.inPage((tab) => tab.evaluate(drivePkcs11, { url: rig.f.base, jwt, library: token.library, pin: '2468', digest }));
    assert.equal(result.label, 'browser-test');
    const key = new X509Certificate(Buffer.from(result.certificate, 'base64')).publicKey;
    assert.ok(verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(result.signature, 'base64')));
    assert.deepEqual(result.wrong, { kind: 'pin-incorrect', code: '108003' });
  });
});
