import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { attachToVpcd, BeidVirtualCard, SPECIMEN_HOLDER, startPcscd, type HolderData, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { T1C_BIN } from './helpers/run-cli.js';
import { OsUsers, waitForOutput, waitForStderr } from './helpers/os-users.js';
import type { OfficialSdkBeidResult } from './helpers/official-sdk-beid.js';
import { startPageServer } from './api-helpers/page-server.js';

const A = 't1c-ssdk-a';
const B = 't1c-ssdk-b';
const C = 't1c-ssdk-c';
const OFFICIAL_SDK = fileURLToPath(new URL('./helpers/official-sdk-beid-as-user.mjs', import.meta.url));
/** The nickname the administrator's CA gets in each user's NSS database. */
const ADMIN_CA = 'T1C test administrator CA';

/** A different card per user: different holder, national number, address and card number. */
const HOLDERS: Record<string, HolderData> = {
  [A]: { ...SPECIMEN_HOLDER, surname: 'Alpha', firstNames: 'Anna Alpha', nationalNumber: '71010112483', cardNumber: '592111111111', address: { streetAndNumber: 'Kerkstraat 1', zipCode: '2000', municipality: 'Antwerpen' } },
  [B]: { ...SPECIMEN_HOLDER, surname: 'Bravo', firstNames: 'Bert Bravo', nationalNumber: '01050312366', birthDate: '03 MEI 2001', cardNumber: '592222222222', address: { streetAndNumber: 'Markt 2', zipCode: '9000', municipality: 'Gent' } },
};

/** The DER of the first certificate in a PEM file, base64, as Chromium's certificate chain gives it. */
const derOf = (pemFile: string): string => new X509Certificate(readFileSync(pemFile)).raw.toString('base64');

/**
 * The official SDK 3.6.1, unchanged, in Debian's Chromium run as a real OS user, through the
 * Registry's well-known port in mode `ours` over HTTPS: the Registry (root) splices the whole TCP
 * connection to the agent of the user the OS names as the socket's owner, so TLS runs end to end
 * between that user's browser and that user's agent. Each user has their own PC/SC (a pcscd with
 * its own socket, as a terminal server gives each session its own readers) and their own card.
 */
describe('t1c registry, mode ours over HTTPS: the official SDK in Chromium as each OS user reads that user\'s own card', () => {
  let users: OsUsers;
  let dir: string;
  let page: Awaited<ReturnType<typeof startPageServer>>;
  let registry: ChildProcess;
  let registryPort = '';
  const registryCert = { cert: '', key: '' };
  const pcscds: PcscdHarness[] = [];
  const links: VpcdLink[] = [];
  const dataDir: Record<string, string> = {};
  const pcscSocket: Record<string, string> = {};
  /** Each agent's own port, where the test checks the card is in before any browser starts. */
  const agentUrl: Record<string, string> = {};

  /** Runs the official SDK in Chromium as `user` against the Registry's port. */
  async function officialSdkAs(user: string): Promise<OfficialSdkBeidResult> {
    const r = await users.run(user, [process.execPath, OFFICIAL_SDK, `${page.origin}/`, `https://localhost:${registryPort}`]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as OfficialSdkBeidResult;
    assert.equal(result.error, undefined, result.error);
    return result;
  }

  /** Runs `script` with sh as `user` (HOME is theirs); must succeed. */
  async function shAs(user: string, script: string): Promise<string> {
    const r = await users.run(user, ['sh', '-c', script]);
    assert.equal(r.code, 0, `${user}: ${script}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** The user's own pcscd (socket in a directory only they may enter) with their card in its first reader. */
  async function startUserPcsc(user: string, pair: number): Promise<string> {
    const socketDir = join(dir, `pcscd-${user}`);
    mkdirSync(socketDir, { mode: 0o700 });
    chownSync(socketDir, users.user(user).uid, users.user(user).uid);
    const pcscd = await startPcscd({ socketDir, firstPair: pair });
    pcscds.push(pcscd);
    const reader = pcscd.readers[0];
    assert.ok(reader);
    links.push(await attachToVpcd(await BeidVirtualCard.create({ holder: HOLDERS[user] }), { port: reader.port }));
    return pcscd.socket;
  }

  async function startAgent(user: string, pcscdSocket: string): Promise<void> {
    const home = join(dir, user);
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, users.user(user).uid, users.user(user).uid);
    dataDir[user] = join(home, 'data');
    const live = waitForOutput(registry, new RegExp(`"username":"${user}","port":\\d+,"msg":"agent ready"`), 'stdout');
    const agent = users.spawn(user, [process.execPath, T1C_BIN, 'api', '--registry', join(dir, 'sock', 'registry.sock'), '--local-ca', '--data-dir', join(home, 'data'),
      '--no-jwt', '--allow-origin', page.origin, '--log-level', 'warn'], { PCSCLITE_CSOCK_NAME: pcscdSocket });
    agentUrl[user] = (await waitForStderr(agent, /t1c api listening on (https:\/\/localhost:\d+)/))[1] ?? '';
    await live;
  }

  /** Waits (on the agent's own port, not through the Registry) until `user`'s card is in a reader. */
  async function cardSeenBy(user: string): Promise<void> {
    const ca = join(dataDir[user] ?? '', 'tls', 'ca.pem');
    for (let i = 0; i < 100; i++) {
      const readers = await users.curl(user, `${agentUrl[user] ?? ''}/v3/readers`, ['--cacert', ca]);
      assert.equal(readers.status, 200, readers.body);
      if ((JSON.parse(readers.body) as { data: { card?: unknown }[] }).data.some((r) => r.card)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`${user}'s agent never saw a card`);
  }

  before(async () => {
    users = await OsUsers.create([A, B, C]);
    page = await startPageServer();
    // Under /run: the throw-away root (where the users exist) bind-mounts it.
    dir = mkdtempSync('/run/t1c-splice-sdk-');
    chmodSync(dir, 0o755);

    // The Registry's own certificate (for the answers it gives a user with no agent), from a CA
    // the administrator deploys to every user's browser, as the connector README asks for.
    const adminCa = { cert: join(dir, 'admin-ca.pem'), key: join(dir, 'admin-ca-key.pem') };
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${ADMIN_CA}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', adminCa.key, '-out', adminCa.cert], { stdio: 'ignore' });
    registryCert.cert = join(dir, 'registry.pem');
    registryCert.key = join(dir, 'registry-key.pem');
    execFileSync('openssl', ['req', '-x509', '-CA', adminCa.cert, '-CAkey', adminCa.key, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth',
      '-keyout', registryCert.key, '-out', registryCert.cert], { stdio: 'ignore' });
    chmodSync(registryCert.key, 0o600);

    pcscSocket[A] = await startUserPcsc(A, 0);
    pcscSocket[B] = await startUserPcsc(B, 1);

    registry = users.spawn('root', [process.execPath, T1C_BIN, 'registry', '--port', '0', '--mode', 'ours', '--socket', join(dir, 'sock', 'registry.sock'),
      '--tls-cert', registryCert.cert, '--tls-key', registryCert.key, '--allow-origin', page.origin, '--log-level', 'info']);
    registryPort = (await waitForStderr(registry, /t1c registry listening on https:\/\/localhost:(\d+)/))[1] ?? '';
    await Promise.all([A, B].map((user) => startAgent(user, pcscSocket[user] ?? '')));

    // Trust as a real install sets it up: each user trusts their own agent's local CA with
    // `t1c cert install` (certutil into ~/.pki/nssdb, the NSS database Chromium reads), and the
    // administrator's CA is added to every user's database, so the Registry's certificate would
    // pass too: only the certificate Chromium reports can tell who ended the TLS connection.
    for (const user of [A, B]) {
      const installed = await shAs(user, `${process.execPath} ${T1C_BIN} cert install --data-dir ${dataDir[user] ?? ''}`);
      assert.match(installed, /^ok {3}Chrome\/Chromium \(NSS\)$/m);
    }
    await shAs(C, 'mkdir -p -m 700 "$HOME/.pki/nssdb" && certutil -d "sql:$HOME/.pki/nssdb" -N --empty-password');
    for (const user of [A, B, C]) await shAs(user, `certutil -d "sql:$HOME/.pki/nssdb" -A -t C,, -n "${ADMIN_CA}" -i ${adminCa.cert}`);
    await Promise.all([A, B].map(cardSeenBy));
  });
  after(async () => {
    await users?.close();
    for (const link of links) await link.close();
    for (const pcscd of pcscds) await pcscd.stop();
    await page?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const user of [A, B]) {
    it(`Chromium as ${user === A ? 'A' : 'B'} reads that user's card (biometric, all-data) over TLS ended by that user's own agent`, async () => {
      const result = await officialSdkAs(user);
      const holder = HOLDERS[user];
      assert.ok(holder);
      assert.equal(result.initError, undefined, JSON.stringify(result.initError));
      assert.equal(result.callError, undefined, JSON.stringify(result.callError));
      assert.deepEqual({ ...result.holder, pictureBytes: 0 }, {
        surname: holder.surname, firstNames: holder.firstNames, nationalNumber: holder.nationalNumber, zipcode: holder.address.zipCode, pictureBytes: 0,
      });
      assert.ok((result.holder?.pictureBytes ?? 0) > 100, 'all-data carries the photo');
      // What Chromium met at https://localhost:<Registry port> is the user's agent's leaf, issued
      // by the user's own local CA, not the Registry's certificate.
      const agentLeaf = derOf(join(dataDir[user] ?? '', 'tls', 'localhost.pem'));
      assert.equal(result.chain[0], agentLeaf);
      assert.notEqual(result.chain[0], derOf(registryCert.cert));
      const ownCa = new X509Certificate(readFileSync(join(dataDir[user] ?? '', 'tls', 'ca.pem')));
      assert.equal(result.security?.issuer, /CN=([^\n]+)/.exec(ownCa.subject)?.[1], 'the SDK\'s own requests met the user\'s local CA too');
      assert.deepEqual(result.infoPage, { status: 200, username: user }, 'the /info behind that certificate is the user\'s own agent\'s');
    });
  }

  it('each user\'s PC/SC is their own: B\'s processes cannot reach A\'s pcscd, A\'s can', async () => {
    const list = (user: string): Promise<{ code: number | null; stdout: string }> => users.run(user, ['opensc-tool', '-l'], { PCSCLITE_CSOCK_NAME: pcscSocket[A] ?? '' });
    const own = await list(A);
    assert.equal(own.code, 0);
    assert.match(own.stdout, /Virtual PCD 00 00/);
    // The socket's directory is A's, mode 0700: B's connection is refused, so PC/SC shows B nothing.
    const other = await list(B);
    assert.match(other.stdout, /^No smart card readers found\.$/m);
    assert.doesNotMatch(other.stdout, /Virtual PCD/);
  });

  it('the two agents\' certificates differ: each user\'s TLS ends at their own agent', () => {
    assert.notEqual(derOf(join(dataDir[A] ?? '', 'tls', 'localhost.pem')), derOf(join(dataDir[B] ?? '', 'tls', 'localhost.pem')));
    assert.notEqual(derOf(join(dataDir[A] ?? '', 'tls', 'ca.pem')), derOf(join(dataDir[B] ?? '', 'tls', 'ca.pem')));
  });

  it('Chromium as C, who has no agent: the SDK cannot initialise (112999) and its client\'s call gets the Registry\'s 112020, over the Registry\'s own TLS', async () => {
    const result = await officialSdkAs(C);
    assert.equal(result.holder, undefined);
    // 3.6.1 reads no body when its /info probe fails (t1c-api.md §1.4): the Registry's 503 is "Failed to contact".
    assert.deepEqual(result.initError, { code: '112999', description: 'Failed to contact the Trust1Connector' });
    assert.equal(result.callError?.code, '112020');
    assert.match(result.callError?.description ?? '', /t1c api --registry/);
    assert.equal(result.chain[0], derOf(registryCert.cert), 'with no agent to go to, the Registry ends the TLS connection itself');
    assert.deepEqual(result.infoPage, { status: 503, code: '112020' });
  });
});
