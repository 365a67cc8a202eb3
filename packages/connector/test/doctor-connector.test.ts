import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdminClient, startDistributionService, type RunningDistributionService } from '@t1c/ds';
import { BeidVirtualCard, EmvVirtualCard, attachToVpcd, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { ApiProcess } from './api-helpers/api-process.js';
import { NAME, startDnsRig, type DnsRig } from './doctor-helpers/dns-rig.js';
import { runDoctorCli, tempHome, userEnv } from './doctor-helpers/doctor-cli.js';
import { writePartnerCert } from './doctor-helpers/partner-cert.js';
import { runCli, T1C_BIN } from './helpers/run-cli.js';
import { freePort } from './helpers/free-port.js';


/** A user with a home, a config file for the connector and the doctor, and an empty NSS database. */
function user(config: Record<string, unknown>): { home: string; env: NodeJS.ProcessEnv; dataDir: string; remove: () => void } {
  const home = tempHome('t1c-doctor-user-');
  const dataDir = join(home.dir, 'data');
  const configFile = join(home.dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ dataDir, ...config }));
  mkdirSync(join(home.dir, '.pki', 'nssdb'), { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${join(home.dir, '.pki', 'nssdb')}`, '--empty-password']);
  return { home: home.dir, dataDir, env: userEnv(home.dir, { T1C_CONFIG: configFile }), remove: home.remove };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
}

describe('doctor: bad input', () => {
  it('a port that is not one, a DS URL that may not carry trust, a broken or missing config file: a clear error, exit 1, nothing written', async () => {
    const u = user({ port: 51983 });
    const before = readdirSync(u.home, { recursive: true }).map(String).sort();
    try {
      for (const [args, message] of [
        [['--port', 'abc'], /option '--port <n>' argument 'abc' is invalid\. a TCP port, 1 to 65535/],
        [['--port', '0'], /a TCP port, 1 to 65535/],
        [['--port', '70000'], /a TCP port, 1 to 65535/],
        [['--ds-url', 'http://ds.example.org'], /invalid settings: dsUrl: .*https/],
        [['--config', join(u.home, 'none.json')], /cannot read config file .*none\.json/],
      ] as const) {
        const r = await runCli(['doctor', ...args], '', u.env);
        assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, '', 'no half report');
      }
      const broken = join(u.home, 'broken.json');
      writeFileSync(broken, JSON.stringify({ port: 51983, proxy: 'x' }));
      const r = await runCli(['doctor', '--config', broken], '', u.env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /config file .*broken\.json: \(top\): Unrecognized key: "proxy"/);
      assert.deepEqual(readdirSync(u.home, { recursive: true }).map(String).sort(), [...before, 'broken.json'].sort(), 'the doctor wrote nothing');
    } finally {
      u.remove();
    }
  });
});

describe('doctor: connector and port', () => {
  it('nothing listens: the connector fails with the command that starts it, the certificate cannot be read', async () => {
    const port = await freePort();
    const u = user({ port, dsUrl: 'http://127.0.0.1:1' });
    const files = (): string[] => readdirSync(u.home, { recursive: true }).map(String).sort();
    const before = files();
    try {
      const run = await runDoctorCli([], u.env);
      assert.deepEqual(files(), before, 'the doctor changes nothing (no data dir, no CA made)');
      assert.equal(run.code, 1);
      assert.equal(run.healthy, false);
      const connector = run.check('connector');
      assert.equal(connector.status, 'fail');
      assert.match(connector.summary, new RegExp(`nothing answers on 127\\.0\\.0\\.1:${port} \\(https\\): connection refused`));
      assert.equal(connector.command, 'systemctl --user restart t1c.service');
      assert.equal(run.check('certificate').status, 'fail');
    } finally {
      u.remove();
    }
  });

  it('the port held by another process: fail, naming its pid and command line, and how to stop it', async () => {
    const port = await freePort();
    const u = user({ port, dsUrl: 'http://127.0.0.1:1' });
    const squatter = spawn(process.execPath, ['-e', `require('node:net').createServer((s) => s.end('not http\\r\\n')).listen(${port}, '127.0.0.1', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((r) => squatter.stdout.once('data', () => r()));
      const connector = (await runDoctorCli([], u.env)).check('connector');
      assert.equal(connector.status, 'fail');
      assert.match(connector.summary, new RegExp(`port ${port} is held by a program that does not answer`));
      assert.ok(connector.details?.some((d) => d.startsWith(`pid ${String(squatter.pid)}, uid 0: `) && d.includes('createServer')), JSON.stringify(connector.details));
      assert.equal(connector.command, `kill ${String(squatter.pid)}`);
    } finally {
      await stopChild(squatter);
      u.remove();
    }
  });

  it('another user\'s connector on the port (a shared desktop): fail, it is not yours, with that user\'s uid', async () => {
    const port = await freePort();
    const u = user({ port, transport: 'http', jwt: false });
    // A uid no account uses: the kernel needs no user entry to run a process as it.
    const uid = 64_000 + Math.floor(Math.random() * 1000);
    const otherHome = tempHome('t1c-doctor-other-');
    execFileSync('chown', ['-R', `${uid}:${uid}`, otherHome.dir]);
    const other = spawn('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', process.execPath, T1C_BIN, 'api', '--http', '--no-jwt', '--port', String(port), '--data-dir', join(otherHome.dir, 'data')], {
      stdio: ['ignore', 'ignore', 'pipe'], env: { ...userEnv(otherHome.dir), TMPDIR: otherHome.dir },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let text = '';
        other.stderr.on('data', (d: Buffer) => { text += d.toString(); if (text.includes('listening on')) resolve(); });
        other.once('exit', (code) => reject(new Error(`other user's connector exited ${String(code)}: ${text}`)));
      });
      const connector = (await runDoctorCli([], u.env)).check('connector');
      assert.equal(connector.status, 'fail');
      assert.match(connector.summary, new RegExp(`the connector on 127\\.0\\.0\\.1:${port} \\(http\\) belongs to another user \\(uid ${uid}\\), not to you`));
      assert.ok(connector.details?.[0]?.startsWith(`pid ${String(other.pid)}, uid ${uid}: `));
    } finally {
      await stopChild(other);
      otherHome.remove();
      u.remove();
    }
  });

  it('a Registry on the port with no connector of this user registered (a shared computer): fail, not "ok", with how to start one', async () => {
    const port = await freePort();
    const u = user({ port, transport: 'http' });
    const registry = spawn(process.execPath, [T1C_BIN, 'registry', '--mode', 'ours', '--port', String(port), '--socket', join(u.home, 'registry.sock')], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let text = '';
        registry.stderr.on('data', (d: Buffer) => { text += d.toString(); if (text.includes('listening on')) resolve(); });
        registry.once('exit', (code) => reject(new Error(`t1c registry exited ${String(code)}: ${text}`)));
      });
      const connector = (await runDoctorCli([], u.env)).check('connector');
      assert.equal(connector.status, 'fail');
      assert.match(connector.summary, new RegExp(`the Registry answers on 127\\.0\\.0\\.1:${port} \\(http\\), but no connector of yours is registered with it \\(112020\\)`));
      assert.match(connector.fix ?? '', /t1c api --registry/);
      assert.equal(connector.command, 'systemctl --user restart t1c.service');
      assert.ok(connector.details?.some((d) => d.startsWith(`pid ${String(registry.pid)}, uid 0: `) && d.includes('registry')), JSON.stringify(connector.details));
    } finally {
      await stopChild(registry);
      u.remove();
    }
  });

  it('a connector without DS or token key (fresh install): answers, but is named as refusing everything', async () => {
    const port = await freePort();
    const u = user({ port, transport: 'http' });
    const api = await ApiProcess.start(['--port', String(port)], u.env);
    try {
      const run = await runDoctorCli([], u.env);
      const connector = run.check('connector');
      assert.equal(connector.status, 'fail');
      assert.match(connector.summary, /not configured \(112013\)/);
      assert.ok(connector.details?.some((d) => d.startsWith(`pid ${String(api.pid)}, uid 0: `)));
      assert.equal(run.check('ds').status, 'fail');
      assert.equal(run.check('certificate').status, 'info', 'plain HTTP has no certificate');
    } finally {
      await api.stop();
      u.remove();
    }
  });
});

describe('doctor: certificates', () => {
  it('the local CA not trusted in the NSS database: fail with `t1c cert install`; after it: trusted', async () => {
    const port = await freePort();
    const u = user({ port, jwt: false });
    const api = await ApiProcess.start(['--port', String(port)], u.env);
    try {
      const before = (await runDoctorCli([], u.env)).check('certificate');
      assert.equal(before.status, 'fail');
      assert.match(before.summary, /certificate for localhost is not trusted by Chrome\/Chromium \(NSS\)/);
      assert.equal(before.command, 't1c cert install');
      const install = await runCli(['cert', 'install'], '', u.env);
      assert.equal(install.code, 0, install.stderr);
      const run = await runDoctorCli([], u.env);
      assert.equal(run.check('certificate').status, 'ok', JSON.stringify(run.check('certificate')));
      assert.ok(run.check('certificate').details?.includes('trusted: Chrome/Chromium (NSS)'));
      assert.equal(run.check('connector').status, 'ok', JSON.stringify(run.check('connector')));
      assert.match(run.check('connector').summary, /API version 3\.8\.8/);
    } finally {
      await api.stop();
      u.remove();
    }
  });

  it('an expired partner certificate: fail, with the date and what to replace', async () => {
    const port = await freePort();
    const dir = tempHome('t1c-doctor-cert-');
    const expired = await writePartnerCert(dir.dir, 'connector.t1c.test', -400, -35);
    const u = user({ port, jwt: false, transport: 'tls', tlsCert: expired.cert, tlsKey: expired.key });
    const api = await ApiProcess.start(['--port', String(port)], u.env);
    try {
      const cert = (await runDoctorCli([], u.env)).check('certificate');
      assert.equal(cert.status, 'fail');
      assert.match(cert.summary, /^the certificate for connector\.t1c\.test expired on \d{4}-\d{2}-\d{2}$/);
      assert.match(cert.fix ?? '', /Replace the certificate file/);
    } finally {
      await api.stop();
      u.remove();
      dir.remove();
    }
  });

  it('a current partner certificate nobody trusts (self-signed): fail, not trusted', async () => {
    const port = await freePort();
    const dir = tempHome('t1c-doctor-cert-');
    const selfSigned = await writePartnerCert(dir.dir, 'connector.t1c.test', -1, 300);
    const u = user({ port, jwt: false, transport: 'tls', tlsCert: selfSigned.cert, tlsKey: selfSigned.key });
    const api = await ApiProcess.start(['--port', String(port)], u.env);
    try {
      const cert = (await runDoctorCli([], u.env)).check('certificate');
      assert.equal(cert.status, 'fail');
      assert.match(cert.summary, /not trusted by public root CAs, Chrome\/Chromium \(NSS\)/);
    } finally {
      await api.stop();
      u.remove();
      dir.remove();
    }
  });
});

describe('doctor: cards through pcscd', () => {
  it('pcscd not running: fail, with the command that starts it', async () => {
    const u = user({ port: await freePort(), jwt: false });
    try {
      const cards = (await runDoctorCli([], u.env)).check('cards');
      assert.equal(cards.status, 'fail');
      assert.match(cards.summary, /smart-card service \(PC\/SC\) does not answer: no connection to the service/);
      assert.match(cards.command ?? '', /systemctl enable --now pcscd\.socket/);
    } finally {
      u.remove();
    }
  });

  it('pcscd with a Belgian eID and a payment card: readers, the cards and their modules named', async () => {
    const u = user({ port: await freePort(), jwt: false });
    const pcscd = await startPcscd({ readerPairs: 1 });
    const links: VpcdLink[] = [];
    try {
      const [first, second] = pcscd.readers;
      assert.ok(first && second);
      links.push(await attachToVpcd(await BeidVirtualCard.create({ appletVersion: '1.8' }), { port: first.port }));
      links.push(await attachToVpcd(await EmvVirtualCard.create(), { port: second.port }));
      const named = (d: readonly string[] | undefined): boolean => (d ?? []).some((l) => l.includes('module beid')) && (d ?? []).some((l) => l.includes('module emv'));
      let cards = (await runDoctorCli([], u.env)).check('cards');
      for (let i = 0; i < 50 && !named(cards.details); i++) {
        await new Promise((r) => setTimeout(r, 100));
        cards = (await runDoctorCli([], u.env)).check('cards');
      }
      assert.equal(cards.status, 'ok');
      assert.match(cards.summary, /2 readers, 2 cards$/);
      assert.ok(cards.details?.some((d) => d.startsWith(`${first.name}: card 3B`) && d.endsWith('module beid (Belgium Electronic ID card)')), JSON.stringify(cards.details));
      // A payment card has no ATR row: the sandbox's registry recognises it by selecting its PPSE/PSE.
      assert.ok(cards.details?.some((d) => d.startsWith(`${second.name}: card `) && d.endsWith('module emv (EMV payment card)')), JSON.stringify(cards.details));
      const human = await runCli(['doctor'], '', u.env);
      const json = await runCli(['doctor', '--json'], '', u.env);
      for (const name of [first.name, second.name]) {
        assert.equal(human.stdout.split(name).length - 1, 1, `${name} once in:\n${human.stdout}`);
        assert.equal(json.stdout.split(name).length - 1, 1, `${name} once in:\n${json.stdout}`);
      }
    } finally {
      for (const link of links) await link.close();
      await pcscd.stop();
      u.remove();
    }
  });
});

describe('doctor: Distribution Service and clock', () => {
  let ds: RunningDistributionService;
  let registrationKey = '';
  const dsDir = tempHome('t1c-doctor-ds-');
  before(async () => {
    ds = await startDistributionService({ port: 0, dataDir: dsDir.dir, logLevel: 'silent' });
    const admin = new AdminClient(ds.url, ds.adminToken);
    registrationKey = (await admin.call<{ registrationKey: string }>('PUT', '/versions/0.1.0', {})).registrationKey;
  });
  after(async () => {
    await ds.close();
    dsDir.remove();
  });

  it('the DS stopped (nothing on its port): fail, not reachable', async () => {
    const closed = await freePort();
    const u = user({ port: await freePort(), dsUrl: `http://127.0.0.1:${closed}` });
    try {
      const dsCheck = (await runDoctorCli([], u.env)).check('ds');
      assert.equal(dsCheck.status, 'fail');
      assert.match(dsCheck.summary, new RegExp(`Distribution Service at http://127\\.0\\.0\\.1:${closed} is not reachable \\(ECONNREFUSED\\)`));
    } finally {
      u.remove();
    }
  });

  it('reachable but this connector never registered: warning with how to register', async () => {
    const u = user({ port: await freePort(), dsUrl: ds.url });
    try {
      const dsCheck = (await runDoctorCli([], u.env)).check('ds');
      assert.equal(dsCheck.status, 'warn');
      assert.match(dsCheck.summary, /has not registered/);
      assert.match(dsCheck.command ?? '', /T1C_REGISTRATION_KEY/);
    } finally {
      u.remove();
    }
  });

  it('registered and synced: ok with the device and the sync age; --ds-url overrides the configured one', async () => {
    const port = await freePort();
    const u = user({ port, dsUrl: ds.url, transport: 'http' });
    const api = await ApiProcess.start(['--port', String(port)], { ...u.env, T1C_REGISTRATION_KEY: registrationKey });
    try {
      let dsCheck = (await runDoctorCli([], u.env)).check('ds');
      for (let i = 0; i < 50 && dsCheck.status !== 'ok'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        dsCheck = (await runDoctorCli([], u.env)).check('ds');
      }
      assert.equal(dsCheck.status, 'ok', JSON.stringify(dsCheck));
      assert.ok(dsCheck.details?.some((d) => /^registered as device [0-9a-f-]{36}; last sync \d+ min ago/.test(d)));
      const elsewhere = (await runDoctorCli(['--ds-url', 'http://127.0.0.1:1'], u.env)).check('ds');
      assert.equal(elsewhere.status, 'fail');
    } finally {
      await api.stop();
      u.remove();
    }
  });

  it('the clock ten minutes ahead (faketime): fail, tokens will be refused, with the command that fixes the clock', async () => {
    const u = user({ port: await freePort(), dsUrl: ds.url });
    try {
      const run = await runDoctorCli([], u.env, ['faketime', '-f', '+600s']);
      const dsCheck = run.check('ds');
      assert.equal(dsCheck.status, 'fail');
      assert.match(dsCheck.summary, /clock is (59\d|60\d) s ahead of the Distribution Service: tokens will be refused/);
      assert.equal(dsCheck.command, 'sudo timedatectl set-ntp true');
    } finally {
      u.remove();
    }
  });
});

describe('doctor: browser policy for Local Network Access', () => {
  it('no policy: information with the JSON policy for the allowed origins; with the policy file: named', async () => {
    const u = user({ port: await freePort(), jwt: false, allowOrigins: ['https://portal.example.be'] });
    // /etc/opt is the host's: a tmpfs over it keeps the policy file inside this namespace.
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', '/etc/opt']);
    try {
      const without = (await runDoctorCli([], u.env)).check('browser');
      assert.equal(without.status, 'info');
      assert.match(without.summary, /no Local Network Access policy pre-approves https:\/\/portal\.example\.be/);
      assert.equal(without.setting, '/etc/opt/chrome/policies/managed/t1c-connector.json: {"LocalNetworkAccessAllowedForUrls":["https://portal.example.be"],"LoopbackNetworkAllowedForUrls":["https://portal.example.be"]}');
      mkdirSync('/etc/opt/chrome/policies/managed', { recursive: true });
      writeFileSync('/etc/opt/chrome/policies/managed/t1c-connector.json', JSON.stringify({ LoopbackNetworkAllowedForUrls: ['https://portal.example.be'] }));
      const withPolicy = (await runDoctorCli([], u.env)).check('browser');
      assert.match(withPolicy.summary, /the policy pre-approves https:\/\/portal\.example\.be/);
      assert.deepEqual(withPolicy.details, ['/etc/opt/chrome/policies/managed: https://portal.example.be']);
    } finally {
      execFileSync('umount', ['/etc/opt']);
      u.remove();
    }
  });
});

describe('doctor: a healthy set-up', () => {
  let rig: DnsRig | undefined;
  let pcscd: PcscdHarness | undefined;
  let link: VpcdLink | undefined;
  let ds: RunningDistributionService | undefined;
  let api: ApiProcess | undefined;
  const dsDir = tempHome('t1c-doctor-healthy-ds-');
  let u: ReturnType<typeof user> | undefined;
  after(async () => {
    await api?.stop();
    await link?.close();
    await pcscd?.stop();
    await ds?.close();
    await rig?.close();
    u?.remove();
    dsDir.remove();
  });

  it('signed name, trusted local CA, card, registered DS, no proxy: every line ok or information, exit 0', async () => {
    rig = await startDnsRig('signed');
    pcscd = await startPcscd({ readerPairs: 1 });
    const reader = pcscd.readers[0];
    assert.ok(reader);
    link = await attachToVpcd(await BeidVirtualCard.create({ appletVersion: '1.8' }), { port: reader.port });
    ds = await startDistributionService({ port: 0, dataDir: dsDir.dir, logLevel: 'silent' });
    const { registrationKey } = await new AdminClient(ds.url, ds.adminToken).call<{ registrationKey: string }>('PUT', '/versions/0.1.0', {});
    const port = await freePort();
    u = user({ port, hostnames: [NAME], dsUrl: ds.url });
    api = await ApiProcess.start(['--port', String(port)], { ...u.env, T1C_REGISTRATION_KEY: registrationKey });
    assert.equal((await runCli(['cert', 'install'], '', u.env)).code, 0);
    let run = await runDoctorCli([], u.env);
    for (let i = 0; i < 50 && !run.healthy; i++) {
      // Registration and the first card listing happen shortly after start.
      await new Promise((r) => setTimeout(r, 200));
      run = await runDoctorCli([], u.env);
    }
    assert.deepEqual(run.results.map((r) => [r.id, r.status]), [
      ['connector', 'ok'], ['name', 'ok'], ['dnssec', 'ok'], ['proxy', 'ok'], ['certificate', 'ok'], ['cards', 'ok'], ['ds', 'ok'], ['browser', 'info'],
    ], JSON.stringify(run.results, null, 1));
    assert.equal(run.code, 0);
    assert.match(run.check('connector').summary, /asks for a token: 104025/);
    const human = await runCli(['doctor'], '', u.env);
    assert.equal(human.code, 0);
    assert.match(human.stdout, new RegExp(`^t1c doctor: https://${NAME.replace(/\./g, '\\.')}:${port} `));
    assert.match(human.stdout, /^✔ Certificate +certificate for connector\.t1c\.test valid until \d{4}-\d{2}-\d{2} and trusted$/m);
    assert.match(human.stdout, /^Nothing is broken\.$/m);
  });
});
