import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SPECIMEN_HOLDER } from '@t1c/emulator';
import { build as buildMsi } from '../../../packaging/installers/msi.mjs';
import { parsePe } from './helpers/binary-headers.js';
import { executableOf, ROOT, ROOT_VERSION } from './helpers/dist-exe.js';
import { ensureMsis, MSIS, msiTable as msiTableOf } from './helpers/dist-msi.js';
import { WinePrefix, type WineProcess } from './helpers/wine.js';
import { freePort } from './helpers/free-port.js';

const MSI = MSIS.perUser;
const SETTINGS = 'HKCU\\Software\\T1C\\Connector';
const RUN = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run';

async function ensureMsi(): Promise<void> {
  await ensureMsis();
}

function msiTable(table: string): string[][] {
  return msiTableOf(MSI, table);
}


/** Waits until the program's log says it listens (or it exits); Wine's first start of a program is slow. */
async function listening(p: WineProcess): Promise<string> {
  let exit: number | null | undefined;
  void p.exited().then((code) => { exit = code; });
  for (let i = 0; i < 600; i++) {
    const m = /t1c api listening on (\S+)/.exec(p.log());
    if (m?.[1]) return m[1];
    if (exit !== undefined) throw new Error(`t1c.exe exited with ${String(exit)}:\n${p.log()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`t1c.exe did not listen:\n${p.log()}`);
}

// A bound, not a measurement: a Wine program that never exits must fail the file, not hang CI.
describe('Windows MSI (wixl), installed, run and removed under Wine', { timeout: 900_000 }, () => {
  let wine: WinePrefix;
  let installDir: string;
  let startMenu: string;
  let doctorEntry: string;
  let exe: string;
  let launcher: string;
  let dataDir: string;

  before(async () => {
    await ensureMsi();
    wine = WinePrefix.create();
    copyFileSync(MSI, join(wine.path, 'drive_c', 't1c.msi'));
    dataDir = join(wine.userDir, 'AppData', 'Local', 't1c');
    installDir = join(wine.userDir, 'AppData', 'Local', 'Programs', 'T1C');
    exe = `${wine.windowsUserDir}\\AppData\\Local\\Programs\\T1C\\t1c.exe`;
    launcher = `${wine.windowsUserDir}\\AppData\\Local\\Programs\\T1C\\t1cw.exe`;
    startMenu = join(wine.userDir, 'AppData', 'Roaming', 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'T1C Connector.lnk');
    doctorEntry = join(startMenu, '..', 'Check the card connector.lnk');
  });
  after(() => {
    wine.close();
  });

  it('the MSI is per-user and holds t1c.exe, its windowless launcher, a Start menu shortcut, the Run value and the settings key', () => {
    assert.deepEqual(msiTable('File').map((r) => r[2]), ['t1c.exe', 't1cw.exe']);
    const extracted = mkdtempSync(join(tmpdir(), 't1c-msiextract-'));
    try {
      const r = spawnSync('msiextract', ['-C', extracted, MSI], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split(/\r?\n/).sort(), ['Programs/T1C/t1c.exe', 'Programs/T1C/t1cw.exe']);
      const t1c = readFileSync(join(extracted, 'Programs', 'T1C', 't1c.exe'));
      assert.ok(t1c.equals(readFileSync(executableOf('win-x64'))), 'the built t1c.exe, unchanged');
      const windowless = readFileSync(join(extracted, 'Programs', 'T1C', 't1cw.exe'));
      assert.equal(parsePe(t1c).subsystem, 3, 't1c.exe stays a console program (the CLI)');
      assert.equal(parsePe(windowless).subsystem, 2, 't1cw.exe is a GUI program: Windows opens no console for it');
      assert.equal(parsePe(windowless).machine, 0x8664);
      assert.ok(windowless.length < 16_384, `a small launcher (${windowless.length} bytes)`);
    } finally {
      rmSync(extracted, { recursive: true, force: true });
    }
    assert.equal(msiTable('Property').find((r) => r[0] === 'ALLUSERS'), undefined, 'no ALLUSERS: a per-user install');
    const registry = msiTable('Registry').map(([, root, key = '', name, value]) => [root, key.replace(/\\$/, ''), name, value]);
    assert.deepEqual(registry.filter((r) => r[1] === 'Software\\T1C\\Connector').map((r) => `${String(r[2])}=${String(r[3])}`).sort(),
      ['AllowedOrigins=[ALLOWEDORIGINS]', 'DsUrl=[DSURL]', 'LogLevel=[LOGLEVEL]', 'Port=[PORTVALUE]']);
    // "#51983" is a DWORD to Windows Installer.
    assert.deepEqual(msiTable('Property').find((r) => r[0] === 'PORTVALUE'), ['PORTVALUE', '#51983']);
    assert.deepEqual(registry.find((r) => r[1] === 'Software\\Microsoft\\Windows\\CurrentVersion\\Run'),
      ['1', 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'T1C Connector', '"[INSTALLDIR]t1cw.exe" api --log-file']);
    assert.ok(registry.every((r) => r[0] === '1'), 'everything under HKCU');
    // "Check the card connector": t1c doctor in a console that stays open (cmd /k strips the outer quotes).
    assert.deepEqual(msiTable('Shortcut').map((r) => [r[1], r[2], r[4], r[5]]).sort(), [
      ['ProgramMenuFolder', 'Check the card connector', '[SystemFolder]cmd.exe', '/k ""[INSTALLDIR]t1c.exe" doctor"'],
      ['ProgramMenuFolder', 'T1C Connector', '[INSTALLDIR]t1cw.exe', 'api --log-file'],
    ]);
    const sequence = new Map(msiTable('InstallExecuteSequence').map(([action = '', condition = '', n = '']) => [action, { condition, n: Number(n) }]));
    const at = (action: string): number => sequence.get(action)?.n ?? Number.NaN;
    assert.equal(sequence.get('StopConnector')?.condition, 'REMOVE="ALL" OR WIX_UPGRADE_DETECTED');
    assert.ok(at('StopConnector') < at('InstallValidate') && at('StopConnector') < at('RemoveExistingProducts'), 'stopped before the files-in-use check and the old version goes');
    assert.equal(sequence.get('RemoveData')?.condition, 'REMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE AND NOT KEEPDATA');
    assert.ok(at('InstallInitialize') < at('RemoveData') && at('RemoveData') < at('RemoveFiles'), 'deferred, before the files go');
  });

  it('msiexec /i /qn installs under %LOCALAPPDATA%\\Programs\\T1C with a Start menu entry, the Run value and the settings key', () => {
    const r = wine.run(['msiexec', '/i', 'C:\\t1c.msi', '/qn']);
    assert.equal(r.status, 0, r.stdout);
    assert.ok(statSync(join(installDir, 't1c.exe')).size > 10_000_000, 't1c.exe installed');
    assert.ok(existsSync(startMenu), 'Start menu shortcut');
    assert.ok(existsSync(doctorEntry), '"Check the card connector" shortcut');
    const run = wine.regQuery(RUN)?.find((v) => v.name === 'T1C Connector');
    assert.deepEqual(run, { name: 'T1C Connector', type: 'REG_SZ', data: `"${launcher}" api --log-file` });
    assert.deepEqual(wine.regQuery(SETTINGS)?.map((v) => `${v.name} ${v.type} ${v.data}`).sort(),
      ['AllowedOrigins REG_SZ ', 'DsUrl REG_SZ ', 'LogLevel REG_SZ ', 'Port REG_DWORD 0xcb0f']);
  });

  it('the installed t1c.exe listens on the Port set in the registry, serves /info and the virtual eID; PC/SC is reported unavailable', async () => {
    const port = await freePort();
    wine.regAdd(SETTINGS, 'Port', 'REG_DWORD', String(port));
    // No --port: the registry decides.
    const api = wine.start([exe, 'api', '--http', '--no-jwt', '--virtual-card', 'beid'], join(wine.path, 'api.log'));
    try {
      assert.equal(await listening(api), `http://127.0.0.1:${port}`);
      const info = await fetch(`http://127.0.0.1:${port}/info`);
      assert.equal(info.status, 200);
      const body = await info.json() as { t1CInfoOS: { os: string }; t1CInfoAPI: { version: string } };
      assert.equal(body.t1CInfoAPI.version, '3.8.8');
      assert.match(body.t1CInfoOS.os, /windows/i);

      const readers = await fetch(`http://127.0.0.1:${port}/v3/readers`);
      assert.equal(readers.status, 200);
      assert.equal(readers.headers.get('x-t1c-pcsc'), 'unavailable', 'Wine has no working PC/SC: reported, not fatal');
      const list = (await readers.json() as { data: { id: string; name: string }[] }).data;
      assert.deepEqual(list.map((r) => r.name), ['T1C Virtual Reader (beid 1.8)']);
      const rid = list[0]?.id ?? '';
      const bio = await fetch(`http://127.0.0.1:${port}/v3/modules/beid/apps/token/readers/${rid}/biometric`);
      assert.equal(bio.status, 200);
      const holder = (await bio.json() as { data: { name: string; nationalNumber: string } }).data;
      assert.equal(holder.nationalNumber, SPECIMEN_HOLDER.nationalNumber);
      assert.equal(holder.name, SPECIMEN_HOLDER.surname);
    } finally {
      await wine.stop(api);
      // Its sandbox child too: an uninstall must not find the installed t1c.exe running.
      wine.killAll();
    }
  });

  it('exactly the Run value\'s command line starts the connector without a console, logging to %LOCALAPPDATA%\\t1c\\logs: it serves /info (503 112013, not configured) and says so in the log', async () => {
    const port = await freePort();
    wine.regAdd(SETTINGS, 'Port', 'REG_DWORD', String(port));
    const command = wine.regQuery(RUN)?.find((v) => v.name === 'T1C Connector')?.data ?? '';
    // What Windows does with a Run value: the quoted program, then its arguments.
    const m = /^"([^"]+)"((?: [^ "]+)*)$/.exec(command);
    assert.ok(m?.[1], `a quoted program and plain arguments: ${command}`);
    const logFile = join(dataDir, 'logs', 'connector.log');
    const started = wine.start([m[1], ...(m[2] ?? '').split(' ').filter((a) => a.length > 0)], join(wine.path, 'run-value.log'));
    try {
      let exit: number | null | undefined;
      void started.exited().then((code) => { exit = code; });
      for (let i = 0; i < 600 && !(existsSync(logFile) && /Server listening at/.test(readFileSync(logFile, 'utf8'))); i++) {
        assert.equal(exit, undefined, `the launcher exited with ${String(exit)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const log = readFileSync(logFile, 'utf8');
      assert.match(log, new RegExp(`Server listening at https://127\\.0\\.0\\.1:${port}`));
      assert.match(log, /not configured: no Distribution Service/);
      // Default transport: HTTPS with the local CA it made on this first start.
      const ca = readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8');
      const info = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        httpsGet({ host: '127.0.0.1', port, path: '/info', ca }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        }).on('error', reject);
      });
      assert.equal(info.status, 503);
      assert.match(info.body, /112013/);
      assert.equal(readFileSync(join(wine.path, 'run-value.log'), 'utf8'), '', 'the launcher itself writes nothing');
    } finally {
      await wine.stop(started);
      wine.killAll();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('t1cw.exe passes its arguments on unchanged (a path with spaces) and returns t1c.exe\'s exit code; a start failure lands in the log file', async () => {
    const logDir = join(wine.path, 'drive_c', 't1c logs');
    const p = wine.start([launcher, 'api', '--log-file', 'C:\\t1c logs\\start failure.log', '--port', 'nope', '--http'], join(wine.path, 'fail.log'));
    assert.equal(await p.exited(), 1);
    assert.match(readFileSync(join(logDir, 'start failure.log'), 'utf8'), /"level":60,.*t1c api could not start: invalid settings: port: /);
    rmSync(logDir, { recursive: true, force: true });
  });

  it('a bad registry value stops t1c.exe with an error naming the value; the API never listens', async () => {
    wine.regAdd(SETTINGS, 'LogLevel', 'REG_SZ', 'loud');
    try {
      const api = wine.start([exe, 'api', '--http', '--no-jwt'], join(wine.path, 'bad.log'));
      const code = await api.exited();
      assert.notEqual(code, 0);
      assert.match(api.log(), /invalid registry settings: HKCU\\Software\\T1C\\Connector\\LogLevel: .*\(got "loud"\)/);
      assert.doesNotMatch(api.log(), /listening/);
    } finally {
      wine.regAdd(SETTINGS, 'LogLevel', 'REG_SZ', '');
    }
  });

  it('msiexec /x /qn while the connector runs (as after login) stops it and removes files, Start menu entry, Run value, settings key and data', async () => {
    const api = wine.start([exe, 'api', '--http', '--no-jwt', '--port', '0', '--virtual-card', 'beid'], join(wine.path, 'running.log'));
    try {
      await listening(api);
      assert.ok(existsSync(dataDir), 'the connector made its data folder (device key, FFI binary)');
      const r = wine.run(['msiexec', '/x', 'C:\\t1c.msi', '/qn']);
      assert.equal(r.status, 0, r.stdout);
      await api.exited();
    } finally {
      await wine.stop(api);
    }
    assert.equal(existsSync(installDir), false, 'install folder removed');
    assert.equal(existsSync(startMenu), false, 'Start menu entry removed');
    assert.equal(existsSync(doctorEntry), false, '"Check the card connector" removed');
    assert.equal(existsSync(dataDir), false, 'data folder removed');
    assert.equal(wine.regQuery(RUN)?.find((v) => v.name === 'T1C Connector'), undefined, 'Run value removed');
    assert.equal(wine.regQuery(SETTINGS), undefined, 'settings key removed');
    assert.equal(wine.regQuery('HKCU\\Software\\T1C'), undefined, 'nothing left under HKCU\\Software\\T1C');
  });

  it('settings given as msiexec properties land in the registry; KEEPDATA=1 keeps the data folder on uninstall', () => {
    const r = wine.run(['msiexec', '/i', 'C:\\t1c.msi', '/qn', 'PORT=52001', 'DSURL=https://ds.example.org/t1c', 'LOGLEVEL=warn',
      'ALLOWEDORIGINS=https://a.example https://b.example']);
    assert.equal(r.status, 0, r.stdout);
    assert.deepEqual(wine.regQuery(SETTINGS)?.map((v) => `${v.name} ${v.type} ${v.data}`).sort(), [
      'AllowedOrigins REG_SZ https://a.example https://b.example', 'DsUrl REG_SZ https://ds.example.org/t1c', 'LogLevel REG_SZ warn', 'Port REG_DWORD 0xcb21',
    ]);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'kept.txt'), 'kept');
    const x = wine.run(['msiexec', '/x', 'C:\\t1c.msi', '/qn', 'KEEPDATA=1']);
    assert.equal(x.status, 0, x.stdout);
    assert.equal(readFileSync(join(dataDir, 'kept.txt'), 'utf8'), 'kept');
    assert.equal(existsSync(installDir), false, 'install folder removed');
    assert.equal(wine.regQuery('HKCU\\Software\\T1C'), undefined, 'registry removed');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an upgrade (same UpgradeCode, next version) stops the running connector and keeps the settings changed since install', async () => {
    const next = mkdtempSync(join(tmpdir(), 't1c-msi-next-'));
    try {
      const [major, minor, patch] = ROOT_VERSION.split(/[.-]/).map(Number);
      const [nextMsi] = await buildMsi({ root: ROOT, distDir: next, version: `${major}.${minor}.${(patch ?? 0) + 1}`, targets: [{ name: 'win-x64', executable: executableOf('win-x64') }] });
      assert.ok(nextMsi);
      copyFileSync(nextMsi, join(wine.path, 'drive_c', 't1c-next.msi'));
      assert.equal(wine.run(['msiexec', '/i', 'C:\\t1c.msi', '/qn']).status, 0);
      wine.regAdd(SETTINGS, 'AllowedOrigins', 'REG_SZ', 'https://kept.example');
      wine.regAdd(SETTINGS, 'Port', 'REG_DWORD', '52002');
      const api = wine.start([exe, 'api', '--http', '--no-jwt', '--port', '0'], join(wine.path, 'upgrade.log'));
      try {
        await listening(api);
        const r = wine.run(['msiexec', '/i', 'C:\\t1c-next.msi', '/qn']);
        assert.equal(r.status, 0, r.stdout);
        await api.exited();
      } finally {
        await wine.stop(api);
      }
      assert.deepEqual(wine.regQuery(SETTINGS)?.map((v) => `${v.name} ${v.type} ${v.data}`).sort(), [
        'AllowedOrigins REG_SZ https://kept.example', 'DsUrl REG_SZ ', 'LogLevel REG_SZ ', 'Port REG_DWORD 0xcb22',
      ]);
      assert.ok(existsSync(join(installDir, 't1c.exe')), 't1c.exe installed');
      assert.equal(wine.regQuery(RUN)?.find((v) => v.name === 'T1C Connector')?.data, `"${launcher}" api --log-file`);
      const x = wine.run(['msiexec', '/x', 'C:\\t1c-next.msi', '/qn']);
      assert.equal(x.status, 0, x.stdout);
      assert.equal(existsSync(installDir), false, 'the upgraded version uninstalls completely');
      assert.equal(wine.regQuery('HKCU\\Software\\T1C'), undefined);
    } finally {
      rmSync(next, { recursive: true, force: true });
    }
  });
});
