import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SPECIMEN_HOLDER } from '@t1c/emulator';
import { build as buildMsi } from '../../../packaging/installers/msi.mjs';
import { parsePe } from './helpers/binary-headers.js';
import { executableOf, ROOT, ROOT_VERSION } from './helpers/dist-exe.js';
import { ensureMsis, MSIS, msiTable } from './helpers/dist-msi.js';
import { WINE, WinePrefix, type WineProcess } from './helpers/wine.js';

const MSI = MSIS.perMachine;
const BASELINE = 'HKLM\\Software\\T1C\\Connector';
const INSTALLER = 'HKLM\\Software\\T1C\\Installer';
const RUN = 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run';
const SERVICE_KEY = 'HKLM\\System\\CurrentControlSet\\Services\\T1CRegistry';
const WINESERVER = existsSync('/usr/lib/wine/wineserver64') ? '/usr/lib/wine/wineserver64' : '/usr/lib/wine/wineserver';
// The test runs in its own network namespace: the well-known port is free for the Registry.
const WELL_KNOWN = 51983;

/** Linux PIDs of the Wine processes whose command line starts with `command` (Wine names them by their Windows command line). */
function pidsOf(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      // A zombie has no command line; the one left by a killed Wine process is not running.
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${entry}/status`, 'utf8'))) continue;
    } catch {
      continue;
    }
    if (cmdline.startsWith(command)) pids.push(Number(entry));
  }
  return pids;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, tries = 480): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function getJson(url: string): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return { status: r.status, body: await r.json() as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The Registry's own answer in mode `ours` to a caller without an agent: every request, `/info`
 * included, is the caller's agent's, and there is none yet (503, 112020).
 */
async function registryNoAgent(port: number): Promise<true | undefined> {
  const r = await getJson(`http://127.0.0.1:${port}/info`);
  return r?.status === 503 && (r.body as { code?: string }).code === '112020' ? true : undefined;
}

async function closed(port: number): Promise<boolean> {
  return (await getJson(`http://127.0.0.1:${port}/info`)) === undefined;
}

interface Info { t1CInfoAPI: { service: { deviceType: string }; consentMode?: string; optionalConsent?: boolean } }

/**
 * The per-machine MSI with the Registry service under Wine: Wine has services.exe and the Service
 * Control Manager, so the service wrapper (t1csvc.exe) runs as a real service and `t1c.exe registry`
 * under it. One Linux user (root, the machine account under Wine) is the administrator and the one
 * agent here; several users' agents of one Registry are dist-registry-wine.test.ts's.
 */
// A bound, not a measurement: a Wine program that never exits must fail the file, not hang CI.
describe('Windows per-machine MSI with the Registry service (wixl), installed, run and removed under Wine', { timeout: 900_000 }, () => {
  let wine: WinePrefix;
  let programDir: string;
  let registryLog: string;
  const exe = 'C:\\Program Files\\T1C\\t1c.exe';
  const wrapper = 'C:\\Program Files\\T1C\\t1csvc.exe';

  before(async () => {
    await ensureMsis();
    wine = WinePrefix.create();
    // Wine ends services (system processes) once no other program of the prefix runs; a
    // persistent wineserver keeps them, as Windows keeps a service with nobody logged in. For
    // 120 s after the last program, not forever: if this file is killed before \`after\`, the
    // server and its services still go by themselves.
    spawnSync(WINESERVER, ['--persistent=120'], { env: wine.env, stdio: 'ignore', timeout: 60_000 });
    // Wine's system processes (services.exe, winedevice.exe) now outlive the program that starts
    // them: started here with no pipes, so they never hold the output pipe of a later `wine.run`.
    spawnSync(WINE, ['cmd', '/c', 'exit'], { env: wine.env, stdio: 'ignore', timeout: 120_000 });
    copyFileSync(MSI, join(wine.path, 'drive_c', 't1c-machine.msi'));
    programDir = join(wine.path, 'drive_c', 'Program Files', 'T1C');
    // The service's %LOCALAPPDATA%: Wine runs services with the prefix user's profile (Windows: its account's).
    registryLog = join(wine.userDir, 'AppData', 'Local', 't1c', 'logs', 'registry.log');
  });
  after(() => {
    wine.close();
  });

  /**
   * msiexec with its output in a file: a service it starts would keep a pipe open (and
   * `wine.run` waiting) for as long as the service runs.
   */
  let runs = 0;
  const msiexec = async (...args: string[]): Promise<{ status: number | null; stdout: string }> => {
    const p = wine.start(['msiexec', ...args], join(wine.path, `msiexec-${++runs}.log`));
    const status = await p.exited();
    return { status, stdout: p.log() };
  };
  const install = (...properties: string[]): Promise<{ status: number | null; stdout: string }> => msiexec('/i', 'C:\\t1c-machine.msi', '/qn', ...properties);
  const uninstall = (...properties: string[]): Promise<{ status: number | null; stdout: string }> => msiexec('/x', 'C:\\t1c-machine.msi', '/qn', ...properties);
  const values = (key: string): string[] | undefined => wine.regQuery(key)?.map((v) => `${v.name} ${v.type} ${v.data}`).sort();
  const serviceState = (): string | undefined => /STATE\s+:\s+\d+\s+(\w+)/.exec(wine.run(['sc', 'query', 'T1CRegistry']).stdout)?.[1];

  it('the MSI is per-machine: Program Files, 64-bit components, HKLM only, the T1CRegistry service (auto start) and checks of its properties', () => {
    assert.deepEqual(msiTable(MSI, 'Property').find((r) => r[0] === 'ALLUSERS'), ['ALLUSERS', '1']);
    assert.deepEqual(msiTable(MSI, 'File').map((r) => r[2]).sort(), ['t1c.exe', 't1csvc.exe', 't1cw.exe']);
    assert.ok(msiTable(MSI, 'Component').every((r) => (Number(r[3]) & 256) !== 0), 'every component 64-bit: HKLM\\Software, not Wow6432Node');
    assert.deepEqual(msiTable(MSI, 'Directory').find((r) => r[0] === 'INSTALLDIR')?.[1], 'ProgramFiles64Folder');
    const registry = msiTable(MSI, 'Registry').map(([, root, key = '', name, value]) => [root, key.replace(/\\$/, ''), name, value]);
    assert.ok(registry.every((r) => r[0] === '2'), 'everything under HKLM');
    assert.deepEqual(registry.filter((r) => r[1] === 'Software\\T1C\\Connector').map((r) => `${String(r[2])}=${String(r[3])}`).sort(),
      ['AllowedOrigins=[ALLOWEDORIGINS]', 'DsUrl=[DSURL]', 'LogLevel=[LOGLEVEL]', 'Port=[PORTVALUE]', 'Registry=#1', 'Transport=http']);
    assert.deepEqual(msiTable(MSI, 'ServiceInstall').map((r) => r.slice(1, 12)), [[
      'T1CRegistry', 'T1C Registry', '16', '2', '1', '', '', '[SERVICEACCOUNT]', '', 'registry --port [PORT] --mode [REGISTRYMODE] --log-file', 'RegistryService',
    ]]);
    // 163: start at install, stop at install and uninstall, delete at uninstall; wait for each.
    assert.deepEqual(msiTable(MSI, 'ServiceControl').map((r) => r.slice(1)), [['T1CRegistry', '163', '', '1', 'RegistryService']]);
    const features = new Map(msiTable(MSI, 'FeatureComponents').map(([feature = '', component = '']) => [component, feature]));
    assert.equal(features.get('RegistryService'), 'Registry');
    assert.equal(features.get('RegistrySwitch'), 'Registry');
    const conditions = msiTable(MSI, 'LaunchCondition').map((r) => r[1] ?? '');
    for (const text of [/REGISTRY=\[REGISTRY\] is not a choice: REGISTRY=1 .* REGISTRY=0/, /REGISTRYMODE=\[REGISTRYMODE\] is not a mode: use ours .* optional-consent or consent/,
      /REGISTRYACCOUNT=\[REGISTRYACCOUNT\] .* LocalSystem \(the default\) or LocalService/, /PORT=\[PORT\] is not a TCP port/, /run msiexec as an administrator/]) {
      assert.ok(conditions.some((c) => text.test(c)), `a launch condition says ${String(text)}`);
    }
    const wrapperPe = mkdtempSync(join(tmpdir(), 't1c-msiextract-'));
    try {
      const r = spawnSync('msiextract', ['-C', wrapperPe, MSI], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const bytes = readFileSync(join(wrapperPe, 'T1C', 't1csvc.exe'));
      assert.equal(parsePe(bytes).subsystem, 3, 'a console program: run by hand it can say what it is');
      assert.equal(parsePe(bytes).machine, 0x8664);
      assert.ok(bytes.length < 16_384, `a small wrapper (${bytes.length} bytes)`);
    } finally {
      rmSync(wrapperPe, { recursive: true, force: true });
    }
  });

  const refused: Array<[string, string]> = [
    ['REGISTRY=2', 'an unknown REGISTRY'], ['REGISTRY=yes', 'a word for REGISTRY'], ['REGISTRYMODE=everyone', 'an unknown mode'],
    ['REGISTRYACCOUNT=Administrator', 'an account that is not a service account'], ['PORT=nope', 'a port that is not a number'], ['PORT=70000', 'a port above 65535'],
  ];
  for (const [property, what] of refused) {
    it(`refuses ${what} (${property}) before changing anything`, async () => {
      const r = await install(property);
      // 1603, ERROR_INSTALL_FAILURE (a launch condition), as Wine's exit status (its low byte).
      assert.ok(r.status === 1603 || r.status === (1603 & 0xff), `refused by a launch condition, exit ${String(r.status)}: ${r.stdout}`);
      assert.equal(existsSync(programDir), false, 'nothing installed');
      assert.equal(wine.regQuery('HKLM\\Software\\T1C'), undefined, 'no HKLM key');
      assert.equal(serviceState(), undefined, 'no service');
    });
  }

  it('msiexec /i /qn (as administrator) installs into Program Files, every user\'s autostart, the HKLM baseline and the T1CRegistry service, which runs t1c.exe registry', async () => {
    const r = await install();
    assert.equal(r.status, 0, r.stdout);
    assert.deepEqual(readdirSync(programDir).sort(), ['t1c.exe', 't1csvc.exe', 't1cw.exe']);
    assert.deepEqual(values(BASELINE), ['AllowedOrigins REG_SZ ', 'DsUrl REG_SZ ', 'LogLevel REG_SZ ', 'Port REG_DWORD 0xcb0f', 'Registry REG_DWORD 0x1', 'Transport REG_SZ http']);
    assert.equal(wine.regQuery('HKLM\\Software\\Wow6432Node\\T1C'), undefined, 'not in the 32-bit view');
    assert.deepEqual(wine.regQuery(RUN)?.find((v) => v.name === 'T1C Connector'),
      { name: 'T1C Connector', type: 'REG_SZ', data: '"C:\\Program Files\\T1C\\t1cw.exe" api --log-file' });
    assert.deepEqual(values(INSTALLER)?.filter((v) => !v.startsWith('Path ') && !v.startsWith('StartMenu ')),
      ['Port REG_SZ 51983', 'Registry REG_SZ 1', 'RegistryAccount REG_SZ LocalSystem', 'RegistryMode REG_SZ ours']);
    // What the SCM holds: an own-process service started at boot, as LocalSystem, running the wrapper with the Registry's arguments.
    const service = Object.fromEntries((wine.regQuery(SERVICE_KEY) ?? []).map((v) => [v.name, v.data]));
    // Windows Installer writes the program path quoted; Wine's msi does not (the arguments are ours either way).
    assert.match(service.ImagePath ?? '', /^"?C:\\Program Files\\T1C\\t1csvc\.exe"? registry --port 51983 --mode ours --log-file$/);
    assert.equal(service.Start, '0x2', 'SERVICE_AUTO_START');
    assert.equal(service.Type, '0x10', 'SERVICE_WIN32_OWN_PROCESS');
    assert.equal(service.ObjectName, 'LocalSystem');
    assert.equal(service.DisplayName, 'T1C Registry');

    assert.equal(await until('the service to run', () => (serviceState() === 'RUNNING' ? true : undefined)), true);
    // The wrapper started t1c.exe registry from its own folder with its own arguments.
    await until('t1c.exe registry', () => (pidsOf(`${exe} registry --port 51983 --mode ours --log-file`).length === 1 ? true : undefined));
    assert.equal(pidsOf(`${wrapper} registry`).length, 1);
    assert.equal(await until('the Registry on 51983', () => registryNoAgent(WELL_KNOWN)), true, 'the Registry answers: no agent of this user yet');
    assert.match(readFileSync(registryLog, 'utf8'), /Server listening at http:\/\/127\.0\.0\.1:51983/);
  });

  it('a user\'s connector with no flags of its own is an agent by the HKLM baseline: the card is read through 51983', async () => {
    // No --registry, no --http: the machine's Registry=1 and Transport=http decide.
    const agent: WineProcess = wine.start([exe, 'api', '--no-jwt', '--virtual-card', 'beid', '--log-level', 'info'], join(wine.path, 'agent.log'));
    try {
      const readers = await until('the agent behind 51983', async () => {
        const r = await getJson(`http://127.0.0.1:${WELL_KNOWN}/v3/readers`);
        return r?.status === 200 ? r : undefined;
      });
      const list = (readers.body as { data: { id: string; name: string }[] }).data;
      assert.deepEqual(list.map((x) => x.name), ['T1C Virtual Reader (beid 1.8)']);
      const bio = await getJson(`http://127.0.0.1:${WELL_KNOWN}/v3/modules/beid/apps/token/readers/${list[0]?.id ?? ''}/biometric`);
      assert.equal(bio?.status, 200);
      assert.equal((bio?.body as { data: { nationalNumber: string } }).data.nationalNumber, SPECIMEN_HOLDER.nationalNumber);
      const forwarded = await getJson(`http://127.0.0.1:${WELL_KNOWN}/info`);
      assert.notEqual((forwarded?.body as Info).t1CInfoAPI.service.deviceType, 'PROXY', 'mode ours: /info is the caller\'s agent\'s');
      assert.match(agent.log(), /t1c api listening on http:\/\/127\.0\.0\.1:52\d\d\d/, 'plain HTTP on a port the Registry gave');
      assert.match(readFileSync(registryLog, 'utf8'), /agent ready/);
    } finally {
      await wine.stop(agent);
      for (const pid of [...pidsOf(`${exe} api`), ...pidsOf(`${exe} sandbox`)]) process.kill(pid, 'SIGKILL');
      await until('the agent gone', () => (pidsOf(`${exe} api`).length + pidsOf(`${exe} sandbox`).length === 0 ? true : undefined));
    }
  });

  it('t1c.exe registry ending by itself is started again by the wrapper; the service stays RUNNING', async () => {
    const [first] = pidsOf(`${exe} registry`);
    assert.ok(first);
    process.kill(first, 'SIGKILL');
    await until('the port to close', async () => ((await closed(WELL_KNOWN)) ? true : undefined));
    const again = await until('a new t1c.exe registry', () => {
      const pids = pidsOf(`${exe} registry`);
      return pids.length === 1 && pids[0] !== first ? pids[0] : undefined;
    });
    assert.notEqual(again, first);
    assert.equal(await until('the Registry again', () => registryNoAgent(WELL_KNOWN)), true);
    assert.equal(serviceState(), 'RUNNING');
  });

  it('sc stop ends the Registry (its process and port); sc start brings it back; net stop works the same', async () => {
    const r = wine.run(['sc', 'stop', 'T1CRegistry']);
    assert.equal(r.status, 0, r.stdout);
    await until('STOPPED', () => (serviceState() === 'STOPPED' ? true : undefined));
    await until('no t1c.exe registry', () => (pidsOf(`${exe} registry`).length === 0 && pidsOf(wrapper).length === 0 ? true : undefined));
    assert.equal(await closed(WELL_KNOWN), true);
    assert.equal(wine.run(['sc', 'start', 'T1CRegistry']).status, 0);
    await until('the Registry after sc start', () => registryNoAgent(WELL_KNOWN));
    assert.equal(wine.run(['net', 'stop', 'T1CRegistry']).status, 0);
    await until('no t1c.exe registry after net stop', () => (pidsOf(`${exe} registry`).length === 0 ? true : undefined));
    assert.equal(wine.run(['net', 'start', 'T1CRegistry']).status, 0);
    await until('the Registry after net start', () => registryNoAgent(WELL_KNOWN));
  });

  /** The Registry's data folders where Windows keeps them (SYSTEM's or LocalService's profile); Wine's services use the prefix user's. */
  const serviceDataDirs = (): string[] => [join(wine.path, 'drive_c', 'windows', 'system32', 'config', 'systemprofile', 'AppData', 'Local', 't1c'),
    join(wine.path, 'drive_c', 'windows', 'ServiceProfiles', 'LocalService', 'AppData', 'Local', 't1c')];
  const plantServiceData = (): void => {
    for (const dir of serviceDataDirs()) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'kept.txt'), 'kept');
    }
  };

  it('msiexec /x /qn while the Registry runs stops it and removes the service, the files, the HKLM keys, the Run value and the service\'s data', async () => {
    plantServiceData();
    const r = await uninstall();
    assert.equal(r.status, 0, r.stdout);
    assert.equal(serviceState(), undefined, 'the service is gone');
    assert.equal(wine.regQuery(SERVICE_KEY), undefined, 'and its SCM key');
    assert.equal(pidsOf(`${exe}`).length + pidsOf(wrapper).length, 0, 'nothing of Program Files\\T1C runs');
    assert.equal(await closed(WELL_KNOWN), true);
    assert.equal(existsSync(programDir), false, 'Program Files\\T1C removed');
    assert.equal(wine.regQuery('HKLM\\Software\\T1C'), undefined, 'HKLM\\Software\\T1C removed');
    assert.equal(wine.regQuery(RUN)?.find((v) => v.name === 'T1C Connector'), undefined, 'Run value removed');
    for (const dir of serviceDataDirs()) assert.equal(existsSync(dir), false, `the Registry's data folder removed: ${dir}`);
  });

  it('REGISTRY=0: the connector for all users without the service or the Registry switch; KEEPDATA=1 keeps the data at uninstall', async () => {
    const r = await install('REGISTRY=0', 'PORT=52010');
    try {
      assert.equal(r.status, 0, r.stdout);
      assert.deepEqual(readdirSync(programDir).sort(), ['t1c.exe', 't1cw.exe']);
      assert.equal(serviceState(), undefined, 'no service');
      assert.deepEqual(values(BASELINE), ['AllowedOrigins REG_SZ ', 'DsUrl REG_SZ ', 'LogLevel REG_SZ ', 'Port REG_DWORD 0xcb2a']);
    } finally {
      plantServiceData();
      const x = await uninstall('KEEPDATA=1');
      assert.equal(x.status, 0, x.stdout);
    }
    for (const dir of serviceDataDirs()) {
      assert.equal(readFileSync(join(dir, 'kept.txt'), 'utf8'), 'kept');
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(existsSync(programDir), false);
    assert.equal(wine.regQuery('HKLM\\Software\\T1C'), undefined);
  });

  it('REGISTRYMODE, PORT and REGISTRYACCOUNT reach the service; an upgrade without them keeps them', async () => {
    const next = mkdtempSync(join(tmpdir(), 't1c-msi-next-'));
    try {
      const [major, minor, patch] = ROOT_VERSION.split(/[.-]/).map(Number);
      const built = await buildMsi({ root: ROOT, distDir: next, version: `${major}.${minor}.${(patch ?? 0) + 1}`, targets: [{ name: 'win-x64', executable: executableOf('win-x64') }] });
      const nextMsi = built.find((f) => f.endsWith('-machine.msi'));
      assert.ok(nextMsi);
      copyFileSync(nextMsi, join(wine.path, 'drive_c', 't1c-machine-next.msi'));

      const r = await install('REGISTRYMODE=optional-consent', 'PORT=52011', 'REGISTRYACCOUNT=LocalService', 'DSURL=https://ds.example.org/t1c');
      assert.equal(r.status, 0, r.stdout);
      const expected = 'C:\\Program Files\\T1C\\t1csvc.exe registry --port 52011 --mode optional-consent --log-file';
      const imagePath = (): string | undefined => wine.regQuery(SERVICE_KEY)?.find((v) => v.name === 'ImagePath')?.data?.replace(/^"([^"]+)"/, '$1');
      assert.equal(imagePath(), expected);
      assert.equal(wine.regQuery(SERVICE_KEY)?.find((v) => v.name === 'ObjectName')?.data, 'NT AUTHORITY\\LocalService');
      // Mode optional-consent: the Registry answers /info itself, as a PROXY.
      const info = await until('the Registry on 52011', async () => getJson('http://127.0.0.1:52011/info'));
      assert.equal(info.status, 200);
      assert.equal((info.body as Info).t1CInfoAPI.service.deviceType, 'PROXY');
      assert.equal((info.body as Info).t1CInfoAPI.optionalConsent, true);
      assert.equal((info.body as Info).t1CInfoAPI.consentMode, 'optional-consent');

      const u = await msiexec('/i', 'C:\\t1c-machine-next.msi', '/qn');
      assert.equal(u.status, 0, u.stdout);
      assert.equal(imagePath(), expected, 'the upgrade kept the mode and the port');
      assert.equal(wine.regQuery(SERVICE_KEY)?.find((v) => v.name === 'ObjectName')?.data, 'NT AUTHORITY\\LocalService', 'and the account');
      assert.equal(wine.regQuery(BASELINE)?.find((v) => v.name === 'DsUrl')?.data, 'https://ds.example.org/t1c', 'and the baseline');
      await until('the upgraded Registry on 52011', async () => getJson('http://127.0.0.1:52011/info'));
      const x = await msiexec('/x', 'C:\\t1c-machine-next.msi', '/qn');
      assert.equal(x.status, 0, x.stdout);
      assert.equal(serviceState(), undefined);
      assert.equal(existsSync(programDir), false, 'the upgraded version uninstalls completely');
      assert.equal(wine.regQuery('HKLM\\Software\\T1C'), undefined);
    } finally {
      // Whatever failed above, the next test starts from nothing installed.
      await msiexec('/x', 'C:\\t1c-machine-next.msi', '/qn');
      await uninstall();
      rmSync(next, { recursive: true, force: true });
    }
  });
  // Last: Wine's SCM does not notice a service process that was killed (Windows' does), so the
  // service stays "RUNNING" there; nothing after this depends on it.
  it('killing the wrapper takes t1c.exe registry with it (a Job object that kills on close)', async () => {
    const r = await install();
    assert.equal(r.status, 0, r.stdout);
    await until('the Registry', () => registryNoAgent(WELL_KNOWN));
    const [registryPid] = pidsOf(`${exe} registry`);
    const [wrapperPid] = pidsOf(wrapper);
    assert.ok(registryPid && wrapperPid);
    process.kill(wrapperPid, 'SIGKILL');
    await until('t1c.exe registry to die with its wrapper', () => (pidsOf(`${exe} registry`).length === 0 ? true : undefined));
    await until('the port to close', async () => ((await closed(WELL_KNOWN)) ? true : undefined));
  });
});
