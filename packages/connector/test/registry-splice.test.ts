import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, get } from 'node:http';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import { answerLocally } from '../src/registry/local-answer.js';
import { spliceToAgent } from '../src/registry/splice.js';

const listen = (server: Server): Promise<number> => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** A front door that hands each accepted connection to `route`; the client connects to it. */
async function frontDoor(route: (socket: Socket) => void): Promise<{ port: number; server: Server }> {
  const server = createServer({ pauseOnConnect: true }, route);
  return { port: await listen(server), server };
}

describe('the Registry\'s connection splice and its own answers', () => {
  it('splices bytes both ways unchanged, and a closed side closes the other', async () => {
    const agent = createServer((s) => s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('agent:'), d]))));
    const agentPort = await listen(agent);
    let spliced: Promise<boolean> = Promise.resolve(false);
    const front = await frontDoor((s) => { spliced = spliceToAgent(s, agentPort); });
    const client = connect(front.port, '127.0.0.1');
    const echoed = await new Promise<string>((resolve) => {
      client.once('connect', () => client.write(Buffer.from([0x16, 0x03, 0x01, 0xff])));
      client.once('data', (d: Buffer) => resolve(d.toString('latin1')));
    });
    assert.equal(await spliced, true);
    assert.equal(echoed, `agent:${String.fromCharCode(0x16, 0x03, 0x01, 0xff)}`, 'not a byte read or changed');
    const open = (): Promise<number> => new Promise((r) => agent.getConnections((_e, n) => r(n)));
    assert.equal(await open(), 1);
    await new Promise<void>((resolve) => { client.once('close', () => resolve()); client.destroy(); });
    // The agent's end goes with the caller's: nothing is left open behind the Registry.
    for (let i = 0; i < 100 && await open() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await open(), 0);
    await close(front.server);
    await close(agent);
  });

  it('an agent port nobody listens on resolves false and leaves the caller\'s connection open for an answer', async () => {
    const dead = createServer();
    const deadPort = await listen(dead);
    await close(dead);
    let outcome: { spliced: boolean; destroyed: boolean } | undefined;
    const local = createHttpServer((_req, res) => { res.writeHead(502).end('unreachable'); });
    const front = await frontDoor((s) => {
      void spliceToAgent(s, deadPort).then((spliced) => {
        outcome = { spliced, destroyed: s.destroyed };
        answerLocally(s, local, undefined, () => undefined);
      });
    });
    const status = await new Promise<number>((resolve, reject) => get({ host: '127.0.0.1', port: front.port, path: '/' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject));
    assert.deepEqual(outcome, { spliced: false, destroyed: false });
    assert.equal(status, 502);
    await close(front.server);
    local.close();
  });

  it('answers plain HTTP itself, TLS with its certificate when it has one, and closes TLS when it has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 't1c-splice-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      const cert = readFileSync(join(dir, 'cert.pem'));
      const context = createSecureContext({ cert, key: readFileSync(join(dir, 'key.pem')) });
      const local = createHttpServer((req, res) => { res.end(`${req.socket.constructor.name} ${req.url ?? ''}`); });
      const withCert = await frontDoor((s) => answerLocally(s, local, context, () => undefined));
      const withoutCert = await frontDoor((s) => answerLocally(s, local, undefined, () => undefined));
      const plain = await new Promise<string>((resolve, reject) => get({ host: '127.0.0.1', port: withoutCert.port, path: '/plain' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(body));
      }).on('error', reject));
      assert.equal(plain, 'Socket /plain');
      const overTls = (port: number): Promise<{ secured: boolean; text: string }> => new Promise((resolve) => {
        let secured = false;
        const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: cert }, () => {
          secured = true;
          socket.write('GET /tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
        });
        let text = '';
        socket.setEncoding('utf8').on('data', (c: string) => (text += c)).on('error', () => undefined).on('close', () => resolve({ secured, text }));
      });
      const answered = await overTls(withCert.port);
      assert.equal(answered.secured, true);
      assert.match(answered.text, /TLSSocket \/tls$/);
      assert.deepEqual(await overTls(withoutCert.port), { secured: false, text: '' }, 'no plain-text answer to a TLS client');
      await close(withCert.server);
      await close(withoutCert.server);
      local.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
