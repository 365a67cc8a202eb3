import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { Browser, Page, Response } from 'playwright-core';
import { runProduct, type RunningProduct } from '@t1c/connector';
import { startDemo, type RunningDemo } from '../src/index.js';
import { freePort, launchChromium } from './browser.js';
import { JWT_PATTERN, send, type RawAnswer } from './raw-http.js';

/** What Chromium sends with the page's own fetch() of a same-origin endpoint. */
function ownPageHeaders(origin: string, cookie: string): Record<string, string> {
  return {
    'origin': origin, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty',
    'x-requested-with': 't1c-demo', 'content-type': 'application/json', 'cookie': cookie,
  };
}

/** Loads the page like a browser and keeps its session cookie as a Cookie header ('' when none is set). */
async function pageSession(base: string): Promise<string> {
  const answer = await send(`${base}/`);
  assert.equal(answer.status, 200);
  const setCookie = answer.headers['set-cookie'];
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return first?.split(';')[0] ?? '';
}

function errorOf(answer: RawAnswer): string {
  const body = JSON.parse(answer.text) as { error?: unknown };
  return typeof body.error === 'string' ? body.error : '';
}

/** The token endpoint answered without handing out a JWT. */
function refusedWithoutJwt(answer: RawAnswer, what: string): void {
  assert.ok(answer.status >= 400 && answer.status < 500, `${what}: ${answer.status} ${answer.text.slice(0, 200)}`);
  assert.doesNotMatch(answer.text, JWT_PATTERN, `${what}: a JWT in the body`);
}

/** The page an attacker serves: it tries every way fetch() has to reach the token and writes what it could read. */
function attackPage(target: string): string {
  const script = `
    const results = [];
    async function attempt(name, init) {
      try {
        const response = await fetch(${JSON.stringify(target)} + '/api/token', init);
        let text = '';
        try { text = await response.text(); } catch {}
        results.push({ name, type: response.type, status: response.status, text });
      } catch (error) {
        results.push({ name, error: String(error) });
      }
    }
    await attempt('get', { credentials: 'include' });
    await attempt('post-as-the-page', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'x-requested-with': 't1c-demo' }, body: '{}' });
    await attempt('get-no-cors', { mode: 'no-cors', credentials: 'include' });
    await attempt('post-no-cors', { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' });
    document.getElementById('out').textContent = JSON.stringify(results);
    document.body.dataset.done = 'yes';`;
  return `<!doctype html><title>attacker</title><body><pre id="out"></pre><script type="module">${script}</script></body>`;
}

interface Attempt { readonly name: string; readonly type?: string; readonly status?: number; readonly text?: string; readonly error?: string }
interface WireAnswer { readonly method: string; readonly status: number; readonly body: string }

/**
 * Runs the attack page's script and returns what it read, plus the token answers the browser
 * received on the wire (devtools sees them even when CORS hides them from the script), once
 * `expected` of them have arrived, among them a GET and a POST.
 */
async function runAttack(page: Page, url: string, expected: number): Promise<{ read: Attempt[]; wire: WireAnswer[] }> {
  const methods = new Set<string>();
  const wire: Promise<WireAnswer>[] = [];
  let enough: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => { enough = resolve; });
  page.on('response', (response: Response) => {
    if (!response.url().includes('/api/token')) return;
    const method = response.request().method();
    methods.add(method);
    wire.push(response.text().then((body) => ({ method, status: response.status(), body }), () => ({ method, status: response.status(), body: '' })));
    if (wire.length >= expected && methods.has('GET') && methods.has('POST')) enough();
  });
  await page.goto(url);
  await page.locator('body[data-done="yes"]').waitFor({ timeout: 30_000 });
  const read = JSON.parse(await page.locator('#out').innerText()) as Attempt[];
  await arrived;
  return { read, wire: await Promise.all(wire) };
}

describe('the demo backend hands its JWT only to its own page', () => {
  let dataDir: string;
  let product: RunningProduct;
  let base: string;
  let demoPort: number;
  let browser: Browser;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 't1c-demo-security-'));
    demoPort = await freePort();
    product = await runProduct({ dataDir, dsPort: await freePort(), apiPort: await freePort(), demoPort, virtualCards: ['1.8'], pcsc: false });
    base = `http://localhost:${demoPort}`;
    browser = await launchChromium([
      '--host-resolver-rules=MAP attacker.test 127.0.0.1',
      // Chromium's Private Network Access stops a "public" page from calling loopback; Firefox and
      // Safari do not, and a partner's backend is not always on loopback: the demo must refuse by itself.
      '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks',
    ]);
  });
  after(async () => {
    await browser.close();
    await product.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives its own page (Origin, same-origin fetch metadata, page header, session) a token of the DS lifetime', async () => {
    const cookie = await pageSession(base);
    assert.match(cookie, /^demo_session_\d+=/);
    const answer = await send(`${base}/api/token`, { method: 'POST', headers: ownPageHeaders(base, cookie), body: '{}' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers['cache-control'], 'no-store');
    const { jwt } = JSON.parse(answer.text) as { jwt: string };
    const claims = decodeJwt(jwt);
    assert.equal(typeof claims.exp, 'number');
    assert.equal(typeof claims.iat, 'number');
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 1200, 'the DS default token lifetime');
  });

  it('sets the session cookie HttpOnly and SameSite=Strict with the page', async () => {
    const answer = await send(`${base}/`);
    const setCookie = String(answer.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
  });

  it('refuses a program without Origin or fetch metadata (curl), even one that loaded the page for its cookie', async () => {
    const cookie = await pageSession(base);
    const get = await send(`${base}/api/token`, { headers: { cookie } });
    refusedWithoutJwt(get, 'GET');
    const post = await send(`${base}/api/token`, { method: 'POST', headers: { 'cookie': cookie, 'content-type': 'application/json', 'x-requested-with': 't1c-demo' }, body: '{}' });
    refusedWithoutJwt(post, 'POST');
    assert.equal(post.status, 403);
    assert.match(errorOf(post), /not other programs/);
  });

  it('refuses a DNS-rebinding request (Host attacker.example) on every route, before any work', async () => {
    const rebound = { host: `attacker.example:${demoPort}`, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' };
    for (const path of ['/', '/app.js', '/style.css', '/api/config', '/api/token', '/no-such-page']) {
      const answer = await send(`${base}${path}`, { headers: rebound });
      assert.equal(answer.status, 421, `${path}: ${answer.status}`);
      assert.match(errorOf(answer), /does not serve that host name; it serves 127\.0\.0\.1:\d+, localhost:\d+/);
      assert.equal(answer.headers['set-cookie'], undefined, `${path} sets no session`);
      assert.doesNotMatch(answer.text, JWT_PATTERN);
    }
    const cookie = await pageSession(base);
    for (const path of ['/api/token', '/api/challenge']) {
      const post = await send(`${base}${path}`, { method: 'POST', headers: { ...ownPageHeaders(`http://attacker.example:${demoPort}`, cookie), host: `attacker.example:${demoPort}` }, body: '{}' });
      assert.equal(post.status, 421, path);
      assert.doesNotMatch(post.text, JWT_PATTERN);
    }
    for (const host of ['127.0.0.2:' + String(demoPort), `localhost:${demoPort + 1}`, 'localhost', '']) {
      const answer = await send(`${base}/`, { headers: { host } });
      assert.ok(answer.status === 421 || answer.status === 400, `Host "${host}": ${answer.status}`);
    }
  });

  it('refuses another site (Sec-Fetch-Site: cross-site, Origin https://evil.example) and approves no preflight', async () => {
    const cookie = await pageSession(base);
    const evil = { ...ownPageHeaders('https://evil.example', cookie), 'sec-fetch-site': 'cross-site' };
    refusedWithoutJwt(await send(`${base}/api/token`, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image', 'cookie': cookie } }), 'GET as <img>');
    refusedWithoutJwt(await send(`${base}/api/token`, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' } }), 'GET by fetch');
    for (const path of ['/api/token', '/api/challenge', '/api/verify']) {
      const answer = await send(`${base}${path}`, { method: 'POST', headers: evil, body: '{}' });
      assert.equal(answer.status, 403, `${path}: ${answer.text}`);
      assert.match(errorOf(answer), /only the demo page at http:\/\/localhost:\d+/);
      assert.doesNotMatch(answer.text, JWT_PATTERN);
      assert.doesNotMatch(answer.text, /digest/, `${path} issued no challenge`);
    }
    // A form POST (no custom header possible) with the right-looking Origin but cross-site metadata.
    const form = await send(`${base}/api/token`, { method: 'POST', headers: { 'origin': base, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'content-type': 'application/x-www-form-urlencoded', 'cookie': cookie }, body: 'a=1' });
    refusedWithoutJwt(form, 'form POST');
    const preflight = await send(`${base}/api/token`, {
      method: 'OPTIONS',
      headers: { 'origin': 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-requested-with', 'sec-fetch-mode': 'cors' },
    });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.equal(preflight.headers['access-control-allow-credentials'], undefined);
    assert.equal(preflight.headers['access-control-allow-headers'], undefined);
  });

  it('refuses a page of another local origin on the same site, which the SameSite cookie does not stop (localhost:other)', async () => {
    const cookie = await pageSession(base);
    const other = `http://localhost:${demoPort + 1}`;
    refusedWithoutJwt(await send(`${base}/api/token`, { headers: { 'origin': other, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty', cookie } }), 'GET');
    const post = await send(`${base}/api/token`, { method: 'POST', headers: { ...ownPageHeaders(other, cookie), 'sec-fetch-site': 'same-site' }, body: '{}' });
    refusedWithoutJwt(post, 'POST');
    assert.equal(post.status, 403);
    // The loopback name that is not the page's: the demo's own page is the origin its Host names.
    const sibling = await send(`${base}/api/token`, { method: 'POST', headers: ownPageHeaders(`http://127.0.0.1:${demoPort}`, cookie), body: '{}' });
    refusedWithoutJwt(sibling, 'POST from 127.0.0.1 to localhost');
  });

  it('refuses its own origin without a valid page session, or with a forged one', async () => {
    refusedWithoutJwt(await send(`${base}/api/token`, { headers: { ...ownPageHeaders(base, ''), 'content-type': 'text/plain' } }), 'GET without a session');
    const none = await send(`${base}/api/token`, { method: 'POST', headers: ownPageHeaders(base, ''), body: '{}' });
    refusedWithoutJwt(none, 'POST without a session');
    assert.equal(none.status, 401);
    assert.match(errorOf(none), /reload the page/);
    const real = await pageSession(base);
    const forged = real.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const answer = await send(`${base}/api/token`, { method: 'POST', headers: ownPageHeaders(base, forged), body: '{}' });
    refusedWithoutJwt(answer, 'forged session');
    assert.equal(answer.status, 401);
    const other = await startDemo({ dsUrl: product.dsUrl, apiKey: product.seed.apiKey, connectorUrl: product.connectorUrl, port: await freePort() });
    try {
      const otherPort = Number(new URL(other.url).port);
      // Another demo's session, renamed to this one's cookie: signed with another key.
      const foreign = (await pageSession(`http://localhost:${otherPort}`)).replace(`demo_session_${otherPort}=`, `demo_session_${demoPort}=`);
      const crossed = await send(`${base}/api/token`, { method: 'POST', headers: ownPageHeaders(base, foreign), body: '{}' });
      refusedWithoutJwt(crossed, 'session of another demo');
    } finally {
      await other.close();
    }
  });

  it('rate-limits token requests per client address: 429 after 20 in a minute', async () => {
    let limited: RunningDemo | undefined;
    try {
      limited = await startDemo({ dsUrl: product.dsUrl, apiKey: product.seed.apiKey, connectorUrl: product.connectorUrl, port: await freePort() });
      const own = `http://localhost:${new URL(limited.url).port}`;
      const cookie = await pageSession(own);
      for (let i = 1; i <= 20; i++) {
        const answer = await send(`${own}/api/token`, { method: 'POST', headers: ownPageHeaders(own, cookie), body: '{}' });
        assert.equal(answer.status, 200, `request ${i}: ${answer.text}`);
      }
      const over = await send(`${own}/api/token`, { method: 'POST', headers: ownPageHeaders(own, cookie), body: '{}' });
      assert.equal(over.status, 429);
      assert.match(errorOf(over), /too many token requests from this address: at most 20 a minute/);
      assert.ok(Number(over.headers['retry-after']) > 0);
      assert.doesNotMatch(over.text, JWT_PATTERN);
      // The page and challenges still load: the limit is on the token only.
      assert.equal((await send(`${own}/`)).status, 200);
    } finally {
      await limited?.close();
    }
  });

  it('refuses at start to send its API key to a DS over plain HTTP off this machine', async () => {
    await assert.rejects(
      startDemo({ dsUrl: 'http://ds.example.test', apiKey: product.seed.apiKey, connectorUrl: product.connectorUrl, port: await freePort() }),
      /demo dsUrl: plain http:\/\/ is refused for ds\.example\.test/);
  });

  it('serves a deployed demo under its configured public origin only (Secure session), and refuses a bad one at start', async () => {
    await assert.rejects(
      startDemo({ dsUrl: product.dsUrl, apiKey: product.seed.apiKey, connectorUrl: product.connectorUrl, port: await freePort(), publicOrigins: ['https://demo.example.test/app'] }),
      /must be an origin/);
    let deployed: RunningDemo | undefined;
    try {
      deployed = await startDemo({ dsUrl: product.dsUrl, apiKey: product.seed.apiKey, connectorUrl: product.connectorUrl, port: await freePort(), publicOrigins: ['https://demo.example.test'] });
      const local = deployed.url;
      // What a TLS proxy forwards: the public name, no port.
      const page = await send(`${local}/`, { headers: { host: 'demo.example.test' } });
      assert.equal(page.status, 200);
      const setCookie = String(page.headers['set-cookie']);
      assert.match(setCookie, /Secure/);
      const cookie = setCookie.split(';')[0] ?? '';
      const token = await send(`${local}/api/token`, { method: 'POST', headers: { ...ownPageHeaders('https://demo.example.test', cookie), host: 'demo.example.test' }, body: '{}' });
      assert.equal(token.status, 200, token.text);
      for (const host of ['demo.example.test:8443', 'other.example.test', 'evil.demo.example.test']) {
        assert.equal((await send(`${local}/`, { headers: { host } })).status, 421, host);
      }
      const plain = await send(`${local}/api/token`, { method: 'POST', headers: { ...ownPageHeaders('http://demo.example.test', cookie), host: 'demo.example.test' }, body: '{}' });
      refusedWithoutJwt(plain, 'Origin with http instead of https');
    } finally {
      await deployed?.close();
    }
  });

  it('in Chromium, the demo page still gets its token and reads the card', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(product.demoUrl);
      await page.locator('#status[data-state="ready"]').waitFor({ timeout: 30_000 });
      assert.match(await page.locator('#identity').innerText(), /Müller-Lüdenscheidt/);
    } finally {
      await context.close();
    }
  });

  it('in Chromium, the whole page is refused when loaded through a rebound name (attacker.test → 127.0.0.1)', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const tokens: string[] = [];
      page.on('request', (request) => { if (request.url().includes('/api/token')) tokens.push(request.url()); });
      const response = await page.goto(`http://attacker.test:${demoPort}/`);
      assert.equal(response?.status(), 421);
      assert.match(await page.locator('body').innerText(), /does not serve that host name/);
      assert.deepEqual(tokens, [], 'the refused page runs no script');
      assert.deepEqual(await context.cookies(), [], 'no session for the rebound name');
    } finally {
      await context.close();
    }
  });

  it('in Chromium, a rebinding script same-origin with the demo (attacker.test:port) reads no token', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const origin = `http://attacker.test:${demoPort}`;
      // The attacker's own server answers the first load; then the name points at 127.0.0.1 (the resolver rule).
      await page.route(`${origin}/`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: attackPage('') }));
      const { read, wire } = await runAttack(page, `${origin}/`, 4);
      assert.equal(read.length, 4);
      assert.doesNotMatch(JSON.stringify(read), JWT_PATTERN);
      // Same-origin for the browser, so every answer is readable: each must be the refusal.
      assert.deepEqual(read.map((r) => r.status), [421, 421, 421, 421], JSON.stringify(read));
      assert.deepEqual(wire.map((w) => w.status), [421, 421, 421, 421]);
      for (const answer of wire) assert.doesNotMatch(answer.body, JWT_PATTERN);
    } finally {
      await context.close();
    }
  });

  it('in Chromium, a page on another local origin, carrying the demo session cookie, gets no token', async () => {
    const attackerPort = await freePort();
    const attacker: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(base));
    });
    await new Promise<void>((resolve) => attacker.listen(attackerPort, '127.0.0.1', resolve));
    const context = await browser.newContext();
    try {
      // The user has the demo open (its session cookie is set); the attacker's page is another tab.
      const demo = await context.newPage();
      await demo.goto(base);
      const page = await context.newPage();
      // CORS hides the answers to the cors-mode calls from the script (the preflighted POST is never
      // sent); the no-cors calls are sent and answered, opaque to the script but visible on the wire.
      const { read, wire } = await runAttack(page, `http://localhost:${attackerPort}/`, 2);
      assert.equal(read.length, 4);
      assert.doesNotMatch(JSON.stringify(read), JWT_PATTERN, 'the attacker page read a JWT');
      assert.deepEqual([...new Set(wire.map((w) => w.method))].sort(), ['GET', 'POST'], JSON.stringify(wire));
      for (const answer of wire) {
        assert.ok(answer.status >= 400 && answer.status < 500, `the demo answered a foreign page's ${answer.method} with ${answer.status}`);
        assert.doesNotMatch(answer.body, JWT_PATTERN);
      }
      assert.equal((await context.cookies(base)).length, 1, 'the user had a demo session, which same-site calls carry');
    } finally {
      await context.close();
      await new Promise((resolve) => attacker.close(resolve));
    }
  });
});
