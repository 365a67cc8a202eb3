import { chromium, type Browser, type Page } from 'playwright-core';
import type { BeidVirtualCardOptions } from '@t1c/emulator';
import type { StartApiOptions } from '../../src/api/start.js';
import { startFixture, type Fixture } from './fixture.js';

/** A page origin with an SDK on it: the official SDK's (startPageServer) or a bundle of ours. */
export interface PageSite {
  readonly origin: string;
  close(): Promise<void>;
}

/** The real connector (fixture) that allows the site's origin, and Debian's Chromium. */
export interface ConnectorInChromium {
  readonly f: Fixture;
  readonly origin: string;
  /** Runs `work` on a fresh page of the site, in a context of its own, and closes it. */
  inPage<R>(work: (tab: Page) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

/**
 * Starts the connector (`cards` as startFixture takes them, the site's origin allowed) and
 * Chromium; close() stops both and the site. Whatever fails to start, nothing is left running.
 */
export async function startConnectorInChromium(site: PageSite, cards?: BeidVirtualCardOptions[], extra: Partial<StartApiOptions> = {}): Promise<ConnectorInChromium> {
  let f: Fixture | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await f?.close();
    await site.close();
  };
  try {
    f = await startFixture(cards, { ...extra, allowOrigins: [site.origin, ...(extra.allowOrigins ?? [])] });
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
      // tsx compiles page functions with esbuild's keepNames, whose __name helper pages lack.
      await tab.addInitScript('globalThis.__name = (fn) => fn;');
      await tab.goto(`${site.origin}/`);
      return await work(tab);
    } finally {
      await context.close();
    }
  };
  return { f, origin: site.origin, inPage, close };
}
