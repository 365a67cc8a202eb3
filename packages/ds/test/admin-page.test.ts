import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { DsDeviceClient, type RunningDistributionService, generateDeviceKey, startDistributionService } from '../src/index.js';
import { call, dataOf, json } from './helpers/http.js';
import { tempDir } from './helpers/tmp.js';

const root = process.env.T1C_TEST_ROOT ?? fileURLToPath(new URL('../../../', import.meta.url));

describe('admin web page in Chromium', () => {
  let ds: RunningDistributionService;
  let browser: Browser;
  const dir = tempDir('t1c-ds-page-');
  const hostile = '<img src=x onerror="window.pwned=1">';
  let seededId = '';

  before(async () => {
    assert.ok(existsSync('/usr/bin/chromium'), 'Debian chromium is required');
    ds = await startDistributionService({ port: 0, dataDir: dir.path, logLevel: 'silent' });
    const a = (p: string) => `${ds.url}/admin/api/v1${p}`;
    dataOf(await call(a('/orgs'), json('POST', { name: hostile }, ds.adminToken)));
    seededId = dataOf<{ applicationId: string }>(await call(a('/apps'), json('POST', { org: hostile, name: 'seeded', origins: ['https://seed.test'] }, ds.adminToken))).applicationId;
    const reg = dataOf<{ registrationKey: string }>(await call(a('/versions/2.1.0'), json('PUT', { recommended: true, uris: { win64: 'https://dl.test/2.1.0.msi' } }, ds.adminToken)));
    const device = new DsDeviceClient({ dsUrl: ds.url, privateKey: generateDeviceKey().privateKey });
    await device.register(reg.registrationKey, { os: 'win64', version: '2.1.0' });
    await device.sync({ os: 'win64', version: '2.1.0' }, { batchId: 'page-batch-1', entries: [{ application: seededId, module: 'beid', useCase: 'sign', day: '2026-05-01', count: 7 }] });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser.close();
    await ds.close();
    dir.remove();
  });

  it('signs in, shows the data and manages organisations, applications and origins', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${ds.url}/admin/`);

    await page.fill('#token', 'wrong-token-wrong-token');
    await page.click('#login-form button');
    await page.locator('#status', { hasText: '104025' }).waitFor();
    assert.equal(await page.isVisible('#main'), false);

    await page.fill('#token', ds.adminToken);
    await page.click('#login-form button');
    await page.waitForSelector('#main:not([hidden])');
    assert.equal(await page.textContent('#orgs tbody tr td'), hostile, 'names are text, never markup');
    assert.equal(await page.evaluate('typeof window.pwned'), 'undefined');
    assert.match(await page.textContent('#versions tbody') ?? '', /2\.1\.0.*allowed, recommended.*win64: https:\/\/dl\.test\/2\.1\.0\.msi/s);
    assert.match(await page.textContent('#devices tbody') ?? '', /win64.*2\.1\.0/s);
    assert.match(await page.textContent('#transactions tbody') ?? '', new RegExp(`2026-05-01.*${seededId}.*beid.*sign.*7`, 's'));

    await page.fill('#org-name', 'Made in page');
    await page.click('#org-form button');
    await page.locator('#orgs tbody', { hasText: 'Made in page' }).waitFor();

    await page.selectOption('#app-org', { label: 'Made in page' });
    await page.fill('#app-name', 'spa');
    await page.fill('#app-origins', 'https://spa.test https://*.spa.test');
    await page.click('#app-form button');
    await page.waitForSelector('#new-key:not([hidden])');
    assert.match(await page.textContent('#new-key-value') ?? '', /^t1cak_[0-9a-f]{16}\./);

    const row = page.locator('#apps tr[data-app="spa"]');
    await row.locator('input.add-origin').fill('http://localhost:5173');
    await row.getByRole('button', { name: 'add' }).click();
    await page.locator('#apps tr[data-app="spa"]', { hasText: 'http://localhost:5173' }).waitFor();
    await row.locator('input.add-origin').fill('https://bad.test/path');
    await row.getByRole('button', { name: 'add' }).click();
    await page.locator('#status', { hasText: '106400' }).waitFor();

    const apps = dataOf<Array<{ name: string; origins: string[] }>>(await call(`${ds.url}/admin/api/v1/apps`, { headers: { authorization: `Bearer ${ds.adminToken}` } }));
    assert.deepEqual(apps.find((x) => x.name === 'spa')?.origins, ['http://localhost:5173', 'https://*.spa.test', 'https://spa.test']);

    const shots = join(root, 'test-artifacts');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'ds-admin.png'), fullPage: true });
    // The browser reports the deliberate 401 and 400 answers as failed loads; anything else is a fault.
    assert.deepEqual(problems.filter((p) => !/^Failed to load resource: the server responded with a status of (400|401)/.test(p)), [], 'no script errors or CSP violations');
    await page.close();
  });
});
