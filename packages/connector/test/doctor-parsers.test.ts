import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bypasses } from '../src/doctor/probes/bypass.js';
import { parseExcludedPortRanges } from '../src/doctor/probes/excluded-ports.js';
import { hostsEntries } from '../src/doctor/probes/hosts-file.js';
import { evaluatePac, pacGoesDirect } from '../src/doctor/probes/pac.js';
import { listeningInodes, listeningSockets } from '../src/doctor/probes/port-holder.js';
import { parseLsofListeners, parseNetstatListeners, parseTasklistImage } from '../src/doctor/probes/port-holders-other.js';
import { connectorCheck } from '../src/doctor/checks/connector.js';
import { dsMatches, keyTag, parseTrustAnchor } from '../src/doctor/probes/dnssec-validate.js';
import { defaultSettings } from '../src/config/settings.js';
import type { CommandRunner, DoctorContext } from '../src/doctor/types.js';
import { envProxy, parseGvariantStrings, parseKdeProxy, parseScutilProxy, parseWindowsProxy } from '../src/doctor/probes/proxy-settings.js';
import { resolvConfServers } from '../src/doctor/probes/system-resolver.js';
import { parseKeychainHashes, parseNssList, parseWindowsStore } from '../src/doctor/probes/trust-stores.js';

// What the tools print on the platforms this machine cannot run; the Linux parts are also
// exercised for real in doctor.test.ts.
describe('doctor: parsing what the operating system prints', () => {
  it('netsh excludedportrange: blocks and administered (*) exclusions; headers and junk ignored', () => {
    const out = [
      '', 'Protocol tcp Port Exclusion Ranges', '', 'Start Port    End Port', '----------    --------',
      '     50000       50059     *', '     51934       52033', '     62554       62653', '', '* - Administered port exclusions.', '',
    ].join('\r\n');
    assert.deepEqual(parseExcludedPortRanges(out), [
      { start: 50000, end: 50059, administered: true }, { start: 51934, end: 52033, administered: false }, { start: 62554, end: 62653, administered: false },
    ]);
    assert.deepEqual(parseExcludedPortRanges('The system cannot find the file specified.'), []);
  });

  it('Windows Internet settings: enabled proxy, per-scheme ProxyServer, ProxyOverride and AutoConfigURL', () => {
    const reg = [
      'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings',
      '    ProxyEnable    REG_DWORD    0x1',
      '    ProxyServer    REG_SZ    http=proxy.corp:80;https=secure.corp:8443',
      '    ProxyOverride    REG_SZ    *.intranet;<local>',
      '',
    ].join('\r\n');
    const https = parseWindowsProxy(reg, 'https');
    assert.equal(https?.proxy, 'secure.corp:8443');
    assert.deepEqual(https?.bypass, ['*.intranet', '<local>']);
    assert.equal(parseWindowsProxy(reg, 'http')?.proxy, 'proxy.corp:80');
    assert.match(https?.howToBypass('t1c.example.org') ?? '', /ProxyOverride .*"\*\.intranet;<local>;t1c\.example\.org"/);
    assert.equal(parseWindowsProxy(reg.replace('0x1', '0x0'), 'https'), undefined, 'disabled and no PAC: no proxy');
    const pac = parseWindowsProxy('    ProxyEnable    REG_DWORD    0x0\r\n    AutoConfigURL    REG_SZ    http://wpad.corp/proxy.pac\r\n', 'https');
    assert.equal(pac?.pacUrl, 'http://wpad.corp/proxy.pac');
    assert.equal(pac?.proxy, undefined);
  });

  it('macOS scutil --proxy: HTTPS proxy, exceptions and the PAC URL', () => {
    const out = `<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
  }
  FTPPassive : 1
  HTTPSEnable : 1
  HTTPSPort : 3128
  HTTPSProxy : proxy.corp
  ProxyAutoConfigEnable : 0
}`;
    const s = parseScutilProxy(out, 'https');
    assert.equal(s?.proxy, 'proxy.corp:3128');
    assert.deepEqual(s?.bypass, ['*.local', '169.254/16']);
    assert.equal(parseScutilProxy('<dictionary> {\n  HTTPEnable : 0\n}', 'https'), undefined);
    const pac = parseScutilProxy('<dictionary> {\n  ProxyAutoConfigEnable : 1\n  ProxyAutoConfigURLString : http://wpad/p.pac\n}', 'https');
    assert.equal(pac?.pacUrl, 'http://wpad/p.pac');
  });

  it('GNOME gsettings values and KDE kioslaverc', () => {
    assert.deepEqual(parseGvariantStrings("['localhost', '127.0.0.0/8', '::1', 'it\\'s']"), ['localhost', '127.0.0.0/8', '::1', "it's"]);
    assert.deepEqual(parseGvariantStrings('@as []'), []);
    const kde = '[Proxy Settings]\nProxyType=1\nhttpsProxy=http://proxy.corp 3128\nNoProxyFor=localhost,127.0.0.1\n\n[Other]\nProxyType=2\n';
    const s = parseKdeProxy(kde, 'https');
    assert.equal(s?.proxy, 'proxy.corp:3128');
    assert.deepEqual(s?.bypass, ['localhost', '127.0.0.1']);
    assert.equal(parseKdeProxy('[Proxy Settings]\nProxyType=0\n', 'https'), undefined, 'no proxy');
    assert.equal(parseKdeProxy('[Proxy Settings]\nProxyType=2\nProxy Config Script=file:///etc/p.pac\n', 'https')?.pacUrl, 'file:///etc/p.pac');
  });

  it('environment proxies: lower case wins, NO_PROXY split on commas and spaces', () => {
    const s = envProxy({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2', NO_PROXY: 'x.org, .corp' }, 'https');
    assert.equal(s?.proxy, 'http://a:1');
    assert.deepEqual(s?.bypass, ['x.org', '.corp']);
    assert.equal(envProxy({ HTTP_PROXY: 'http://a:1' }, 'https'), undefined, 'an http proxy does not carry https');
  });

  it('bypass lists decide on the name as typed: suffixes, wildcards, <local>, *; an address range never covers a name', () => {
    assert.ok(bypasses(['.t1c.example'], 'connector.t1c.example'));
    assert.ok(bypasses(['t1c.example'], 'connector.t1c.example'));
    assert.ok(bypasses(['*.example'], 'connector.t1c.example'));
    assert.ok(bypasses(['*'], 'anything'));
    assert.ok(bypasses(['<local>'], 'intranet'));
    assert.ok(!bypasses(['<local>'], 'connector.t1c.example'));
    assert.ok(!bypasses(['127.0.0.0/8', '127.0.0.1', 'localhost'], 'connector.t1c.example'));
    assert.ok(!bypasses(['example.org'], 'badexample.org'), 'a suffix matches whole labels only');
  });

  it('PAC files run in a bare V8 context with the standard helpers; no require, no process', () => {
    const pac = `function FindProxyForURL(url, host) {
      if (isPlainHostName(host) || dnsDomainIs(host, ".intranet")) return "DIRECT";
      if (isInNet(dnsResolve(host), "127.0.0.0", "255.0.0.0")) return "DIRECT";
      if (shExpMatch(host, "*.t1c.example")) return "PROXY never:1";
      return "PROXY proxy.corp:3128; DIRECT";
    }`;
    const resolved = new Map([['connector.t1c.example', '127.0.0.1']]);
    assert.equal(evaluatePac(pac, 'https://connector.t1c.example:51983/', 'connector.t1c.example', resolved), 'DIRECT');
    assert.equal(evaluatePac(pac, 'https://other.t1c.example/', 'other.t1c.example', resolved), 'PROXY never:1');
    assert.ok(pacGoesDirect('DIRECT'));
    assert.ok(!pacGoesDirect('PROXY proxy.corp:3128; DIRECT'), 'the proxy is tried first');
    assert.throws(() => evaluatePac('function FindProxyForURL() { return process.env.HOME; }', 'https://a/', 'a', resolved), /process is not defined/);
    assert.throws(() => evaluatePac('function FindProxyForURL() { while (true) {} }', 'https://a/', 'a', resolved), /timed out/);
    assert.throws(() => evaluatePac('function FindProxyForURL() { return 1; }', 'https://a/', 'a', resolved), /no string/);
  });

  it('trust-store listings: NSS certutil -L, Windows certutil -store, macOS find-certificate -Z', () => {
    const nss = 'Certificate Nickname                                         Trust Attributes\n                                                             SSL,S/MIME,JAR/XPI\n\nT1C Local CA (host)                                          C,,  \nSome Intermediate                                            ,,   \n';
    assert.deepEqual(parseNssList(nss), [{ nickname: 'T1C Local CA (host)', sslTrust: 'C' }, { nickname: 'Some Intermediate', sslTrust: '' }]);
    const win = 'Root "Trusted Root Certification Authorities"\r\n================ Certificate 0 ================\r\nCert Hash(sha1): 0a 1b 2c 3d 4e 5f 60 71 82 93 a4 b5 c6 d7 e8 f9 0a 1b 2c 3d\r\n================ Certificate 1 ================\r\nCert Hash(sha1): 0123456789abcdef0123456789abcdef01234567\r\n';
    assert.deepEqual([...parseWindowsStore(win)], ['0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D', '0123456789ABCDEF0123456789ABCDEF01234567']);
    assert.deepEqual([...parseKeychainHashes('SHA-256 hash: AA\nSHA-1 hash: 0123456789ABCDEF0123456789ABCDEF01234567\nkeychain: "x"\n')], ['0123456789ABCDEF0123456789ABCDEF01234567']);
  });

  it('hosts files, resolv.conf and /proc/net/tcp', () => {
    const hosts = '127.0.0.1 localhost\n# 10.0.0.1 connector.t1c.example\n10.9.9.9 other connector.t1c.example. # pinned\n';
    assert.deepEqual(hostsEntries(hosts, 'Connector.T1C.example'), [{ line: 3, address: '10.9.9.9' }]);
    assert.deepEqual(resolvConfServers('search corp\nnameserver 127.0.0.53\nnameserver ::1\nnameserver not-an-ip\noptions edns0\n'), [{ host: '127.0.0.53', port: 53 }, { host: '::1', port: 53 }]);
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:CB0F 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:CB0F 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    assert.deepEqual(listeningInodes(tcp, 51983), [4242], 'only the LISTEN socket, not the established one');
    assert.deepEqual(listeningInodes(tcp, 51984), []);
    assert.deepEqual(listeningSockets(tcp, 51983), [{ inode: 4242, uid: 1000 }], 'the owner is public even when the process is not');
  });
});

describe('doctor: the port on Windows and macOS (their tools behind the command runner)', () => {
  it('netstat -ano, tasklist and lsof -F pcu listings', () => {
    const netstat = [
      '', 'Active Connections', '', '  Proto  Local Address          Foreign Address        State           PID',
      '  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1000',
      '  TCP    127.0.0.1:51983        0.0.0.0:0              LISTENING       4242',
      '  TCP    127.0.0.1:51983        127.0.0.1:50000        ESTABLISHED     4242',
      '  TCP    127.0.0.1:50000        127.0.0.1:51983        ESTABLISHED     777',
    ].join('\r\n');
    assert.deepEqual(parseNetstatListeners(netstat, 51983), [4242]);
    assert.equal(parseTasklistImage('"t1c.exe","4242","Console","1","95,000 K"\r\n'), 't1c.exe');
    assert.equal(parseTasklistImage('INFO: No tasks are running which match the specified criteria.'), undefined);
    assert.deepEqual(parseLsofListeners('p311\ncnode\nu501\np312\ncsquid\nu0\n'), [{ pid: 311, uid: 501, command: 'node' }, { pid: 312, uid: 0, command: 'squid' }]);
  });

  const windows = (outputs: Record<string, string>, answer: () => Promise<{ statusCode: number; body: string }>): DoctorContext => {
    const run: CommandRunner = (command) => {
      const stdout = outputs[command];
      return stdout === undefined ? { status: null, stdout: '', stderr: '' } : { status: 0, stdout, stderr: '' };
    };
    const unused = (): never => { throw new Error('not used by this check'); };
    return {
      settings: defaultSettings('C:\\t1c'), configFile: 'C:\\t1c\\config.json', configFound: false, hostname: undefined, port: 51983, dsUrl: undefined, trustAnchor: undefined,
      platform: 'win32', env: {}, home: 'C:\\Users\\ann', uid: -1, now: Date.now, fetch: globalThis.fetch,
      resolver: { lookup: unused, servers: () => [], query: unused }, run,
      paths: { hostsFile: 'C:\\Windows\\System32\\drivers\\etc\\hosts', procRoot: '/nonexistent', chromePolicyDirs: [] },
      probe: answer, servedChain: unused, readers: unused, readText: () => undefined,
    };
  };

  it('Windows: a port inside an excluded range fails with the winnat command, before anything is asked', async () => {
    const ctx = windows({ netsh: 'Start Port    End Port\r\n----------    --------\r\n     51934       52033\r\n' }, () => Promise.reject(new Error('must not be asked')));
    const r = await connectorCheck(ctx);
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /port 51983 lies in a range Windows reserved \(51934-52033\)/);
    assert.match(r.command ?? '', /^net stop winnat && netsh int ipv4 add excludedportrange protocol=tcp startport=51983 numberofports=1 && net start winnat$/);
  });

  it('Windows: another program on the port is named from netstat and tasklist', async () => {
    const ctx = windows({
      netsh: '     50000       50059\r\n',
      netstat: '  TCP    127.0.0.1:51983        0.0.0.0:0              LISTENING       4242\r\n',
      tasklist: '"squid.exe","4242","Console","1","9,000 K"\r\n',
    }, () => Promise.resolve({ statusCode: 200, body: '<html>proxy</html>' }));
    const r = await connectorCheck(ctx);
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /another program answers on 127\.0\.0\.1:51983/);
    assert.deepEqual(r.details, ['pid 4242: squid.exe']);
    assert.equal(r.command, 'taskkill /PID 4242');
  });

  it('a Registry that answers for an agent which is registered but does not answer (112021): fail, restart the connector', async () => {
    const ctx = windows({ netsh: '' }, () => Promise.resolve({ statusCode: 502, body: JSON.stringify({ success: false, code: '112021', description: 'Your connector is registered but did not answer' }) }));
    const r = await connectorCheck(ctx);
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /the Registry answers on 127\.0\.0\.1:51983 \(https\); your connector is registered with it but does not answer \(112021\)/);
    assert.equal(r.fix, 'Restart your connector.');
    assert.match(r.command ?? '', /T1C Connector/);
  });
});

describe('doctor: DNSSEC codec pieces', () => {
  // The root zone's KSK-2017 and its published DS (IANA root-anchors.xml).
  const ROOT_KSK = 'AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=';
  const root = parseTrustAnchor(`; root
. 172800 IN DNSKEY 257 3 8 ${ROOT_KSK}
. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
`);

  it('parses DS and DNSKEY anchors in zone-file form; computes the key tag and the DS digest of a real key', () => {
    assert.ok(root);
    assert.equal(root.zone, '');
    const [key] = root.dnskeys;
    const [ds] = root.ds;
    assert.ok(key && ds);
    assert.equal(keyTag(key), 20326);
    assert.ok(dsMatches('.', key, ds));
    assert.ok(!dsMatches('example.', key, ds), 'the owner name is part of the digest');
    assert.equal(parseTrustAnchor('junk\n'), undefined);
  });
});
