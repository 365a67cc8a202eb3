import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { BeidVirtualCardOptions } from '@t1c/emulator';
import { startConnectorInChromium, type ConnectorInChromium } from '../../connector/test/api-helpers/connector-in-chromium.js';

const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));

export type BundleInChromium = ConnectorInChromium;

/** Builds our bundle and serves it at /t1c-sdk.min.js, then the connector and Chromium (`cards` as startFixture takes them). */
export async function startBundleInChromium(cards?: BeidVirtualCardOptions[]): Promise<BundleInChromium> {
  assert.equal(spawnSync(process.execPath, [`${SDK_DIR}build.mjs`], { stdio: 'inherit' }).status, 0, 'build');
  const bundle = readFileSync(`${SDK_DIR}dist/t1c-sdk.min.js`);
  const site: Server = createServer((req, res) => {
    if (req.url === '/t1c-sdk.min.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sdk e2e</title>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return startConnectorInChromium({
    origin: `http://127.0.0.1:${(site.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      site.closeAllConnections();
      site.close(() => resolve());
    }),
  }, cards);
}
