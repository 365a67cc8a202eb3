import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { updatedConfig } from '../src/cli/config-commands.js';
import { loadSettings } from '../src/config/load.js';
import { registryChannelOf } from '../src/registry/channel-address.js';

describe('configuration layers: flags > env > user file > installed baseline > defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 't1c-config-layers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, json: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
    return path;
  };
  const env = { T1C_DATA_DIR: dir };

  it("the administrator's system file sets what nobody else does; user file, env and flags override it", () => {
    const systemConfigFile = file('system.json', { port: 1111, logLevel: 'warn', allowOrigins: ['https://admin.example'] });
    const none = file('none.json', {});
    assert.deepEqual(
      (({ port, logLevel, allowOrigins }) => ({ port, logLevel, allowOrigins }))(loadSettings({ env, systemConfigFile, configFile: none, registry: () => ({}) })),
      { port: 1111, logLevel: 'warn', allowOrigins: ['https://admin.example'] });
    const user = file('user.json', { port: 2222 });
    assert.equal(loadSettings({ env, systemConfigFile, configFile: user, registry: () => ({}) }).port, 2222);
    assert.equal(loadSettings({ env: { ...env, T1C_PORT: '3333' }, systemConfigFile, configFile: user, registry: () => ({}) }).port, 3333);
    assert.equal(loadSettings({ env: { ...env, T1C_PORT: '3333' }, systemConfigFile, configFile: user, registry: () => ({}), flags: { port: 4444 } }).port, 4444);
    assert.equal(loadSettings({ env, systemConfigFile, configFile: none, registry: () => ({ port: 5555 }) }).port, 5555, 'the registry (Windows) sits with the baseline');
    assert.equal(loadSettings({ env, systemConfigFile: join(dir, 'missing.json'), configFile: none, registry: () => ({}) }).port, 51983, 'no system file: defaults');
  });

  it('a bad system file names itself, the key and the value; so does broken JSON and an unknown key', () => {
    const none = file('none.json', {});
    const load = (systemConfigFile: string): unknown => loadSettings({ env, systemConfigFile, configFile: none, registry: () => ({}) });
    assert.throws(() => load(file('s1.json', { port: 99999 })), /^Error: system config file .*s1\.json: port: Too big.*\(got 99999\)$/);
    assert.throws(() => load(file('s2.json', '{"port": 1,')), /system config file .*s2\.json: not JSON/);
    assert.throws(() => load(file('s3.json', { prot: 1 })), /system config file .*s3\.json: .*prot/);
  });

  it('the administrator\'s "registry" switch (agents of t1c registry for every user): true, an absolute socket path or 127.0.0.1:PORT; a user file can turn it off; bad values are refused', () => {
    const none = file('none.json', {});
    const load = (system: unknown, user: string = none): unknown => loadSettings({ env, systemConfigFile: file('reg-system.json', system), configFile: user, registry: () => ({}) }).registry;
    assert.equal(load({}), undefined, 'not set: a plain connector');
    assert.equal(load({ registry: true }), true);
    assert.equal(load({ registry: '/run/t1c-other/registry.sock' }), '/run/t1c-other/registry.sock');
    assert.equal(load({ registry: true }, file('reg-user.json', { registry: false })), false, "the user's file over the administrator's");
    assert.deepEqual(registryChannelOf(true, 'linux'), { kind: 'unix', path: '/run/t1c/registry.sock' });
    assert.deepEqual(registryChannelOf(true, 'win32'), { kind: 'tcp', port: 51984 });
    assert.equal(registryChannelOf(false), undefined);
    assert.equal(registryChannelOf(undefined), undefined);
    assert.deepEqual(registryChannelOf('/x/registry.sock'), { kind: 'unix', path: '/x/registry.sock' });
    assert.deepEqual(registryChannelOf('127.0.0.1:52001'), { kind: 'tcp', port: 52001 });
    assert.throws(() => registryChannelOf('/run/t1c/registry.sock', 'win32'), /a Unix socket \(\/run\/t1c\/registry\.sock\) is not available on Windows; use 127\.0\.0\.1:PORT/);
    assert.throws(() => load({ registry: 'registry.sock' }), /system config file .*reg-system\.json: registry: .*absolute socket path.*\(got "registry\.sock"\)/);
    assert.throws(() => load({ registry: '' }), /registry: .*\(got ""\)/);
    assert.throws(() => load({ registry: 1 }), /registry: .*\(got 1\)/);
    assert.equal(load({ registry: '127.0.0.1:51990' }), '127.0.0.1:51990', 'the TCP channel (Windows)');
    for (const remote of ['10.0.0.5:51984', '0.0.0.0:51984', 'localhost:51984', '127.0.0.1:']) assert.throws(() => load({ registry: remote }), /registry: .*127\.0\.0\.1:PORT/, remote);
    assert.throws(() => registryChannelOf('127.0.0.1:99999'), /expected an absolute socket path or 127\.0\.0\.1:PORT, got "127\.0\.0\.1:99999"/);
  });

  it('t1c config set merges into the user file and refuses a bad value, naming it, without writing', () => {
    const path = file('user-set.json', { logLevel: 'warn' });
    assert.deepEqual(updatedConfig(path, { port: 52000, allowOrigins: ['https://*.example.org'] }), { logLevel: 'warn', port: 52000, allowOrigins: ['https://*.example.org'] });
    assert.throws(() => updatedConfig(path, { port: 'abc' }), /invalid setting: port: .*\(got "abc"\)/);
    assert.throws(() => updatedConfig(path, { dsUrl: 'http://ds.example.org' }), /dsUrl: plain http:\/\/ is refused/);
    assert.throws(() => updatedConfig(path, { allowOrigins: ['example.org'] }), /"example.org" is not an origin/);
  });
});
