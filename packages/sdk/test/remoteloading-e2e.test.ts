import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PIN } from '../../connector/test/api-helpers/fixture.js';
import { startBundleInChromium, type BundleInChromium } from './bundle-in-chromium.js';
const IDENTITY_PATH = '3F00DF014031';

interface PageResult {
  identity: string;
  atr: string;
  present: boolean;
  features: string;
  closed: boolean;
  foreign: { kind: string; code: string } | undefined;
  tooLong: { kind: string; code: string } | undefined;
}

/** Runs in the page through our bundle: the typed remoteloading calls against the real connector. */
async function drive(args: { url: string; jwt: string; otherJwt: string; readerName: string; path: string }): Promise<PageResult> {
  interface Result { sw: string; tx: string; rx?: string }
  interface RemoteLoading {
    openSession(timeoutSeconds?: number): Promise<string>;
    closeSession(sessionId: string): Promise<string>;
    command(command: string, sessionId?: string): Promise<Result>;
    apdus(apdus: { cla: string; ins: string; p1: string; p2: string; data?: string; le?: string }[], sessionId?: string): Promise<Result[]>;
    atr(sessionId?: string): Promise<string>;
    cardPresent(sessionId?: string): Promise<boolean>;
    ccidFeatures(sessionId?: string): Promise<string>;
  }
  interface Client { readersWithCard(): Promise<{ id: string; name: string }[]>; remoteloading(id: string): RemoteLoading }
  interface Sdk { connect(o: object): Promise<Client> }
  const sdk = await import('/t1c-sdk.min.js' as string) as Sdk;
  const client = await sdk.connect({ candidates: [args.url], getJwt: async () => args.jwt, verifySignatures: 'required' });
  const reader = (await client.readersWithCard()).find((r) => r.name === args.readerName);
  const relo = client.remoteloading(reader?.id ?? '');
  const sessionId = await relo.openSession(30);
  let identity = '';
  const [, first] = await relo.apdus([{ cla: '00', ins: 'A4', p1: '08', p2: '0C', data: args.path }, { cla: '00', ins: 'B0', p1: '00', p2: '00', le: '00' }], sessionId);
  identity += first?.rx ?? '';
  for (let offset = identity.length / 2; identity.length % 512 === 0; offset = identity.length / 2) {
    const read = await relo.command(`00B0${offset.toString(16).padStart(4, '0')}00`, sessionId);
    if (read.sw !== '9000') break;
    identity += read.rx ?? '';
  }
  const atr = await relo.atr(sessionId);
  const present = await relo.cardPresent(sessionId);
  const features = await relo.ccidFeatures(sessionId);
  const intruder = await sdk.connect({ candidates: [args.url], getJwt: async () => args.otherJwt, verifySignatures: 'required' });
  const foreign = await intruder.remoteloading(reader?.id ?? '').command('00B0000000', sessionId).then(() => undefined,
    (e: { kind: string; code: string }) => ({ kind: e.kind, code: e.code }));
  const tooLong = await relo.command(`00D60000FF${'00'.repeat(300)}`, sessionId).then(() => undefined,
    (e: { kind: string; code: string }) => ({ kind: e.kind, code: e.code }));
  const closed = (await relo.closeSession(sessionId)) === sessionId;
  return { identity, atr, present, features, closed, foreign, tooLong };
}

describe('our bundle\'s remoteloading calls in Chromium against the real connector', () => {
  let rig: BundleInChromium;

  before(async () => {
    rig = await startBundleInChromium([{ appletVersion: '1.7', pin: PIN }]);
  });

  after(async () => {
    await rig?.close();
  });

  it('session, SELECT + READ BINARY of the identity file (the virtual card\'s bytes), atr, presence, another application refused, close', async () => {
    const jwt = await rig.f.issuer.token({ origins: [rig.origin] });
    const otherJwt = await rig.f.issuer.token({ origins: [rig.origin] }, { subject: 'another-application' });
    const result = await rig.inPage((tab) => tab.evaluate(drive, { url: rig.f.base, jwt, otherJwt, readerName: rig.f.rig.readerNames[0] ?? '', path: IDENTITY_PATH }));
    const card = rig.f.rig.cards[0];
    assert.ok(card);
    assert.deepEqual(Buffer.from(result.identity, 'hex'), Buffer.from(card.file(IDENTITY_PATH)));
    assert.equal(result.atr, Buffer.from(card.atr).toString('hex').toUpperCase());
    assert.equal(result.present, true);
    assert.equal(result.features, '');
    assert.deepEqual(result.foreign, { kind: 'unauthorized', code: '104035' });
    assert.deepEqual(result.tooLong, { kind: 'invalid-input', code: '106009' });
    assert.equal(result.closed, true);
  });
});
