import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { AdminClient, fetchApplicationToken } from '@t1c/ds';
import { attachToVpcd, BeidVirtualCard, SPECIMEN_HOLDER, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { runProduct, type RunningProduct } from '@t1c/connector';
import { startDemo, type RunningDemo } from '../src/index.js';
import { artifactPath, freePort, launchChromium } from './browser.js';
import { readWithOfficialSdk, startOfficialSdkPage } from './official-sdk-page.js';

const chip = (n: number): typeof SPECIMEN_HOLDER => ({ ...SPECIMEN_HOLDER, chipNumber: `${'CD'.repeat(15)}${n.toString(16).padStart(2, '0')}` });

describe('"Read my card" in Chromium against DS + connector + pcscd/vpcd + virtual card', () => {
  let pcscd: PcscdHarness;
  let link: VpcdLink;
  let card: BeidVirtualCard;
  let product: RunningProduct;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let official: Awaited<ReturnType<typeof startOfficialSdkPage>>;

  const state = (): Promise<string | undefined> => page.locator('#status').getAttribute('data-state').then((s) => s ?? undefined);
  // Locators, not page functions: the demo's CSP (rightly) forbids eval, which those need.
  const waitFor = (target: Page, selector: string, hasText?: string | RegExp): Promise<void> =>
    target.locator(selector, hasText === undefined ? {} : { hasText }).waitFor({ timeout: 30_000 });
  const waitForState = (wanted: string, target: Page = page): Promise<void> => waitFor(target, `#status[data-state="${wanted}"]`);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 't1c-demo-e2e-'));
    pcscd = await startPcscd({ readerPairs: 1 });
    card = await BeidVirtualCard.create({ appletVersion: '1.8', holder: chip(1) });
    link = await attachToVpcd(card, { port: pcscd.readers[0]?.port ?? 0 });
    official = await startOfficialSdkPage(await freePort());
    product = await runProduct({
      dataDir, dsPort: await freePort(), apiPort: await freePort(), demoPort: await freePort(), virtualCards: [], pcsc: true,
      extraOrigins: [official.origin],
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(product.demoUrl);
  });
  after(async () => {
    await browser.close();
    await product.close();
    await official.close();
    await link.close();
    await pcscd.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows identity, address and photo with every integrity check passed', async () => {
    await waitForState('ready');
    assert.match(await page.locator('#identity').innerText(), /Müller-Lüdenscheidt/);
    assert.match(await page.locator('#address').innerText(), new RegExp(SPECIMEN_HOLDER.address.municipality));
    assert.match((await page.locator('#photo').getAttribute('src')) ?? '', /^data:image\/jpeg;base64,\/9j\//);
    const checks = page.locator('#integrity li');
    assert.ok((await checks.count()) >= 4);
    assert.equal(await page.locator('#integrity li.bad').count(), 0);
    assert.match(await page.locator('#readers').innerText(), /Virtual PCD 00 00: Belgian eID/);
    await page.screenshot({ path: artifactPath('demo-read.png'), fullPage: true });
  });

  it('verifies the right PIN and reports a wrong one with the tries left', async () => {
    await page.fill('#pin', '1234');
    await page.click('#verify-pin');
    await waitFor(page, '#pin-result', 'PIN correct.');
    await page.fill('#pin', '9999');
    await page.click('#verify-pin');
    await waitFor(page, '#pin-result', /^Wrong PIN/);
    assert.equal(await page.locator('#pin-result').innerText(), 'Wrong PIN. 2 tries left.');
    await page.screenshot({ path: artifactPath('demo-wrong-pin.png'), fullPage: true });
    assert.equal(await page.locator('#pin').inputValue(), '', 'the PIN field is cleared');
  });

  it('signs the backend challenge; the backend verifies the signature and the chain', async () => {
    await page.fill('#pin', '1234');
    await page.click('#sign');
    await waitFor(page, '#sign-result[data-ok]');
    assert.equal(await page.locator('#sign-result').getAttribute('data-ok'), 'true', await page.locator('#sign-result').innerText());
    assert.match(await page.locator('#sign-result').innerText(), /verified your signature .*Signature.* and its certificate chain/);
    await page.screenshot({ path: artifactPath('demo-signed.png'), fullPage: true });
  });

  it('follows card removal and reinsertion live', async () => {
    await link.removeCard();
    await waitForState('no-card');
    assert.match(await page.locator('#readers').innerText(), /Virtual PCD 00 00: no card/);
    await page.screenshot({ path: artifactPath('demo-no-card.png'), fullPage: true });
    await link.insert(card);
    await waitForState('ready');
  });

  it('says so when the PIN is blocked', async () => {
    const blocked = await BeidVirtualCard.create({ appletVersion: '1.7', holder: chip(2), pinTriesLeft: 0 });
    await link.removeCard();
    await waitForState('no-card');
    await link.insert(blocked);
    await waitForState('ready');
    await page.fill('#pin', '1234');
    await page.click('#verify-pin');
    await waitForState('pin-blocked');
    assert.match(await page.locator('#status').innerText(), /blocked/);
    await page.screenshot({ path: artifactPath('demo-pin-blocked.png'), fullPage: true });
    assert.equal(await state(), 'pin-blocked');
  });

  it('refuses a page served from an origin that is not on the list', async () => {
    let other: RunningDemo | undefined;
    try {
      other = await startDemo({ dsUrl: product.dsUrl, apiKey: product.seed.apiKey, connectorUrl: product.connectorUrl, port: await freePort() });
      const stranger = await browser.newPage();
      await stranger.goto(other.url);
      await waitForState('not-authorised', stranger);
      await stranger.screenshot({ path: artifactPath('demo-origin-refused.png'), fullPage: true });
      await stranger.close();
    } finally {
      await other?.close();
    }
  });

  it('serves a page that loads the official t1c-sdk-js 3.6.1 bundle, unchanged, through the same connector', async () => {
    const officialPage = await browser.newPage();
    await officialPage.goto(official.origin);
    const jwt = await fetchApplicationToken(product.dsUrl, product.seed.apiKey);
    const port = Number(new URL(product.connectorUrl).port);
    const result = await officialPage.evaluate(readWithOfficialSdk, { port, jwt });
    assert.deepEqual(result.readers, ['Virtual PCD 00 00']);
    assert.equal(result.name, SPECIMEN_HOLDER.surname);
    assert.equal(result.zipcode, SPECIMEN_HOLDER.address.zipCode);
    assert.ok(result.picture > 1000);
    await officialPage.close();
  });

  it('refuses a JWT issued to another application', async () => {
    const admin = new AdminClient(product.dsUrl, product.dsAdminToken);
    await admin.call('POST', '/apps', { org: 'Demo', name: 'someone-else', origins: ['https://someone-else.example'] });
    const apps = await admin.call<{ id: string; name: string }[]>('GET', '/apps');
    const otherApp = apps.find((a) => a.name === 'someone-else');
    assert.ok(otherApp);
    const { apiKey } = await admin.call<{ apiKey: string }>('POST', `/apps/${otherApp.id}/rotate-key`);
    const jwt = await fetchApplicationToken(product.dsUrl, apiKey);
    const demoOrigin = new URL(product.demoUrl).origin.replace('localhost', '127.0.0.1');
    const response = await fetch(new URL('/v3/readers', product.connectorUrl), { headers: { authorization: `Bearer ${jwt}`, origin: demoOrigin } });
    // The token is valid but names other origins: a bad JWT for this page, so 401.
    assert.equal(response.status, 401);
    const body = await response.json() as { success: boolean; code: string };
    assert.deepEqual([body.success, body.code], [false, '104025']);
    // Controls: the same token without a browser Origin passes, and the demo's own token passes from the demo origin.
    const noOrigin = await fetch(new URL('/v3/readers', product.connectorUrl), { headers: { authorization: `Bearer ${jwt}` } });
    assert.equal(noOrigin.status, 200);
    const own = await fetchApplicationToken(product.dsUrl, product.seed.apiKey);
    const ownResponse = await fetch(new URL('/v3/readers', product.connectorUrl), { headers: { authorization: `Bearer ${own}`, origin: demoOrigin } });
    assert.equal(ownResponse.status, 200);
  });

  it('stops new tokens once the DS revokes the application key', async () => {
    const admin = new AdminClient(product.dsUrl, product.dsAdminToken);
    assert.ok(await fetchApplicationToken(product.dsUrl, product.seed.apiKey));
    await admin.call('POST', `/apps/${product.seed.applicationId}/revoke-key`);
    await assert.rejects(fetchApplicationToken(product.dsUrl, product.seed.apiKey), /401|revoked|invalid|unauthori/i);
  });
});
