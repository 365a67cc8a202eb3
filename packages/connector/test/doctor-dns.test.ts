import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { NAME, startDnsRig, type DnsMode, type DnsRig } from './doctor-helpers/dns-rig.js';
import { runDoctorCli, tempHome, userEnv } from './doctor-helpers/doctor-cli.js';
import { runCli } from './helpers/run-cli.js';

// A port nothing listens on: these tests look at the name, DNSSEC and proxy lines only.
const CLOSED_PORT = '1';

function withRig(mode: DnsMode, body: (rig: () => DnsRig, home: () => string) => void): void {
  let rig: DnsRig | undefined;
  const home = tempHome('t1c-doctor-dns-home-');
  before(async () => { rig = await startDnsRig(mode); });
  after(async () => {
    await rig?.close();
    home.remove();
  });
  body(() => {
    if (!rig) throw new Error('DNS rig not started');
    return rig;
  }, () => home.dir);
}

const doctor = (home: string, env: NodeJS.ProcessEnv = {}, hostname = NAME) =>
  runDoctorCli(['--hostname', hostname, '--port', CLOSED_PORT], userEnv(home, env));

describe('doctor: name and DNSSEC through a real resolver (unbound), zone signed with ldns-signzone', () => {
  withRig('signed', (_rig, home) => {
    it('a signed zone validated to its trust anchor: the name resolves to 127.0.0.1 and DNSSEC is ok (AD bit)', async () => {
      const run = await doctor(home());
      assert.equal(run.check('name').status, 'ok');
      assert.match(run.check('name').summary, /connector\.t1c\.test resolves to 127\.0\.0\.1/);
      assert.equal(run.check('dnssec').status, 'ok');
      assert.match(run.check('dnssec').summary, /validated by resolver 127\.0\.0\.1 \(AD bit set\)/);
    });

    it('a name the zone does not have: fail, NXDOMAIN named', async () => {
      const run = await doctor(home(), {}, 'missing.t1c.test');
      assert.equal(run.check('name').status, 'fail');
      assert.match(run.check('name').summary, /does not exist in DNS .*NXDOMAIN/);
    });
  });
});

describe('doctor: a signed zone behind a resolver that does not validate; the doctor validates to a trust anchor', () => {
  withRig('signed-not-validated', (rig, home) => {
    const anchored = (file: string | undefined) => {
      if (!file) throw new Error('signed rig without anchor');
      return runDoctorCli(['--hostname', NAME, '--port', CLOSED_PORT, '--trust-anchor', file], userEnv(home()));
    };

    it('without an anchor: a warning that the resolver does not validate (no AD bit)', async () => {
      const dnssec = (await doctor(home())).check('dnssec');
      assert.equal(dnssec.status, 'warn');
      assert.match(dnssec.summary, /is signed, but resolver 127\.0\.0\.1 does not validate it \(no AD bit\)/);
    });

    it('with the zone\'s DS as --trust-anchor: validated by the doctor (DNSKEY to DS, RRSIG over DNSKEY and A)', async () => {
      const dnssec = (await anchored(rig().trustAnchorFile)).check('dnssec');
      assert.equal(dnssec.status, 'ok', JSON.stringify(dnssec));
      assert.match(dnssec.summary, /validated by t1c doctor from the trust anchor of t1c\.test/);
    });

    it('with an anchor for a key that signed nothing: a warning that names why', async () => {
      const dnssec = (await anchored(rig().strangerAnchorFile)).check('dnssec');
      assert.equal(dnssec.status, 'warn');
      assert.match(dnssec.summary, /does not validate to the trust anchor of t1c\.test: no DNSKEY of t1c\.test matches the trust anchor/);
    });

    it('with the anchor but the clock a year ahead (faketime): the signatures have expired, a warning', async () => {
      const file = rig().trustAnchorFile ?? '';
      const run = await runDoctorCli(['--hostname', NAME, '--port', CLOSED_PORT, '--trust-anchor', file], userEnv(home()), ['faketime', '-f', '+365d']);
      assert.equal(run.check('dnssec').status, 'warn');
      assert.match(run.check('dnssec').summary, /not signed by its anchored key|does not verify/);
    });

    it('a trust-anchor file without a DS or DNSKEY: a clear error, exit 1', async () => {
      const file = join(home(), 'empty-anchor');
      writeFileSync(file, '; nothing\n');
      const r = await runCli(['doctor', '--trust-anchor', file], '', userEnv(home()));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no DS or DNSKEY record in .*empty-anchor/);
    });
  });
});

describe('doctor: an unsigned zone', () => {
  withRig('unsigned', (_rig, home) => {
    it('the name resolves (ok), DNSSEC is a warning that says the zone is unsigned', async () => {
      const run = await doctor(home());
      assert.equal(run.check('name').status, 'ok');
      assert.equal(run.check('dnssec').status, 'warn');
      assert.match(run.check('dnssec').summary, /not signed with DNSSEC/);
    });
  });
});

describe('doctor: a signed zone whose signatures do not validate (anchored to another key)', () => {
  withRig('bogus', (_rig, home) => {
    it('the name fails as bogus, not as rebind protection; DNSSEC warns "bogus"', async () => {
      const run = await doctor(home());
      assert.equal(run.check('name').status, 'fail');
      assert.match(run.check('name').summary, /DNSSEC signatures do not validate \(bogus\)/);
      assert.equal(run.check('dnssec').status, 'warn');
      assert.match(run.check('dnssec').summary, /bogus/);
    });
  });
});

describe('doctor: a resolver with DNS-rebind protection (unbound private-address) and the hosts file', () => {
  withRig('rebind', (rig, home) => {
    it('the resolver drops the loopback answer: named as rebind protection, with the authoritative answer and the hosts-file command', async () => {
      const run = await doctor(home());
      const name = run.check('name');
      assert.equal(name.status, 'fail');
      assert.match(name.summary, /drops connector\.t1c\.test although its own DNS servers answer 127\.0\.0\.1: DNS-rebind protection/);
      assert.ok(name.details?.some((d) => /authoritative ns\.t1c\.test \(127\.0\.0\.2\): 127\.0\.0\.1/.test(d)));
      assert.match(name.fix ?? '', /private-domain/);
      assert.equal(name.command, 'echo "127.0.0.1 connector.t1c.test" | sudo tee -a /etc/hosts');
      assert.equal(run.code, 1);
    });

    it('a hosts-file line for the name: resolves, and the line is named; DNS is not asked for DNSSEC', async () => {
      rig().setHosts(`127.0.0.1 ${NAME}`);
      const run = await doctor(home());
      const name = run.check('name');
      assert.equal(name.status, 'ok');
      assert.match(name.summary, /from the hosts file/);
      assert.ok(name.details?.some((d) => /^\/etc\/hosts line \d+: 127\.0\.0\.1 connector\.t1c\.test/.test(d)));
      assert.equal(run.check('dnssec').status, 'info');
    });

    it('a hosts-file line pointing elsewhere: fail, the line and the command that removes it', async () => {
      rig().setHosts(`10.20.30.40 ${NAME}`);
      const lineNo = readFileSync('/etc/hosts', 'utf8').split('\n').findIndex((l) => l.startsWith('10.20.30.40')) + 1;
      const name = (await doctor(home())).check('name');
      assert.equal(name.status, 'fail');
      assert.match(name.summary, /resolves to 10\.20\.30\.40, not 127\.0\.0\.1, because of the hosts file/);
      assert.equal(name.command, `sudo sed -i '${lineNo}d' /etc/hosts`);
    });
  });
});

describe('doctor: proxies (environment, KDE settings, PAC files)', () => {
  let pacServer: Server | undefined;
  let pacUrl = '';
  withRig('signed', (_rig, home) => {
    before(async () => {
      // The connector's zone goes direct, everything else through the proxy: a well-written PAC file.
      const pac = 'function FindProxyForURL(url, host) { if (dnsDomainIs(host, ".t1c.test") && isInNet(dnsResolve(host), "127.0.0.0", "255.0.0.0")) return "DIRECT"; return "PROXY 127.0.0.9:3128"; }';
      pacServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig' }).end(pac));
      await new Promise<void>((r) => pacServer?.listen(0, '127.0.0.1', r));
      const address = pacServer.address();
      pacUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/proxy.pac`;
    });
    after(() => new Promise<void>((r) => { if (pacServer) pacServer.close(() => r()); else r(); }));

    const kde = (script: string): NodeJS.ProcessEnv => {
      const config = join(home(), `kde-${Math.random().toString(16).slice(2)}`);
      mkdirSync(config, { recursive: true });
      writeFileSync(join(config, 'kioslaverc'), `[Proxy Settings]\nProxyType=2\nProxy Config Script=${script}\n`);
      return { XDG_CONFIG_HOME: config };
    };

    it('no proxy anywhere: ok', async () => {
      assert.equal((await doctor(home())).check('proxy').status, 'ok');
    });

    it('HTTPS_PROXY without NO_PROXY: fail, with the NO_PROXY line to set', async () => {
      const proxy = (await doctor(home(), { HTTPS_PROXY: 'http://127.0.0.9:3128' })).check('proxy');
      assert.equal(proxy.status, 'fail');
      assert.match(proxy.summary, /sent to a proxy \(environment/);
      assert.match(proxy.command ?? '', /^export NO_PROXY="connector\.t1c\.test,127\.0\.0\.1,localhost"/);
    });

    it('HTTPS_PROXY with NO_PROXY naming the zone: ok', async () => {
      const proxy = (await doctor(home(), { HTTPS_PROXY: 'http://127.0.0.9:3128', NO_PROXY: 'localhost,.t1c.test' })).check('proxy');
      assert.equal(proxy.status, 'ok');
    });

    it('NO_PROXY with 127.0.0.1 only does not cover the name (browsers decide on the name): fail', async () => {
      const proxy = (await doctor(home(), { https_proxy: 'http://127.0.0.9:3128', no_proxy: '127.0.0.1,localhost,127.0.0.0/8' })).check('proxy');
      assert.equal(proxy.status, 'fail');
    });

    it('without a DNS name (127.0.0.1) a proxy does not matter: browsers never proxy loopback', async () => {
      const run = await runDoctorCli(['--port', CLOSED_PORT], userEnv(home(), { HTTPS_PROXY: 'http://127.0.0.9:3128' }));
      assert.equal(run.check('proxy').status, 'ok');
      assert.match(run.check('proxy').summary, /never send it to a proxy/);
    });

    it('a PAC file (KDE settings, file URL) that sends everything to a proxy: fail, with what it answered', async () => {
      const file = join(home(), 'all-proxy.pac');
      writeFileSync(file, 'function FindProxyForURL(url, host) { return "PROXY 127.0.0.9:3128"; }');
      const proxy = (await doctor(home(), kde(pathToFileURL(file).href))).check('proxy');
      assert.equal(proxy.status, 'fail');
      assert.ok(proxy.details?.some((d) => d.includes('answers "PROXY 127.0.0.9:3128" for https://connector.t1c.test:1/')));
      assert.match(proxy.fix ?? '', /return "DIRECT" for connector\.t1c\.test/);
    });

    it('a PAC file fetched over HTTP that sends the connector DIRECT (using dnsResolve/isInNet): ok', async () => {
      const proxy = (await doctor(home(), kde(pacUrl))).check('proxy');
      assert.equal(proxy.status, 'ok', JSON.stringify(proxy));
      assert.ok(proxy.details?.some((d) => d.includes(`proxy file ${pacUrl} answers "DIRECT"`)));
    });

    it('a PAC URL that does not answer: fail, never taken as direct', async () => {
      const proxy = (await doctor(home(), kde('http://127.0.0.1:1/none.pac'))).check('proxy');
      assert.equal(proxy.status, 'fail');
      assert.ok(proxy.details?.some((d) => d.includes('could not be evaluated')));
    });
  });
});
