import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { EmvVirtualCard } from '@t1c/emulator';
import { PIN, startFixture, type Fixture } from '../../connector/test/api-helpers/fixture.js';
import { waitForCard } from '../../connector/test/helpers/card-rig.js';

const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));

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
    f = await startFixture(undefined, { allowOrigins: [origin] });
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

  it('emv: applications, application data, certificates and the offline PIN of a payment card put in the second reader', async () => {
    const pcsc = new PcscBackend();
    try {
      // Out with the eID first, seen by PC/SC, so the listing cannot catch the old card.
      await f.rig.eject(1);
      await waitForCard(pcsc, f.rig.readerNames[1] ?? '', false);
      await f.rig.insert(1, await EmvVirtualCard.create({ pin: PIN }));
      await waitForCard(pcsc, f.rig.readerNames[1] ?? '', true);
    } finally {
      await pcsc.close();
    }
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const tab = await context.newPage();
    await tab.addInitScript('globalThis.__name = (fn) => fn;');
    await tab.goto(`${origin}/`);
    const jwt = await f.issuer.token({ origins: [origin] });
    const result = await tab.evaluate(driveEmv, { url: f.base, jwt, pin: PIN, readerName: f.rig.readerNames[1] ?? '' });
    await context.close();
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
