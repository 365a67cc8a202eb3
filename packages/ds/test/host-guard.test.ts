import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DsProcess } from './helpers/ds-process.js';
import { freePort } from './helpers/ports.js';
import { tempDir } from './helpers/tmp.js';

interface Raw {
  status: number;
  body: { code?: string; description?: string } | undefined;
}

/** A request to 127.0.0.1:port carrying whatever Host header a rebound page would send. */
function withHost(port: number, path: string, host: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { ...headers, host }, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => {
        let body: Raw['body'];
        try { body = JSON.parse(text) as Raw['body']; } catch { body = undefined; }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** HTTP/1.0 without any Host header, over a raw socket. */
function withoutHost(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end('GET /v3_5/system/status HTTP/1.0\r\n\r\n'));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => { text += c; });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('DNS rebinding: a DS on loopback serves only its own host names', () => {
  const dir = tempDir('t1c-ds-host-');
  let ds: DsProcess;
  let port = 0;

  before(async () => {
    port = await freePort();
    ds = await DsProcess.start(['--port', String(port), '--data-dir', dir.path, '--public-host', 'ds.example.org', '--public-host', 'alt.example.org:8443'], { T1C_DS_ADMIN_TOKEN: 'host-guard-admin-token' });
  });
  after(async () => {
    assert.equal(await ds.stop(), 0);
    dir.remove();
  });

  it('refuses forged Host headers with 421 before any route, token check or 404', async () => {
    const forged = [`attacker.example:${port}`, 'attacker.example', `127.0.0.1:${port + 1}`, `localhost:${port}.attacker.example`, `ds.example.org.attacker.example`,
      `alt.example.org`, `alt.example.org:${port}`, `127.0.0.2:${port}`, `[::ffff:127.0.0.1]:${port}`, `0.0.0.0:${port}`, 'localhost', ''];
    const paths = ['/v3_5/system/status', '/.well-known/jwks.json', '/admin/api/v1/orgs', '/v3_5/tokens/application', '/admin/', '/nothing-here'];
    for (const host of forged) {
      for (const path of paths) {
        const r = await withHost(port, path, host, { authorization: 'Bearer host-guard-admin-token', apikey: 'x' });
        assert.equal(r.status, 421, `${host} ${path}`);
        assert.equal(r.body?.code, '104030', `${host} ${path}`);
        assert.match(r.body?.description ?? '', /not served by this DS \(DNS rebinding guard\)/);
      }
    }
    assert.match(await withoutHost(port), /^HTTP\/1\.[01] (400|421)/, 'no Host at all');
  });

  it('serves its loopback names on its port and the configured public hosts', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`, 'ds.example.org', 'ds.example.org:443', 'alt.example.org:8443']) {
      const r = await withHost(port, '/v3_5/system/status', host);
      assert.equal(r.status, 200, host);
    }
    const admin = await withHost(port, '/admin/api/v1/orgs', `localhost:${port}`, { authorization: 'Bearer host-guard-admin-token' });
    assert.equal(admin.status, 200);
  });

  it('refuses a malformed --public-host at start, with a non-zero exit', async () => {
    await assert.rejects(DsProcess.start(['--port', String(await freePort()), '--data-dir', dir.path, '--public-host', 'bad host/x']), /exited with 1.*invalid public host/s);
  });
});

describe('a DS bound to a non-loopback address (a real server) does not check Host', () => {
  const dir = tempDir('t1c-ds-host-public-');
  let ds: DsProcess;
  let port = 0;

  before(async () => {
    port = await freePort();
    ds = await DsProcess.start(['--port', String(port), '--host', '0.0.0.0', '--data-dir', dir.path], { T1C_DS_ADMIN_TOKEN: 'host-guard-admin-token' });
  });
  after(async () => {
    assert.equal(await ds.stop(), 0);
    dir.remove();
  });

  it('answers whatever name the load balancer forwards', async () => {
    for (const host of ['ds.partner.example', `attacker.example:${port}`, `127.0.0.1:${port}`]) {
      assert.equal((await withHost(port, '/v3_5/system/status', host)).status, 200, host);
    }
  });
});
