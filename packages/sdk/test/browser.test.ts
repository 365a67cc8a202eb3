import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants, generateKeyPairSync, privateDecrypt, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));
const PIN = '4711';

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A minimal T1C connector: CORS for the page, signed envelopes, OAEP PIN check. */
function fakeConnector(pageOrigin: string) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const envelope = (data: unknown) => ({ success: true, data, signature: sign('sha256', Buffer.from(JSON.stringify(data)), privateKey).toString('base64') });
  const seen: { path: string; scheme: string | undefined }[] = [];
  return {
    seen,
    handler(req: IncomingMessage, res: ServerResponse) {
      res.setHeader('access-control-allow-origin', pageOrigin);
      res.setHeader('access-control-allow-credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'authorization, x-csrf-token, content-type, x-t1c-pin-encryption' }).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const scheme = req.headers['x-t1c-pin-encryption'];
        seen.push({ path, scheme: typeof scheme === 'string' ? scheme : undefined });
        const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (path === '/info') return send(200, { t1CInfoAPI: { version: '3.8.8', service: { deviceType: 'STANDALONE' } } });
        if (path === '/device-key') return send(200, envelope(pem));
        if (path === '/v3/readers') return send(200, envelope([{ id: 'r1', name: 'Virtual', pinpad: false, card: { atr: '3B98', description: [], modules: ['beid'] } }]));
        if (path.endsWith('/verify-pin')) {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { pin: string };
          const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(body.pin, 'base64')).toString();
          if (/^T1C-PIN-1:\d+:(\d+)$/.exec(plain)?.[1] === PIN) return send(200, envelope({ verified: true }));
          return send(400, { success: false, code: '108003', description: 'Wrong PIN, 2 tries left' });
        }
        return send(404, { success: false, code: '112999', description: 'Functionality not found' });
      });
    },
  };
}

describe('the built bundle in Debian Chromium', () => {
  let browser: Browser;
  let page: Page;
  let site: { server: Server; origin: string };
  let connector: { server: Server; origin: string };
  let fake: ReturnType<typeof fakeConnector>;
  let closedPort: number;

  before(async () => {
    const build = spawnSync(process.execPath, [`${SDK_DIR}build.mjs`], { stdio: 'inherit' });
    assert.equal(build.status, 0, 'build');
    const bundle = readFileSync(`${SDK_DIR}dist/t1c-sdk.min.js`);
    site = await listen((req, res) => {
      if (req.url === '/t1c-sdk.min.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sdk test</title>');
    });
    fake = fakeConnector(site.origin);
    connector = await listen((req, res) => fake.handler(req, res));
    const probe = await listen(() => undefined);
    closedPort = (probe.server.address() as AddressInfo).port;
    await close(probe.server);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.goto(`${site.origin}/`);
  });

  after(async () => {
    await browser?.close();
    if (connector) await close(connector.server);
    if (site) await close(site.server);
  });

  it('loads as an ES module and exposes the API', async () => {
    const exported = await page.evaluate(async () => Object.keys(await import('/t1c-sdk.min.js' as string) as object).sort());
    for (const name of ['connect', 'permissionState', 'T1cClient', 'Beid', 'T1cError', 'PinIncorrectError', 'isT1cError', 'ERROR_KINDS', 'CONNECTOR_CODES']) {
      assert.ok(exported.includes(name), `${name} in ${exported.join(', ')}`);
    }
  });

  it('reads the Local Network Access permission state', async () => {
    const state = await page.evaluate(async () => {
      const sdk = await import('/t1c-sdk.min.js' as string) as { permissionState(): Promise<string> };
      return sdk.permissionState();
    });
    assert.ok(['granted', 'denied', 'prompt', 'unknown'].includes(state), state);
  });

  it('reports connector-not-running where nothing listens', async () => {
    const error = await page.evaluate(async (url) => {
      const sdk = await import('/t1c-sdk.min.js' as string) as { connect(o: object): Promise<unknown> };
      return sdk.connect({ candidates: [url] }).then(() => undefined, (e: { kind: string; code: string; name: string }) => ({ kind: e.kind, code: e.code, name: e.name }));
    }, `http://127.0.0.1:${closedPort}`);
    assert.deepEqual(error, { kind: 'connector-not-running', code: '901001', name: 'T1cError' });
  });

  it('talks to a connector across origins: signed readers, OAEP PIN, typed wrong-PIN error', async () => {
    const result = await page.evaluate(async ({ url, pin }) => {
      interface Sdk { connect(o: object): Promise<{ readersWithCard(): Promise<{ id: string }[]>; beid(id: string): { verifyPin(o: { pin: string }): Promise<boolean> } }> }
      const sdk = await import('/t1c-sdk.min.js' as string) as Sdk;
      const client = await sdk.connect({ candidates: [url] });
      const readers = await client.readersWithCard();
      const verified = await client.beid('r1').verifyPin({ pin });
      const wrong = await client.beid('r1').verifyPin({ pin: '0000' }).then(() => undefined, (e: { kind: string; triesLeft: number }) => ({ kind: e.kind, triesLeft: e.triesLeft }));
      return { readers: readers.map((r) => r.id), verified, wrong };
    }, { url: connector.origin, pin: PIN });
    assert.deepEqual(result, { readers: ['r1'], verified: true, wrong: { kind: 'pin-incorrect', triesLeft: 2 } });
    assert.deepEqual(fake.seen.filter((s) => s.path.endsWith('/verify-pin')).map((s) => s.scheme), ['RSA-OAEP-256', 'RSA-OAEP-256']);
  });
});
