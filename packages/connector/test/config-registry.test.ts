import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadSettings } from '../src/config/load.js';
import { parseRegQuery, queryRegistryKey, type RegRunner } from '../src/config/reg-query.js';
import { MACHINE_REGISTRY_KEY, readMachineRegistrySettings, readRegistrySettings, settingsFromRegistry, REGISTRY_KEY } from '../src/config/registry-settings.js';

// Byte for byte what reg.exe printed: Windows 10 and Wine 8 (the latter captured under Wine).
const WINDOWS = '\r\nHKEY_CURRENT_USER\\Software\\T1C\\Connector\r\n    (Default)    REG_SZ    x\r\n    Port    REG_DWORD    0xcb10\r\n'
  + '    DsUrl    REG_SZ    https://ds.example.org/t1c\r\n    LogLevel    REG_SZ    \r\n    AllowedOrigins    REG_SZ    https://a.example, https://b.example\r\n\r\n'
  + 'HKEY_CURRENT_USER\\Software\\T1C\\Connector\\Sub\r\n';
const WINE = '\r\nHKEY_CURRENT_USER\\Software\\T1C\\Connector\r\n    AllowedOrigins    REG_SZ    \r\n    DsUrl    REG_SZ    \r\n    LogLevel    REG_SZ    \r\n    Port    REG_DWORD    0xcb0f\r\n\r\n';

const runner = (status: number, stdout: string): RegRunner => () => ({ status, stdout });

describe('reg query output', () => {
  it('reads Windows output: values with spaces, empty values; skips the default value and subkeys', () => {
    assert.deepEqual(parseRegQuery(WINDOWS), [
      { name: 'Port', type: 'REG_DWORD', data: '0xcb10' },
      { name: 'DsUrl', type: 'REG_SZ', data: 'https://ds.example.org/t1c' },
      { name: 'LogLevel', type: 'REG_SZ', data: '' },
      { name: 'AllowedOrigins', type: 'REG_SZ', data: 'https://a.example, https://b.example' },
    ]);
  });

  it('reads Wine output the same way', () => {
    assert.deepEqual(parseRegQuery(WINE).map((v) => `${v.name}=${v.data}`), ['AllowedOrigins=', 'DsUrl=', 'LogLevel=', 'Port=0xcb0f']);
  });

  it('a missing key (reg exits 1, says so in its own words) is no layer, not an error', () => {
    assert.equal(queryRegistryKey(REGISTRY_KEY, runner(1, 'reg: Unable to find the specified registry key\r\n')), undefined);
    assert.deepEqual(readRegistrySettings(runner(1, 'ERROR: The system was unable to find the specified registry key or value.\r\n')), {});
  });

  it('reg.exe that cannot run is an error naming the key', () => {
    assert.throws(() => queryRegistryKey(REGISTRY_KEY, () => ({ status: null, stdout: '', error: new Error('spawn ENOENT') })),
      /cannot read the registry key HKCU\\Software\\T1C\\Connector: spawn ENOENT/);
  });
});

describe('registry settings layer', () => {
  it('maps the values the MSI writes; empty strings are "not set"', () => {
    assert.deepEqual(readRegistrySettings(runner(0, WINE)), { port: 51983 });
    assert.deepEqual(readRegistrySettings(runner(0, WINDOWS)), {
      port: 51984, dsUrl: 'https://ds.example.org/t1c', allowOrigins: ['https://a.example', 'https://b.example'],
    });
  });

  it('Port 0 is "not set"; REG_MULTI_SZ origins are a list; names are case-insensitive', () => {
    assert.deepEqual(settingsFromRegistry([
      { name: 'port', type: 'REG_DWORD', data: '0x0' },
      { name: 'AllowedOrigins', type: 'REG_MULTI_SZ', data: 'https://a.example\\0https://*.b.example' },
    ]), { allowOrigins: ['https://a.example', 'https://*.b.example'] });
  });

  const bad: Array<[string, { name: string; type: string; data: string }, RegExp]> = [
    ['a Port that is a string', { name: 'Port', type: 'REG_SZ', data: '51983' }, /Connector\\Port: must be REG_DWORD, is REG_SZ/],
    ['a Port above 65535', { name: 'Port', type: 'REG_DWORD', data: '0x10000' }, /Connector\\Port: .*65535.*\(got 65536\)/],
    ['a LogLevel that is not a level', { name: 'LogLevel', type: 'REG_SZ', data: 'loud' }, /Connector\\LogLevel: .*\(got "loud"\)/],
    ['a DsUrl that is not a URL', { name: 'DsUrl', type: 'REG_SZ', data: 'ds.example.org' }, /Connector\\DsUrl: .*URL.*\(got "ds.example.org"\)/i],
    ['a DsUrl as REG_EXPAND_SZ', { name: 'DsUrl', type: 'REG_EXPAND_SZ', data: '%DS%' }, /Connector\\DsUrl: must be REG_SZ, is REG_EXPAND_SZ/],
    ['an unknown value (a typo)', { name: 'Prot', type: 'REG_DWORD', data: '0x1' }, /Connector\\Prot: unknown value \(known: Port, DsUrl, LogLevel, AllowedOrigins, Registry, Transport\)/],
    ['a Registry switch that is not 0 or 1', { name: 'Registry', type: 'REG_DWORD', data: '0x2' }, /Connector\\Registry: must be 0 or 1 \(got 0x2\)/],
    ['a Registry switch as a string', { name: 'Registry', type: 'REG_SZ', data: 'on' }, /Connector\\Registry: must be REG_DWORD, is REG_SZ/],
    ['a Transport that is not one', { name: 'Transport', type: 'REG_SZ', data: 'https' }, /Connector\\Transport: .*\(got "https"\)/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what}, naming the registry value`, () => {
      assert.throws(() => settingsFromRegistry([value]), (error: Error) => message.test(error.message) && error.message.startsWith('invalid registry settings: HKCU\\Software\\T1C\\Connector\\'));
    });
  }
});

// What the per-machine MSI writes with REGISTRY=1, as Wine's reg.exe prints it.
const MACHINE = '\r\nHKEY_LOCAL_MACHINE\\Software\\T1C\\Connector\r\n    AllowedOrigins    REG_SZ    \r\n    DsUrl    REG_SZ    \r\n    LogLevel    REG_SZ    \r\n'
  + '    Registry    REG_DWORD    0x1\r\n    Transport    REG_SZ    http\r\n\r\n';

describe('machine registry layer (HKLM)', () => {
  it('reads HKLM\\Software\\T1C\\Connector: the Registry switch and the transport of a machine-wide Registry', () => {
    const asked: string[][] = [];
    const settings = readMachineRegistrySettings((args) => { asked.push([...args]); return { status: 0, stdout: MACHINE }; });
    assert.deepEqual(asked, [['query', 'HKLM\\Software\\T1C\\Connector']]);
    assert.deepEqual(settings, { registry: true, transport: 'http' });
    assert.deepEqual(settingsFromRegistry([{ name: 'Registry', type: 'REG_DWORD', data: '0x0' }]), { registry: false }, '0 is an explicit off');
  });

  it('errors name the HKLM value, not HKCU', () => {
    assert.throws(() => readMachineRegistrySettings(runner(0, MACHINE.replace('http', 'gopher'))),
      /^Error: invalid registry settings: HKLM\\Software\\T1C\\Connector\\Transport: .*\(got "gopher"\)$/);
    assert.equal(MACHINE_REGISTRY_KEY, 'HKLM\\Software\\T1C\\Connector');
  });

  it('a missing HKLM key is no layer', () => {
    assert.deepEqual(readMachineRegistrySettings(runner(1, 'ERROR: The system was unable to find the specified registry key or value.\r\n')), {});
  });
});

describe('registry in the precedence', () => {
  let home: string;
  before(() => { home = mkdtempSync(join(tmpdir(), 't1c-registry-')); });
  after(() => rmSync(home, { recursive: true, force: true }));

  const env = (): NodeJS.ProcessEnv => ({ HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') });
  const registry = () => ({ port: 40001, logLevel: 'warn' as const, allowOrigins: ['https://reg.example'] });

  it('the registry is above the defaults', () => {
    const s = loadSettings({ env: env(), registry });
    assert.equal(s.port, 40001);
    assert.equal(s.logLevel, 'warn');
    assert.deepEqual(s.allowOrigins, ['https://reg.example']);
  });

  it('the machine key (HKLM) is above the defaults and below the user key (HKCU); a user can turn the Registry switch off', () => {
    const machineRegistry = () => ({ registry: true, transport: 'http' as const, port: 40010, logLevel: 'error' as const });
    const s = loadSettings({ env: env(), registry, machineRegistry });
    assert.equal(s.registry, true);
    assert.equal(s.transport, 'http');
    assert.equal(s.port, 40001, 'HKCU over HKLM');
    assert.equal(s.logLevel, 'warn', 'HKCU over HKLM');
    assert.equal(loadSettings({ env: env(), registry: () => ({ registry: false }), machineRegistry }).registry, false);
    assert.equal(loadSettings({ env: env(), registry: () => ({}), machineRegistry }).port, 40010);
    assert.equal(loadSettings({ env: { ...env(), T1C_TRANSPORT: 'local-ca' }, registry, machineRegistry }).transport, 'local-ca', 'the environment over both');
  });

  it('the config file, the environment and flags are above the registry', () => {
    const file = join(home, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 40002, logLevel: 'debug' }));
    const s = loadSettings({ env: { ...env(), T1C_LOG_LEVEL: 'error' }, configFile: file, registry, flags: { allowOrigins: ['https://flag.example'] } });
    assert.equal(s.port, 40002);
    assert.equal(s.logLevel, 'error');
    assert.deepEqual(s.allowOrigins, ['https://flag.example']);
  });
});
