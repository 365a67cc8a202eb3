import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DsDeviceClient, DsRequestError, type RunningDistributionService, generateDeviceKey, newCounterBatchId, startDistributionService,
} from '../../src/index.js';
import { type Backend, openBackend } from '../helpers/backends.js';
import { call, codeOf, dataOf, json } from '../helpers/http.js';

const QUOTAS = { logUploadsPerDay: 3, logBytesPerDay: 64 * 1024, registrationsPerKeyPerHour: 3 };

const refused = (status: number, code: string, text: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof DsRequestError, String(e));
  assert.equal(e.status, status, e.message);
  assert.equal(e.code, code, e.message);
  assert.match(e.description, text);
  return true;
};

/**
 * A registered device (or a leaked registration key) abusing the DS, and admin input that
 * would widen trust: each refused with a clear 4xx, nothing written. Run once per backend.
 */
export function abuseSuite(backendName: 'pglite' | 'postgres'): void {
  describe(`device abuse and admin input (${backendName})`, () => {
    let backend: Backend;
    let ds: RunningDistributionService;
    /** A second replica on the same PostgreSQL database (postgres backend only). */
    let replica: RunningDistributionService | undefined;
    let appId = '';
    const get = async <T>(path: string): Promise<T> => dataOf<T>(await call(`${ds.url}/admin/api/v1${path}`, { headers: { authorization: `Bearer ${ds.adminToken}` } }));
    const post = (path: string, body: unknown) => call(`${ds.url}/admin/api/v1${path}`, json('POST', body, ds.adminToken));
    const newKey = async (maxDevices?: number): Promise<string> =>
      dataOf<{ registrationKey: string }>(await post('/versions/1.0.0/registration-keys', maxDevices === undefined ? {} : { maxDevices })).registrationKey;
    const device = async (dsUrl = ds.url): Promise<DsDeviceClient> => {
      const client = new DsDeviceClient({ dsUrl, privateKey: generateDeviceKey().privateKey });
      await client.register(await newKey(), { os: 'unix', version: '1.0.0' });
      return client;
    };

    before(async () => {
      backend = await openBackend(backendName);
      const options = { port: 0, dataDir: backend.dataDir, databaseUrl: backend.databaseUrl, keyEncryptionKey: backend.keyEncryptionKey, logLevel: 'silent' as const, quotas: QUOTAS };
      ds = await startDistributionService(options);
      if (backend.databaseUrl !== undefined) replica = await startDistributionService({ ...options, adminToken: ds.adminToken });
      dataOf(await post('/orgs', { name: 'Org' }));
      appId = dataOf<{ applicationId: string }>(await post('/apps', { org: 'Org', name: 'app', origins: ['https://a.test'] })).applicationId;
      dataOf(await call(`${ds.url}/admin/api/v1/versions/1.0.0`, json('PUT', { uris: { win64: 'https://dl.example/1.msi' } }, ds.adminToken)));
    });
    after(async () => {
      await replica?.close();
      await ds.close();
      await backend.dispose();
    });

    it('refuses wildcard origins over a public suffix (ICANN and private PSL sections) with a clear 400', async () => {
      const before = JSON.stringify(await get('/apps'));
      for (const origin of ['https://*.github.io', 'https://*.co.uk', 'https://*.s3.amazonaws.com', 'https://*.blogspot.com', 'https://*.com']) {
        for (const r of [await post('/apps', { org: 'Org', name: 'wild', origins: [origin] }), await post(`/apps/${appId}/origins`, { origin })]) {
          assert.deepEqual([r.status, codeOf(r)], [400, '106400'], `${origin}: ${r.text}`);
          if (origin !== 'https://*.com') assert.match(r.text, /public suffix/, origin);
        }
      }
      assert.equal(JSON.stringify(await get('/apps')), before, 'nothing written');
      for (const origin of ['https://*.example.org', 'https://*.gov.be', 'https://*.someone.github.io']) {
        const origins = dataOf<{ origins: string[] }>(await post(`/apps/${appId}/origins`, { origin })).origins;
        assert.ok(origins.includes(origin), origin);
      }
      for (const origin of ['https://*.example.org', 'https://*.gov.be', 'https://*.someone.github.io']) dataOf(await post(`/apps/${appId}/origins/remove`, { origin }));
    });

    it('refuses installer URIs that are not https:// with a clear 400', async () => {
      const before = JSON.stringify(await get('/versions'));
      for (const uri of ['http://dl.example/1.msi', 'HTTP://dl.example/1.msi', 'ftp://dl.example/1.msi', 'file:///tmp/x.msi', 'javascript:alert(1)']) {
        for (const id of ['1.0.0', '9.9.9']) {
          const r = await call(`${ds.url}/admin/api/v1/versions/${id}`, json('PUT', { uris: { win64: uri } }, ds.adminToken));
          assert.deepEqual([r.status, codeOf(r)], [400, '106400'], `${uri}: ${r.text}`);
          assert.match(r.text, /https:\/\//, uri);
        }
      }
      assert.equal(JSON.stringify(await get('/versions')), before, 'nothing written');
    });

    it('refuses counters for applications the DS does not know, and far-away days, counting nothing', async () => {
      const client = await device();
      const entry = { application: appId, tag: '', module: 'beid', useCase: 'identity-read', day: new Date().toISOString().slice(0, 10), count: 2 };
      const batchId = newCounterBatchId();
      const before = JSON.stringify(await get('/transactions'));
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ application: 'made-up-app' }, /unknown application "made-up-app"/],
        [{ application: '00000000-0000-4000-8000-000000000000' }, /unknown application/],
        [{ day: '2020-01-01' }, /day 2020-01-01 is outside/],
        [{ day: '2999-01-01' }, /day 2999-01-01 is outside/],
      ];
      for (const [over, text] of cases) {
        await assert.rejects(client.sync({ os: 'unix', version: '1.0.0' }, { batchId, entries: [entry, { ...entry, ...over }] }), refused(400, '106400', text));
      }
      assert.equal(JSON.stringify(await get('/transactions')), before, 'no batch was counted in part');
      // The refused batch id was not consumed: the honest batch under it is counted.
      assert.equal((await client.sync({ os: 'unix', version: '1.0.0' }, { batchId, entries: [entry, { ...entry, application: 'unknown' }] })).counters?.applied, true);
      const rows = await get<Array<{ application: string; count: number }>>('/transactions');
      assert.deepEqual(rows.map((r) => [r.application, r.count]).sort(), [[appId, 2], ['unknown', 2]]);
    });

    it('bounds what one device may count per application, use case and day, and per day, across syncs', async () => {
      const client = await device();
      const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const entry = { application: appId, tag: 'bulk', module: 'beid', useCase: 'signature', day, count: 1_000_000_000 };
      const rows = async () => JSON.stringify((await get<Array<{ tag: string }>>('/transactions')).filter((r) => r.tag === 'bulk'));
      const sync = (entries: object[]) => client.sync({ os: 'unix', version: '1.0.0' }, { batchId: newCounterBatchId(), entries: entries.map((e) => ({ ...entry, ...e })) });
      await assert.rejects(sync([{}]), refused(429, '104036', /1000000000 .* more than the 100000 one device may book per application, use case and day/));
      await assert.rejects(sync([{ count: 100_001 }]), refused(429, '104036', /per application, use case and day/));
      await assert.rejects(sync([{ count: 60_000 }, { count: 40_001, tag: 'other' }]), refused(429, '104036', /100001 .* per application, use case and day/), 'tags do not split the bound');
      assert.equal(await rows(), '[]', 'nothing counted');
      assert.equal((await sync([{ count: 60_000 }])).counters?.applied, true);
      await assert.rejects(sync([{ count: 40_001 }]), refused(429, '104036', /100001/), 'the bound holds across batches');
      assert.equal((await sync([{ count: 40_000 }])).counters?.applied, true);
      const perDay = [{ useCase: 'identity-read', count: 100_000 }, { useCase: 'authentication', count: 90_001 }];
      await assert.rejects(sync(perDay), refused(429, '104036', /290001 on .* more than the 250000 one device may book per day/));
      assert.deepEqual(JSON.parse(await rows()).map((r: { count: number }) => r.count), [100_000]);
      // Another device has its own budget.
      const other = await device();
      assert.equal((await other.sync({ os: 'unix', version: '1.0.0' }, { batchId: newCounterBatchId(), entries: [{ ...entry, count: 5 }] })).counters?.applied, true);
    });

    it('limits log uploads per device per day, in count and size, across replicas', async () => {
      const { privateKey } = generateDeviceKey();
      const client = new DsDeviceClient({ dsUrl: ds.url, privateKey });
      await client.register(await newKey(), { os: 'unix', version: '1.0.0' });
      const second = replica === undefined ? client : new DsDeviceClient({ dsUrl: replica.url, privateKey, deviceId: client.deviceId });
      const logs = async () => JSON.stringify(await get(`/logs?device=${client.deviceId ?? ''}`));
      await client.uploadLogs('one\n');
      await second.uploadLogs('two\n');
      await client.uploadLogs('three\n');
      const before = await logs();
      for (const c of [second, client]) {
        await assert.rejects(c.uploadLogs('four\n'), (e: unknown) => refused(429, '104036', /already uploaded 3 logs in the last 24 hours \(limit 3\)/)(e)
          && e instanceof DsRequestError && (e.retryAfterSeconds ?? 0) > 80_000);
      }
      assert.equal(await logs(), before, 'nothing stored');
      const big = await device();
      await big.uploadLogs('x'.repeat(40 * 1024));
      await assert.rejects(big.uploadLogs('y'.repeat(30 * 1024)), refused(429, '104036', /more than the 65536 allowed per device/));
      await big.uploadLogs('z'.repeat(20 * 1024));
    });

    it('limits the devices a registration key registers, without counting a device twice', async () => {
      const key = await newKey(2);
      const devices = await get<unknown[]>('/devices');
      const a = generateDeviceKey().privateKey;
      await new DsDeviceClient({ dsUrl: ds.url, privateKey: a }).register(key, { os: 'unix', version: '1.0.0' });
      await new DsDeviceClient({ dsUrl: replica?.url ?? ds.url, privateKey: generateDeviceKey().privateKey }).register(key, { os: 'unix', version: '1.0.0' });
      const again = await new DsDeviceClient({ dsUrl: ds.url, privateKey: a }).register(key, { os: 'win64', version: '1.0.0' });
      assert.match(again.deviceId, /^[0-9a-f-]{36}$/, 'a registered device registers again');
      const listed = await get<unknown[]>('/devices');
      assert.equal(listed.length, devices.length + 2);
      await assert.rejects(new DsDeviceClient({ dsUrl: ds.url, privateKey: generateDeviceKey().privateKey }).register(key, { os: 'unix', version: '1.0.0' }),
        refused(403, '104037', /reached its limit of 2 devices/));
      assert.equal((await get<unknown[]>('/devices')).length, listed.length, 'nothing written');
      const bad = await post('/versions/1.0.0/registration-keys', { maxDevices: 0 });
      assert.deepEqual([bad.status, codeOf(bad)], [400, '106400']);
    });

    it('limits new registrations per key per hour, across replicas', async () => {
      const key = await newKey();
      const register = (url: string) => new DsDeviceClient({ dsUrl: url, privateKey: generateDeviceKey().privateKey }).register(key, { os: 'unix', version: '1.0.0' });
      await register(ds.url);
      await register(replica?.url ?? ds.url);
      await register(ds.url);
      const count = (await get<unknown[]>('/devices')).length;
      for (const url of [ds.url, replica?.url ?? ds.url]) {
        await assert.rejects(register(url), (e: unknown) => refused(429, '104036', /registered 3 new devices in the last hour \(limit 3\)/)(e)
          && e instanceof DsRequestError && (e.retryAfterSeconds ?? 0) > 3000);
      }
      assert.equal((await get<unknown[]>('/devices')).length, count, 'nothing written');
    });
  });
}
