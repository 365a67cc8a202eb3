import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { PIN, startFixture, type Fixture } from '../../connector/test/api-helpers/fixture.js';

const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));
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
  let f: Fixture;
  let site: Server;
  let origin: string;
  let browser: Browser;

  before(async () => {
    assert.equal(spawnSync(process.execPath, [`${SDK_DIR}build.mjs`], { stdio: 'inherit' }).status, 0, 'build');
    const bundle = readFileSync(`${SDK_DIR}dist/t1c-sdk.min.js`);
    site = createServer((req, res) => {
      if (req.url === '/t1c-sdk.min.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sdk e2e</title>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    f = await startFixture([{ appletVersion: '1.7', pin: PIN }], { allowOrigins: [origin] });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    await f?.close();
    site?.closeAllConnections();
    await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  });

  it('session, SELECT + READ BINARY of the identity file (the virtual card\'s bytes), atr, presence, another application refused, close', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const tab = await context.newPage();
    // tsx compiles `drive` with esbuild's keepNames, whose __name helper the page lacks.
    await tab.addInitScript('globalThis.__name = (fn) => fn;');
    await tab.goto(`${origin}/`);
    const jwt = await f.issuer.token({ origins: [origin] });
    const otherJwt = await f.issuer.token({ origins: [origin] }, { subject: 'another-application' });
    const result = await tab.evaluate(drive, { url: f.base, jwt, otherJwt, readerName: f.rig.readerNames[0] ?? '', path: IDENTITY_PATH });
    await context.close();
    const card = f.rig.cards[0];
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
