import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PIN } from './api-helpers/fixture.js';
import { startConnectorInChromium, type ConnectorInChromium } from './api-helpers/connector-in-chromium.js';
import { startPageServer } from './api-helpers/page-server.js';

const IDENTITY_PATH = '3F00DF014031';

interface PageResult {
  sessionId: string;
  identity: string;
  atr: string;
  present: boolean;
  selectSw: string;
  apduRx: string;
  closed: string;
  batch: string[];
  features: string;
  implicitAtr: string;
  afterClose: { code: string; description: string };
  badHex: { code: string; description: string };
}

/** Runs in the page: only the official SDK's public `remoteloading` module. */
async function driveRemoteLoading(args: { port: number; jwt: string; readerName: string; path: string }): Promise<PageResult> {
  type Res<T> = Promise<{ data: T }>;
  interface Command { sw: string; tx: string; rx?: string }
  interface RemoteLoading {
    openSession(timeout?: number): Res<string>;
    closeSession(sessionId?: string): Res<string>;
    command(tx: string, sessionId?: string): Res<Command>;
    commands(tx: string[], sessionId?: string): Res<Command[]>;
    apdu(apdu: { cla: string; ins: string; p1: string; p2: string; data?: string; le?: string }, sessionId?: string): Res<Command>;
    apdus(apdus: { cla: string; ins: string; p1: string; p2: string; data?: string; le?: string }[], sessionId?: string): Res<Command[]>;
    ccidFeatures(sessionId?: string): Res<string>;
    atr(sessionId?: string): Res<string>;
    isPresent(sessionId?: string): Res<boolean>;
  }
  interface Sdk {
    T1CConfigOptions: new (url: string, port: string, proxyUrl: undefined, proxyPort: undefined, jwt: string) => unknown;
    T1CConfig: new (options: unknown) => unknown;
    T1CClient: { initialize(cfg: unknown): Promise<{ core(): { readersCardAvailable(): Res<{ id: string; name: string }[]> }; remoteloading(id: string): RemoteLoading }> };
  }
  const sdk = (globalThis as unknown as { T1CSdk: Sdk }).T1CSdk;
  const client = await sdk.T1CClient.initialize(new sdk.T1CConfig(new sdk.T1CConfigOptions('https://127.0.0.1', String(args.port), undefined, undefined, args.jwt)));
  const reader = (await client.core().readersCardAvailable()).data.find((r) => r.name === args.readerName);
  if (!reader) throw new Error('reader not listed');
  const relo = client.remoteloading(reader.id);
  const sessionId = (await relo.openSession(30)).data;
  const [select] = (await relo.commands([`00A4080C06${args.path}`], sessionId)).data;
  let identity = '';
  for (let offset = 0; ; ) {
    const read = (await relo.command(`00B0${offset.toString(16).padStart(4, '0')}00`, sessionId)).data;
    if (read.sw !== '9000') break;
    const rx = read.rx ?? '';
    identity += rx;
    offset += rx.length / 2;
    if (rx.length < 512) break;
  }
  const apduRx = (await relo.apdu({ cla: '00', ins: 'B0', p1: '00', p2: '00', le: '04' }, sessionId)).data.rx ?? '';
  const atr = (await relo.atr(sessionId)).data;
  const batch = (await relo.apdus([{ cla: '00', ins: 'A4', p1: '08', p2: '0C', data: args.path }, { cla: '00', ins: 'B0', p1: '00', p2: '04', le: '04' }], sessionId)).data.map((c) => `${c.sw}:${c.rx ?? ''}`);
  const features = (await relo.ccidFeatures(sessionId)).data;
  // No session: the call opens and closes a connection of its own.
  const implicitAtr = (await relo.atr()).data;
  const present = (await relo.isPresent(sessionId)).data;
  // No helper functions in the page: the test transpiler's name helpers do not exist there.
  let badHex = { code: 'none', description: 'no error' };
  try {
    await relo.command('00B0ZZ', sessionId);
  } catch (error) {
    badHex = { code: String((error as { code: string }).code), description: String((error as { description: string }).description) };
  }
  const closed = (await relo.closeSession(sessionId)).data;
  let afterClose = { code: 'none', description: 'no error' };
  try {
    await relo.command('00B0000000', sessionId);
  } catch (error) {
    afterClose = { code: String((error as { code: string }).code), description: String((error as { description: string }).description) };
  }
  return { sessionId, identity, atr, present, selectSw: select?.sw ?? '', apduRx, closed, afterClose, badHex, batch, features, implicitAtr };
}

describe('official t1c-sdk-js 3.6.1 remoteloading in Debian Chromium against the connector', () => {
  let rig: ConnectorInChromium;

  before(async () => {
    rig = await startConnectorInChromium(await startPageServer(), [{ appletVersion: '1.8', pin: PIN }]);
  });
  after(async () => {
    await rig?.close();
  });

  it('opens a session, SELECTs and READs BINARY the identity file, compares it with the virtual card\'s, closes', async () => {
    const jwt = await rig.f.issuer.token({ origins: [rig.origin] });
    const result = await rig.inPage((tab) => tab.evaluate(driveRemoteLoading, { port: rig.f.api.port, jwt, readerName: rig.f.rig.readerNames[0] ?? '', path: IDENTITY_PATH }));

    const card = rig.f.rig.cards[0];
    assert.ok(card);
    const expected = Buffer.from(card.file(IDENTITY_PATH));
    assert.equal(result.selectSw, '9000');
    assert.deepEqual(Buffer.from(result.identity, 'hex'), expected);
    assert.equal(result.apduRx, expected.subarray(0, 4).toString('hex').toUpperCase());
    assert.equal(result.atr, Buffer.from(card.atr).toString('hex').toUpperCase());
    assert.equal(result.present, true);
    assert.deepEqual(result.batch, ['9000:', `9000:${expected.subarray(4, 8).toString('hex').toUpperCase()}`]);
    assert.equal(result.features, '');
    assert.equal(result.implicitAtr, result.atr);
    assert.equal(result.closed, result.sessionId);
    assert.deepEqual(result.badHex.code, '106008');
    assert.deepEqual(result.afterClose, { code: '107002', description: 'The remote loading session was closed or timed out' });
  });
});
