import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BeidVirtualCardOptions } from '@t1c/emulator';
import { startFixture, type Fixture } from '../../connector/test/api-helpers/fixture.js';

const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Our built bundle served by a page origin the connector allows, Chromium, and the real connector. */
export interface BundleInChromium {
  readonly f: Fixture;
  readonly origin: string;
  /** Runs `work` on a fresh page of the site (the bundle at /t1c-sdk.min.js) and closes it. */
  inPage<R>(work: (tab: Page) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

/** Builds the bundle, serves it, starts the connector (`cards` as startFixture takes them) and Chromium. */
export async function startBundleInChromium(cards?: BeidVirtualCardOptions[]): Promise<BundleInChromium> {
  assert.equal(spawnSync(process.execPath, [`${SDK_DIR}build.mjs`], { stdio: 'inherit' }).status, 0, 'build');
  const bundle = readFileSync(`${SDK_DIR}dist/t1c-sdk.min.js`);
  const site: Server = createServer((req, res) => {
    if (req.url === '/t1c-sdk.min.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sdk e2e</title>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  let f: Fixture | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await f?.close();
    site.closeAllConnections();
    await new Promise<void>((resolve) => site.close(() => resolve()));
  };
  try {
    f = await startFixture(cards, { allowOrigins: [origin] });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  } catch (error) {
    await close();
    throw error;
  }
  const opened = browser;
  const inPage = async <R>(work: (tab: Page) => Promise<R>): Promise<R> => {
    const context = await opened.newContext({ ignoreHTTPSErrors: true });
    try {
      const tab = await context.newPage();
      // tsx compiles `drive` with esbuild's keepNames, whose __name helper the page lacks.
      await tab.addInitScript('globalThis.__name = (fn) => fn;');
      await tab.goto(`${origin}/`);
      return await work(tab);
    } finally {
      await context.close();
    }
  };
  return { f, origin, inPage, close };
}
