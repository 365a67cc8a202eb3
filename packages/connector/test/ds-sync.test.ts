import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdminClient, startDistributionService, type RunningDistributionService } from '@t1c/ds';
import { DsSync } from '../src/ds-client/index.js';

describe('connector ↔ Distribution Service sync (embedded database)', () => {
  let ds: RunningDistributionService;
  let admin: AdminClient;
  let registrationKey: string;
  let portalId: string;
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 't1c-sync-'));
    dirs.push(dir);
    return dir;
  };
  const deviceKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  before(async () => {
    ds = await startDistributionService({ port: 0, dataDir: tempDir(), logLevel: 'silent' });
    admin = new AdminClient(ds.url, ds.adminToken);
    await admin.call('POST', '/orgs', { name: 'Demo Org' });
    portalId = (await admin.call<{ applicationId: string }>('POST', '/apps', { org: 'Demo Org', name: 'portal', origins: ['https://portal.example.org', 'https://*.example.be'] })).applicationId;
    registrationKey = (await admin.call<{ registrationKey: string }>('PUT', '/versions/1.0.0', { recommended: true })).registrationKey;
  });
  after(async () => {
    await ds.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('registers on first sync and receives origins, JWKS, config and version policy, kept on disk 0600', async () => {
    const dataDir = tempDir();
    const sync = await DsSync.open({ dsUrl: ds.url, registrationKey, dataDir, deviceKey, version: '1.0.0', os: 'unix' });
    await sync.syncNow();
    assert.ok(sync.deviceId);
    assert.deepEqual([...(sync.last?.origins ?? [])].sort(), ['https://*.example.be', 'https://portal.example.org']);
    assert.ok((sync.last?.jwks.keys.length ?? 0) >= 1);
    assert.equal(typeof sync.last?.config['ds.cycle'], 'number');
    assert.equal(sync.last?.versionPolicy.allowed, true);
    assert.equal(statSync(join(dataDir, 'ds-state.json')).mode & 0o777, 0o600);

    const offline = await DsSync.open({ dsUrl: 'http://127.0.0.1:9', registrationKey: undefined, dataDir, deviceKey, version: '1.0.0', os: 'unix' });
    assert.equal(offline.deviceId, sync.deviceId, 'the registration survives a restart');
    assert.deepEqual(offline.last?.origins, sync.last?.origins, 'the last good sync is there without the DS');
    const errors: unknown[] = [];
    const failing = await DsSync.open({ dsUrl: 'http://127.0.0.1:9', registrationKey: undefined, dataDir, deviceKey, version: '1.0.0', os: 'unix', onError: (e: unknown) => errors.push(e) });
    await failing.syncNow();
    assert.equal(errors.length, 1);
    assert.deepEqual(failing.last?.origins, sync.last?.origins, 'a failed sync keeps what it knew');
  });

  it('trusts nothing from a state file without pinned DS keys, and registers again to pin them', async () => {
    const dataDir = tempDir();
    const first = await DsSync.open({ dsUrl: ds.url, registrationKey, dataDir, deviceKey, version: '1.0.0', os: 'unix' });
    await first.syncNow();
    const file = join(dataDir, 'ds-state.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { deviceId: string; signed: { payload: string }; syncedAt: string };
    const lastSync = JSON.parse(Buffer.from(saved.signed.payload, 'base64url').toString()) as { origins: string[] };
    // The format before pinning: the answer's data in clear, no keys, no signature.
    writeFileSync(file, JSON.stringify({ deviceId: saved.deviceId, lastSync: { ...lastSync, origins: ['https://planted.example'] }, syncedAt: saved.syncedAt }), { mode: 0o600 });
    const errors: unknown[] = [];
    const unpinned = await DsSync.open({ dsUrl: ds.url, registrationKey: undefined, dataDir, deviceKey, version: '1.0.0', os: 'unix', onError: (e: unknown) => errors.push(e) });
    assert.equal(unpinned.last, undefined, 'nothing unverified is used');
    assert.equal(unpinned.deviceId, undefined);
    assert.match(String(errors[0]), /no pinned DS sync keys; registering again/);
    await unpinned.syncNow();
    assert.match(String(errors[1]), /no registration key/);
    const again = await DsSync.open({ dsUrl: ds.url, registrationKey, dataDir, deviceKey, version: '1.0.0', os: 'unix' });
    await again.syncNow();
    assert.equal(again.deviceId, saved.deviceId, 'same device key, same device');
    assert.ok(!again.last?.origins.includes('https://planted.example'));
    assert.ok((JSON.parse(readFileSync(file, 'utf8')) as { syncKeys?: { keys: unknown[] } }).syncKeys?.keys.length);
  });

  it('sends counters once: an acknowledged batch is not sent again', async () => {
    const sync = await DsSync.open({ dsUrl: ds.url, registrationKey, dataDir: tempDir(), deviceKey, version: '1.0.0', os: 'unix' });
    await sync.syncNow();
    sync.counters.count(portalId, 'tag-a', 'beid', 'identity-read');
    sync.counters.count(portalId, 'tag-a', 'beid', 'identity-read');
    sync.counters.count(portalId, '', 'beid', 'signature');
    await sync.syncNow();
    assert.deepEqual(sync.counters.pending(), []);
    await sync.syncNow();
    const rows = await admin.call<{ application: string; tag: string; useCase: string; count: number }[]>('GET', '/transactions');
    const reads = rows.filter((r) => r.useCase === 'identity-read' && r.tag === 'tag-a');
    assert.equal(reads.reduce((n, r) => n + r.count, 0), 2);
  });

  it('drops a counter batch the DS refuses for good, reports it, and keeps syncing (no device stuck on a bad batch)', async () => {
    const errors: unknown[] = [];
    const sync = await DsSync.open({ dsUrl: ds.url, registrationKey, dataDir: tempDir(), deviceKey, version: '1.0.0', os: 'unix', onError: (e: unknown) => errors.push(e) });
    await sync.syncNow();
    await admin.call('POST', `/apps/${portalId}/origins`, { origin: 'https://late.example.org' });
    sync.counters.count('an-application-the-ds-never-issued', '', 'beid', 'signature');
    await sync.syncNow();
    assert.equal(errors.length, 1, 'the refusal is reported');
    assert.match(String(errors[0]), /106400/);
    assert.deepEqual(sync.counters.pending(), [], 'the refused batch is not retried forever');
    assert.ok(sync.last?.origins.includes('https://late.example.org'), 'the same sync still brought the new allow-list');
    sync.counters.count(portalId, 'after-refusal', 'beid', 'signature');
    await sync.syncNow();
    assert.equal(errors.length, 1);
    const rows = await admin.call<{ tag: string; count: number }[]>('GET', '/transactions');
    assert.equal(rows.filter((r) => r.tag === 'after-refusal').reduce((n, r) => n + r.count, 0), 1, 'later counters still arrive');
  });

  it('sends more than one batch of distinct counters without losing any', async () => {
    const sync = await DsSync.open({ dsUrl: ds.url, registrationKey, dataDir: tempDir(), deviceKey, version: '1.0.0', os: 'unix' });
    await sync.syncNow();
    for (let i = 0; i < 1005; i++) sync.counters.count(portalId, `bulk-${i}`, 'beid', 'identity-read');
    await sync.syncNow();
    assert.equal(sync.counters.pending().length, 5, 'what did not fit waits for the next sync');
    await sync.syncNow();
    assert.deepEqual(sync.counters.pending(), []);
    const rows = await admin.call<{ tag: string; count: number }[]>('GET', '/transactions');
    assert.equal(rows.filter((r) => r.tag.startsWith('bulk-')).length, 1005);
  });

  it('refuses to register with a wrong registration key, and reports it', async () => {
    const errors: unknown[] = [];
    const sync = await DsSync.open({ dsUrl: ds.url, registrationKey: 'rk_wrong.wrong', dataDir: tempDir(), deviceKey, version: '1.0.0', os: 'unix', onError: (e: unknown) => errors.push(e) });
    await sync.syncNow();
    assert.equal(sync.deviceId, undefined);
    assert.equal(errors.length, 1);
  });

  it('tells a version the DS marked mandatory to update', async () => {
    const key = (await admin.call<{ registrationKey: string }>('PUT', '/versions/0.9.0', {})).registrationKey;
    await admin.call('PUT', '/versions/1.1.0', { mandatory: true });
    const sync = await DsSync.open({ dsUrl: ds.url, registrationKey: key, dataDir: tempDir(), deviceKey, version: '0.9.0', os: 'unix' });
    await sync.syncNow();
    assert.equal(sync.last?.versionPolicy.action, 'update-mandatory');
    assert.equal(sync.last?.versionPolicy.latest?.id, '1.1.0');
  });
});
