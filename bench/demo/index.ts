// Time from the demo page's first SDK call to the identity and photo on screen, in Chromium,
// against DS + connector + pcscd/vpcd with a fresh virtual eID per run (so the connector reads
// the whole card every time), beside the card-stack floor measured in the same run.
// Usage (root, or where unshare works): node --import tsx bench/demo/index.ts [runs=20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { SPECIMEN_HOLDER, startPcscd } from '@t1c/emulator';
import { startCardHost } from '@t1c/emulator/card-host';
import { runProduct } from '@t1c/connector';
import { ensurePrivateNamespace } from '../../scripts/namespace.mjs';
import { summary, timed } from '../lib/stats.js';
import { swapCard } from '../lib/swap-card.js';
import { fullRead } from '../lib/full-read.js';

ensurePrivateNamespace();
const runs = Number(process.argv[2] ?? 20);
const chip = (n: number): typeof SPECIMEN_HOLDER => ({ ...SPECIMEN_HOLDER, chipNumber: `${'EF'.repeat(14)}${n.toString(16).padStart(4, '0')}` });

const dataDir = mkdtempSync(join(tmpdir(), 't1c-bench-demo-'));
const pcscd = await startPcscd({ readerPairs: 1 });
const reader = pcscd.readers[0];
if (!reader) throw new Error('no vpcd reader');
// The card answers from its own thread, like a separate device.
const host = await startCardHost();
await host.insert(reader.port, { holder: chip(0) });
const product = await runProduct({ dataDir, dsPort: 52100, apiPort: 52101, demoPort: 52102, virtualCards: [], pcsc: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
});
try {
  const pageTimes: number[] = [];
  for (let i = 1; i <= runs; i++) {
    await swapCard(host, reader.port, reader.name, { holder: chip(i) });
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(product.demoUrl);
    await page.locator('#status[data-state="ready"]').waitFor({ timeout: 60_000 });
    pageTimes.push(await page.evaluate(() => {
      const first = performance.getEntriesByName('t1c:first-sdk-call')[0];
      const done = performance.getEntriesByName('t1c:identity-rendered')[0];
      return first && done ? done.startTime - first.startTime : Number.NaN;
    }));
    await context.close();
  }
  const backend = new PcscBackend();
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    floor.push(await timed(() => fullRead(backend, reader.name)));
  }
  await backend.close();
  console.log(`page: first SDK call → identity + photo rendered  ${summary(pageTimes)}`);
  console.log(`card-stack floor: full read via pcscd + vpcd      ${summary(floor)}`);
} finally {
  await browser.close();
  await product.close();
  await host.close();
  await pcscd.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
