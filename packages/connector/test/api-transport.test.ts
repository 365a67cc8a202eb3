import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { installCommands, runTrustCommands, uninstallCommands } from '../src/os/trust-store.js';
import { ensureLocalCa, localCaPaths } from '../src/transport/local-ca.js';
import { tempDir } from './api-helpers/rig.js';

describe('local CA', () => {
  it('creates a CA and a localhost/127.0.0.1/::1 leaf with 0600 keys, reuses them, renews the leaf before expiry', async () => {
    const dir = tempDir('t1c-ca-');
    try {
      const first = await ensureLocalCa(dir.path, ['t1c.local']);
      const leaf = new X509Certificate(first.certPem);
      assert.ok(leaf.checkIssued(new X509Certificate(first.caCertPem)));
      for (const name of ['DNS:localhost', 'DNS:t1c.local', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']) assert.ok(leaf.subjectAltName?.includes(name), name);
      for (const file of Object.values(localCaPaths(dir.path))) assert.equal(statSync(file).mode & 0o777, 0o600, file);
      const again = await ensureLocalCa(dir.path, ['t1c.local']);
      assert.equal(again.renewed, false);
      assert.equal(again.certPem, first.certPem);
      const later = await ensureLocalCa(dir.path, ['t1c.local'], new Date(Date.now() + 160 * 86_400_000));
      assert.equal(later.renewed, true);
      assert.equal(later.caCertPem, first.caCertPem, 'the CA stays, so trust-store entries keep working');
    } finally {
      dir.remove();
    }
  });
});

describe('trust stores', () => {
  it('Linux: adds the CA to a fresh Chrome NSS DB and a Firefox profile under a temp HOME, then removes it', async () => {
    const home = tempDir('t1c-home-');
    try {
      const profile = `${home.path}/.mozilla/firefox/abc.default`;
      spawnSync('mkdir', ['-p', profile]);
      assert.equal(spawnSync('certutil', ['-d', `sql:${profile}`, '-N', '--empty-password']).status, 0);
      const ca = await ensureLocalCa(`${home.path}/data`);
      const input = { caCertPath: ca.caCertPath, nickname: 'T1C Local CA test', sha1: new X509Certificate(ca.caCertPem).fingerprint.replace(/:/g, ''), home: home.path };
      const results = runTrustCommands(installCommands('linux', input), { ...process.env, HOME: home.path });
      assert.equal(results.length, 2);
      assert.ok(results.every((r) => r.ok), JSON.stringify(results));
      for (const db of [`${home.path}/.pki/nssdb`, profile]) {
        const list = spawnSync('certutil', ['-d', `sql:${db}`, '-L'], { encoding: 'utf8' });
        assert.match(list.stdout, /T1C Local CA test\s+C,,/);
      }
      assert.ok(runTrustCommands(uninstallCommands('linux', input)).every((r) => r.ok));
      assert.doesNotMatch(spawnSync('certutil', ['-d', `sql:${profile}`, '-L'], { encoding: 'utf8' }).stdout, /T1C Local CA/);
    } finally {
      home.remove();
    }
  });

  it('macOS and Windows commands are built for the user store only', () => {
    const input = { caCertPath: '/d/ca.pem', nickname: 'T1C Local CA x', sha1: 'AB12', home: '/Users/a' };
    assert.deepEqual(installCommands('darwin', input)[0]?.args, ['add-trusted-cert', '-r', 'trustRoot', '-k', '/Users/a/Library/Keychains/login.keychain-db', '/d/ca.pem']);
    assert.deepEqual(uninstallCommands('darwin', input)[0]?.args, ['delete-certificate', '-Z', 'AB12', '/Users/a/Library/Keychains/login.keychain-db']);
    assert.deepEqual(installCommands('win32', input)[0]?.args, ['-user', '-addstore', 'Root', '/d/ca.pem']);
    assert.deepEqual(uninstallCommands('win32', input)[0]?.args, ['-user', '-delstore', 'Root', 'AB12']);
  });
});
