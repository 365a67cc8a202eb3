import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadSettings } from '../src/config/load.js';
import { parseRegQuery, queryRegistryKey, type RegRunner } from '../src/config/reg-query.js';
import { readRegistrySettings, settingsFromRegistry, REGISTRY_KEY } from '../src/config/registry-settings.js';

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
    ['an unknown value (a typo)', { name: 'Prot', type: 'REG_DWORD', data: '0x1' }, /Connector\\Prot: unknown value \(known: Port, DsUrl, LogLevel, AllowedOrigins\)/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what}, naming the registry value`, () => {
      assert.throws(() => settingsFromRegistry([value]), (error: Error) => message.test(error.message) && error.message.startsWith('invalid registry settings: HKCU\\Software\\T1C\\Connector\\'));
    });
  }
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

  it('the config file, the environment and flags are above the registry', () => {
    const file = join(home, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 40002, logLevel: 'debug' }));
    const s = loadSettings({ env: { ...env(), T1C_LOG_LEVEL: 'error' }, configFile: file, registry, flags: { allowOrigins: ['https://flag.example'] } });
    assert.equal(s.port, 40002);
    assert.equal(s.logLevel, 'error');
    assert.deepEqual(s.allowOrigins, ['https://flag.example']);
  });
});
