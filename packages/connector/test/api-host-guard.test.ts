import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { ApiProcess } from './api-helpers/api-process.js';
import { tempDir } from './api-helpers/rig.js';
import { freePort } from './helpers/free-port.js';

const PREFIX = '/v3/modules/beid/apps/token';
const ALLOWED_ORIGIN = 'https://app.example.org';

interface Raw {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** One request to the connector's socket with exactly the Host header given (none when undefined). */
function raw(port: number, method: string, path: string, host: string | undefined, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, setHost: false, agent: false, headers: { ...(host === undefined ? {} : { host }), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An HTTP/1.0 request, which may carry no Host at all (Node refuses a Host-less HTTP/1.1 request itself). */
function http10(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`GET ${path} HTTP/1.0\r\n\r\n`));
    let text = '';
    socket.on('data', (d: Buffer) => { text += d.toString(); });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

const code = (r: Raw): string | undefined => {
  try {
    return (JSON.parse(r.text) as { code?: string }).code;
  } catch {
    return undefined;
  }
};

describe('DNS rebinding: t1c api --no-jwt answers only the host names it serves', () => {
  const dir = tempDir('t1c-host-');
  let api: ApiProcess;
  let port: number;
  let readerId: string;
  /** What the card gives away when the host is right; none of it may leak otherwise. */
  let secrets: string[];

  before(async () => {
    api = await ApiProcess.start(['--http', '--no-jwt', '--no-pcsc', '--virtual-card', 'beid', '--hostname', 't1c.partner.test',
      '--allow-origin', ALLOWED_ORIGIN, '--data-dir', `${dir.path}/data`], { XDG_CONFIG_HOME: `${dir.path}/config` });
    port = api.port;
    const readers = await raw(port, 'GET', '/v3/readers', `127.0.0.1:${port}`);
    assert.equal(readers.status, 200, readers.text);
    const list = (JSON.parse(readers.text) as { data: { id: string; name: string }[] }).data;
    readerId = list[0]?.id ?? '';
    assert.ok(readerId);
    const all = await raw(port, 'GET', `${PREFIX}/readers/${readerId}/all-data`, `localhost:${port}`);
    assert.equal(all.status, 200, all.text);
    const bio = (JSON.parse(all.text) as { data: { biometric: { nationalNumber: string; name: string } } }).data.biometric;
    secrets = [bio.nationalNumber, bio.name, readerId];
  });
  after(async () => {
    await api.stop();
    dir.remove();
  });

  it('serves 127.0.0.1, localhost, [::1] and a --hostname name, each with the listening port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`, `t1c.partner.test:${port}`]) {
      const r = await raw(port, 'GET', '/v3/readers', host);
      assert.equal(r.status, 200, `${host}: ${r.text}`);
    }
  });

  it('refuses any other Host with 421/104030 before CORS, routing or the card, and leaks no card data', async () => {
    const other = await freePort();
    const hosts = [`attacker.example:${port}`, `127.0.0.1:${other}`, `localhost:${other}`, '127.0.0.1', 'localhost',
      `t1c.partner.test.attacker.example:${port}`, `127.0.0.2:${port}`, `0.0.0.0:${port}`, `localhost:${port}@attacker.example`, ''];
    const requests: [string, string, Record<string, string>][] = [
      ['GET', '/v3/readers', {}],
      ['GET', `${PREFIX}/readers/${readerId}/all-data`, {}],
      ['GET', `${PREFIX}/readers/${readerId}/biometric`, { origin: ALLOWED_ORIGIN }],
      ['OPTIONS', '/v3/readers', { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET' }],
      ['GET', '/no/such/route', {}],
    ];
    for (const host of hosts) {
      for (const [method, path, headers] of requests) {
        const r = await raw(port, method, path, host, headers);
        const what = `${method} ${path} Host ${JSON.stringify(host)}`;
        assert.equal(r.status, 421, `${what}: ${r.status} ${r.text}`);
        assert.equal(code(r), '104030', what);
        assert.match(r.text, /does not serve the host name/);
        assert.equal(r.headers['access-control-allow-origin'], undefined, what);
        for (const secret of secrets) assert.ok(!r.text.includes(secret), `${what} leaks card data`);
      }
    }
  });

  it('refuses a request with no Host header at all', async () => {
    const answer = await http10(port, '/v3/readers');
    assert.match(answer, /^HTTP\/1\.1 421 /);
    assert.match(answer, /"code":"104030"/);
    const h11 = await raw(port, 'GET', `${PREFIX}/readers/${readerId}/all-data`, undefined);
    assert.ok(h11.status === 400 || h11.status === 421, `HTTP/1.1 without Host: ${h11.status}`);
    for (const secret of secrets) assert.ok(!answer.includes(secret) && !h11.text.includes(secret), 'no card data');
  });

  it('a request without Origin whose fetch metadata says a page sent it is refused, even same-origin', async () => {
    for (const site of ['same-origin', 'same-site', 'cross-site']) {
      const r = await raw(port, 'GET', `${PREFIX}/readers/${readerId}/all-data`, `127.0.0.1:${port}`, { 'sec-fetch-site': site, 'sec-fetch-mode': 'cors' });
      assert.equal(r.status, 403, `${site}: ${r.text}`);
      assert.equal(code(r), '104001');
      for (const secret of secrets) assert.ok(!r.text.includes(secret), `${site} leaks card data`);
    }
    const typed = await raw(port, 'GET', '/v3/readers', `127.0.0.1:${port}`, { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' });
    assert.equal(typed.status, 200, 'a URL typed by the user (Sec-Fetch-Site: none) still works');
    const tool = await raw(port, 'GET', '/v3/readers', `127.0.0.1:${port}`);
    assert.equal(tool.status, 200, 'a non-browser client (no Origin, no fetch metadata) still works');
  });

  it('Chromium: a page on attacker.test re-pointed at 127.0.0.1 cannot read readers or card data', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync',
        '--host-resolver-rules=MAP attacker.test 127.0.0.1'],
    });
    try {
      const tab = await browser.newPage();
      // After the rebind, the attacker's origin http://attacker.test:<port> is the connector's socket.
      const landing = await tab.goto(`http://attacker.test:${port}/`);
      const stolen = await tab.evaluate(async (path: string) => {
        const out: { status: number; text: string }[] = [];
        for (const url of ['/v3/readers', path]) {
          const r = await fetch(url);
          out.push({ status: r.status, text: await r.text() });
        }
        return out;
      }, `${PREFIX}/readers/${readerId}/all-data`);
      for (const r of stolen) {
        for (const secret of secrets) assert.ok(!r.text.includes(secret), 'the page read card data');
        assert.equal(r.status, 421, r.text);
      }
      assert.equal(landing?.status(), 421);
    } finally {
      await browser.close();
    }
  });
});

describe('DNS rebinding with --tls-cert: the partner certificate names are served, derived from its SAN', () => {
  const dir = tempDir('t1c-host-tls-');
  let api: ApiProcess;
  let ca: string;

  const tlsGet = (host: string, servername: string): Promise<Raw> => new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: api.port, path: '/v3/readers', servername, ca, agent: false, setHost: false, headers: { host } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });

  before(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', '/CN=t1c.partner.test', '-addext', 'subjectAltName=DNS:t1c.partner.test,DNS:local.partner.test,DNS:*.wild.partner.test',
      '-keyout', `${dir.path}/key.pem`, '-out', `${dir.path}/cert.pem`], { stdio: 'ignore' });
    ca = readFileSync(`${dir.path}/cert.pem`, 'utf8');
    api = await ApiProcess.start(['--tls-cert', `${dir.path}/cert.pem`, '--tls-key', `${dir.path}/key.pem`, '--no-jwt', '--no-pcsc', '--virtual-card', 'beid',
      '--data-dir', `${dir.path}/data`], { XDG_CONFIG_HOME: `${dir.path}/config` });
  });
  after(async () => {
    await api.stop();
    dir.remove();
  });

  it('accepts the certificate DNS names and loopback, refuses wildcard-covered and foreign names', async () => {
    for (const name of ['t1c.partner.test', 'local.partner.test']) {
      const r = await tlsGet(`${name}:${api.port}`, name);
      assert.equal(r.status, 200, `${name}: ${r.text}`);
    }
    assert.equal((await tlsGet(`localhost:${api.port}`, 't1c.partner.test')).status, 200);
    for (const name of ['x.wild.partner.test', 'attacker.example']) {
      const r = await tlsGet(`${name}:${api.port}`, 't1c.partner.test');
      assert.equal(r.status, 421, `${name}: ${r.text}`);
      assert.equal(code(r), '104030');
    }
  });
});
