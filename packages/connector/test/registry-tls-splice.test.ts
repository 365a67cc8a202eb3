import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { T1C_BIN } from './helpers/run-cli.js';
import { OsUsers, waitForOutput, waitForStderr } from './helpers/os-users.js';

const A = 't1c-tls-a';
const C = 't1c-tls-c';

/**
 * Mode `ours` splices each connection whole to its user's agent, so TLS runs end to end: the
 * browser sees its own user's agent certificate (that user's local CA), never one the Registry
 * holds, and the Registry reads no byte of it.
 */
describe('t1c registry, mode ours: TLS passes through to the caller\'s own agent', () => {
  let users: OsUsers;
  let dir: string;
  let registry: ChildProcess;
  let registryPort = '';
  const registryPem = { cert: '', key: '' };
  let agentCa = '';


  async function startRegistry(tls: boolean): Promise<void> {
    registry = users.spawn('root', [process.execPath, T1C_BIN, 'registry', '--port', '0', '--mode', 'ours', '--socket', join(dir, 'sock', 'registry.sock'),
      ...(tls ? ['--tls-cert', registryPem.cert, '--tls-key', registryPem.key] : []), '--log-level', 'info']);
    const live = waitForOutput(registry, new RegExp(`"username":"${A}","port":\\d+,"msg":"agent (ready|registered again)"`), 'stdout');
    registryPort = (await waitForStderr(registry, /t1c registry listening on https?:\/\/[^:]+:(\d+)/))[1] ?? '';
    if (agentCa) await live;
    else live.catch(() => undefined);
  }

  async function stopRegistry(): Promise<void> {
    const exited = new Promise<void>((resolve) => registry.once('exit', () => resolve()));
    registry.kill('SIGTERM');
    await exited;
  }

  before(async () => {
    users = await OsUsers.create([A, C]);
    dir = mkdtempSync('/run/t1c-registry-tls-');
    chmodSync(dir, 0o755);
    // The Registry's own certificate, for the answers it gives itself (a user with no agent).
    registryPem.cert = join(dir, 'registry.pem');
    registryPem.key = join(dir, 'registry-key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', registryPem.key, '-out', registryPem.cert], { stdio: 'ignore' });
    chmodSync(registryPem.key, 0o600);
    const home = join(dir, A);
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, users.user(A).uid, users.user(A).uid);
    writeFileSync(join(dir, 'alpha.json'), JSON.stringify({ surname: 'Alpha', firstNames: 'Alpha Test', birthDate: '03 MEI 2001', gender: 'F', nationalNumber: '01050312366', address: { streetAndNumber: 'Kerkstraat 1', zipCode: '2000', municipality: 'Antwerpen' } }), { mode: 0o644 });

    await startRegistry(true);
    const agent = users.spawn(A, [process.execPath, T1C_BIN, 'api', '--registry', join(dir, 'sock', 'registry.sock'), '--local-ca', '--data-dir', join(home, 'data'),
      '--no-jwt', '--no-pcsc', '--virtual-card', 'beid', '--virtual-card-data', join(dir, 'alpha.json'), '--log-level', 'warn']);
    const live = waitForOutput(registry, new RegExp(`"username":"${A}","port":\\d+,"msg":"agent ready"`), 'stdout');
    await waitForStderr(agent, /t1c api listening on https:\/\/localhost:\d+/);
    await live;
    agentCa = join(home, 'data', 'tls', 'ca.pem');
  });
  after(async () => {
    await users?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('A reads A\'s card over HTTPS through the well-known port, served by A\'s own agent certificate', async () => {
    const readers = await users.curlOutcome(A, `https://localhost:${registryPort}/v3/readers`, ['--cacert', agentCa]);
    assert.equal(readers.code, 0, readers.stderr);
    assert.equal(readers.status, 200, readers.body);
    const [reader] = (JSON.parse(readers.body) as { data: { id: string }[] }).data;
    assert.ok(reader);
    const bio = await users.curlOutcome(A, `https://localhost:${registryPort}/v3/modules/beid/apps/token/readers/${reader.id}/biometric`, ['--cacert', agentCa]);
    assert.equal(bio.status, 200, bio.body);
    assert.equal((JSON.parse(bio.body) as { data: { name: string } }).data.name, 'Alpha');
    // The Registry's certificate is not what A's connection meets: the Registry does not terminate it.
    const withRegistryCert = await users.curlOutcome(A, `https://localhost:${registryPort}/v3/readers`, ['--cacert', registryPem.cert]);
    assert.equal(withRegistryCert.code, 60, `TLS must fail against the Registry's certificate: ${withRegistryCert.stderr}`);
  });

  it('the agent checks Host on spliced connections: the well-known port is accepted, a rebinding name gets 421', async () => {
    const rebinding = await users.curlOutcome(A, `https://localhost:${registryPort}/v3/readers`, ['--cacert', agentCa, '-H', 'Host: evil.example']);
    assert.equal(rebinding.status, 421, rebinding.body);
    const otherPort = await users.curlOutcome(A, `https://localhost:${registryPort}/v3/readers`, ['--cacert', agentCa, '-H', 'Host: localhost:1']);
    assert.equal(otherPort.status, 421, 'only the agent\'s own port and its Registry\'s are names of it');
  });

  it('C, with no agent, gets 503 112020 from the Registry itself: over TLS with its certificate, and over plain HTTP', async () => {
    const secure = await users.curlOutcome(C, `https://localhost:${registryPort}/v3/readers`, ['--cacert', registryPem.cert]);
    assert.equal(secure.code, 0, secure.stderr);
    assert.equal(secure.status, 503);
    assert.equal((JSON.parse(secure.body) as { code: string }).code, '112020');
    const plain = await users.curlOutcome(C, `http://127.0.0.1:${registryPort}/v3/readers`);
    assert.equal(plain.status, 503);
    // A keep-alive client that met no agent must not stay on the Registry once its agent is up.
    assert.match(plain.headers, /^connection: close/im);
    assert.match(secure.headers, /^connection: close/im);
    assert.equal((JSON.parse(plain.body) as { code: string }).code, '112020');
  });

  it('without a certificate of its own the Registry closes a TLS caller it cannot route; A, re-registered, still reads over TLS', async () => {
    await stopRegistry();
    await startRegistry(false);
    const closed = await users.curlOutcome(C, `https://localhost:${registryPort}/v3/readers`, ['--cacert', registryPem.cert]);
    assert.notEqual(closed.code, 0, 'a TLS client gets no plain-text answer');
    assert.equal(closed.status, 0);
    const readers = await users.curlOutcome(A, `https://localhost:${registryPort}/v3/readers`, ['--cacert', agentCa]);
    assert.equal(readers.status, 200, readers.stderr);
  });
});
