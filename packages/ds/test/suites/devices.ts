import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DEVICE_PATHS, DsDeviceClient, DsRequestError, type RunningDistributionService, type SyncData,
  fetchApplicationToken, generateDeviceKey, newCounterBatchId, signEnvelope, startDistributionService,
} from '../../src/index.js';
import { type GeneralJWS, createLocalJWKSet, createRemoteJWKSet, generalVerify } from 'jose';
import { type Backend, openBackend } from '../helpers/backends.js';
import { call, codeOf, dataOf, json } from '../helpers/http.js';

/** Versions, device registration, signed sync and counters, run once per database backend. */
export function deviceSuite(backendName: 'pglite' | 'postgres'): void {
  describe(`versions and devices (${backendName})`, () => {
    let backend: Backend;
    let ds: RunningDistributionService;
    const admin = (path: string): string => `${ds.url}/admin/api/v1${path}`;
    const keys = generateDeviceKey();
    let regKey = '';
    let appId = '';

    before(async () => {
      backend = await openBackend(backendName);
      ds = await startDistributionService({ port: 0, dataDir: backend.dataDir, databaseUrl: backend.databaseUrl, keyEncryptionKey: backend.keyEncryptionKey, logLevel: 'silent' });
      const put = (id: string, body: object) => call(admin(`/versions/${id}`), json('PUT', body, ds.adminToken));
      const v1 = dataOf<{ registrationKey: string | null }>(await put('1.0.0', { uris: { win64: 'https://dl.example/1.0.0.msi', unix: 'https://dl.example/1.0.0.deb' } }));
      assert.match(v1.registrationKey ?? '', /^t1crk_[0-9a-f]{16}\./);
      regKey = v1.registrationKey ?? '';
      dataOf(await put('1.1.0', { recommended: true, uris: { win64: 'https://dl.example/1.1.0.msi' } }));
      dataOf(await put('0.9.0', { allowed: false }));
      const again = dataOf<{ registrationKey: string | null }>(await put('1.0.0', { uris: { win64: 'https://dl.example/1.0.0.msi', unix: 'https://dl.example/1.0.0.deb' } }));
      assert.equal(again.registrationKey, null, 'an update does not reissue keys');
    });
    after(async () => {
      await ds.close();
      await backend.dispose();
    });

    it('answers versions/latest only with an application JWT, in T1C shape', async () => {
      assert.equal((await call(`${ds.url}/v3_5/versions/latest`)).status, 401);
      assert.equal((await call(`${ds.url}/v3_5/versions/latest`, { headers: { authorization: 'Bearer x.y.z' } })).status, 401);
      dataOf(await call(admin('/orgs'), json('POST', { name: 'Org' }, ds.adminToken)));
      const app = dataOf<{ apiKey: string; applicationId: string }>(await call(admin('/apps'), json('POST', { org: 'Org', name: 'a', origins: ['https://a.test'] }, ds.adminToken)));
      appId = app.applicationId;
      const jwt = await fetchApplicationToken(ds.url, app.apiKey);
      const latest = dataOf<Record<string, unknown>>(await call(`${ds.url}/v3_5/versions/latest`, { headers: { authorization: `Bearer ${jwt}` } }));
      assert.deepEqual(latest, { id: '1.1.0', recommended: true, mandatory: false, allowed: true, uris: [{ os: 'WIN64', uri: 'https://dl.example/1.1.0.msi' }] });
    });

    it('redirects installer downloads to the version URI', async () => {
      const r = await call(`${ds.url}/v3_5/downloads/installers/win64`);
      assert.equal(r.status, 302);
      assert.equal(r.headers.get('location'), 'https://dl.example/1.1.0.msi');
      const pinned = await call(`${ds.url}/v3_5/downloads/installers/unix?version=1.0.0`);
      assert.equal(pinned.headers.get('location'), 'https://dl.example/1.0.0.deb');
      assert.equal((await call(`${ds.url}/v3_5/downloads/installers/unix`)).status, 404, '1.1.0 has no unix installer');
      assert.equal((await call(`${ds.url}/v3_5/downloads/installers/win64?version=0.9.0`)).status, 404, 'blocked');
      const bad = await call(`${ds.url}/v3_5/downloads/installers/amiga`);
      assert.equal(bad.status, 400);
      assert.equal(codeOf(bad), '106400');
    });

    let client: DsDeviceClient;
    let first: SyncData;

    it('registers a device that proves possession of its key', async () => {
      client = new DsDeviceClient({ dsUrl: ds.url, privateKey: keys.privateKey });
      first = await client.register(regKey, { os: 'unix', version: '1.0.0' });
      assert.match(first.deviceId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(first.origins, ['https://a.test']);
      assert.equal(first.config['ds.cycle'], 28800);
      assert.ok(first.jwks.keys.length >= 1);
      assert.deepEqual([first.issuer, first.audience], ['t1c-ds', 't1c-connector']);
      assert.deepEqual(client.pinnedSyncKeys, first.syncKeys, 'registration pins the sync keys it announces');
      assert.deepEqual(first.versionPolicy, {
        version: '1.0.0', known: true, allowed: true, action: 'update-recommended',
        latest: { id: '1.1.0', recommended: true, mandatory: false, uri: null },
      });
      const again = await new DsDeviceClient({ dsUrl: ds.url, privateKey: keys.privateKey }).register(regKey, { os: 'unix', version: '1.0.0' });
      assert.equal(again.deviceId, first.deviceId, 'same key, same device');
    });

    it('refuses registration with a bad key, a foreign signature or a replay', async () => {
      const other = generateDeviceKey();
      const attempt = (rk: string) => new DsDeviceClient({ dsUrl: ds.url, privateKey: other.privateKey }).register(rk, { os: 'win64', version: '1.0.0' });
      await assert.rejects(attempt('t1crk_0000000000000000.' + 'A'.repeat(43)), (e: unknown) => e instanceof DsRequestError && e.status === 401 && e.code === '104025');
      await assert.rejects(attempt('garbage'), (e: unknown) => e instanceof DsRequestError && e.status === 401);
      const publicKey = keys.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      // Claims our public key but is signed by another key: no proof of possession.
      const forged = signEnvelope({ type: 'register', registrationKey: regKey, publicKey, os: 'unix', version: '1.0.0' }, other.privateKey);
      const r = await call(`${ds.url}${DEVICE_PATHS.register}`, json('POST', forged));
      assert.equal(r.status, 401);
      assert.equal(codeOf(r), '104031');
      const genuine = signEnvelope({ type: 'register', registrationKey: regKey, publicKey, os: 'unix', version: '1.0.0' }, keys.privateKey);
      assert.equal((await call(`${ds.url}${DEVICE_PATHS.register}`, json('POST', genuine))).status, 200);
      const replay = await call(`${ds.url}${DEVICE_PATHS.register}`, json('POST', genuine));
      assert.equal(replay.status, 409);
      assert.equal(codeOf(replay), '104033');
    });

    it('refuses sync with a bad signature, a replay, a stale timestamp or an unknown device', async () => {
      const other = generateDeviceKey();
      const payload = { type: 'sync', deviceId: first.deviceId, os: 'unix', version: '1.0.0' };
      const bad = await call(`${ds.url}${DEVICE_PATHS.sync}`, json('POST', signEnvelope(payload, other.privateKey)));
      assert.deepEqual([bad.status, codeOf(bad)], [401, '104031']);
      const tampered = signEnvelope(payload, keys.privateKey);
      const flipped = Buffer.from(tampered.payload, 'base64url').toString().replace('1.0.0', '1.1.0');
      const t = await call(`${ds.url}${DEVICE_PATHS.sync}`, json('POST', { ...tampered, payload: Buffer.from(flipped).toString('base64url') }));
      assert.deepEqual([t.status, codeOf(t)], [401, '104031']);
      const good = signEnvelope(payload, keys.privateKey);
      assert.equal((await call(`${ds.url}${DEVICE_PATHS.sync}`, json('POST', good))).status, 200);
      const replay = await call(`${ds.url}${DEVICE_PATHS.sync}`, json('POST', good));
      assert.deepEqual([replay.status, codeOf(replay)], [409, '104033']);
      const stale = await call(`${ds.url}${DEVICE_PATHS.sync}`, json('POST', signEnvelope(payload, keys.privateKey, () => Date.now() - 10 * 60_000)));
      assert.deepEqual([stale.status, codeOf(stale)], [401, '104032']);
      const unknown = signEnvelope({ ...payload, deviceId: '00000000-0000-4000-8000-000000000000' }, keys.privateKey);
      const u = await call(`${ds.url}${DEVICE_PATHS.sync}`, json('POST', unknown));
      assert.deepEqual([u.status, codeOf(u)], [401, '104034']);
    });

    it('counts transactions once even when a sync is retried', async () => {
      const batchId = newCounterBatchId();
      const entries = [
        { application: appId, tag: 'bank', module: 'beid', useCase: 'sign', day: '2026-01-02', count: 3 },
        { application: appId, tag: '', module: 'beid', useCase: 'read', day: '2026-01-02', count: 5 },
      ];
      const one = await client.sync({ os: 'unix', version: '1.0.0' }, { batchId, entries });
      assert.deepEqual(one.counters, { batchId, applied: true });
      const retry = await client.sync({ os: 'unix', version: '1.0.0' }, { batchId, entries });
      assert.deepEqual(retry.counters, { batchId, applied: false });
      const more = [{ application: appId, tag: 'bank', module: 'beid', useCase: 'sign', day: '2026-01-02', count: 2 }];
      assert.deepEqual((await client.sync({ os: 'unix', version: '1.0.0' }, { batchId: newCounterBatchId(), entries: more })).counters?.applied, true);
      const counters = dataOf<Array<Record<string, unknown>>>(await call(admin('/transactions'), { headers: { authorization: `Bearer ${ds.adminToken}` } }));
      assert.deepEqual(counters.map((c) => [c.tag, c.useCase, c.count]).sort(), [['', 'read', 5], ['bank', 'sign', 5]]);
    });

    it('answers the version policy for the device version', async () => {
      const cases: Array<[string, string, boolean]> = [['1.1.0', 'none', true], ['0.9.0', 'blocked', true], ['7.0.0', 'blocked', false], ['1.0.0', 'update-recommended', true]];
      for (const [version, action, known] of cases) {
        const data = await client.sync({ os: 'win64', version });
        assert.equal(data.versionPolicy.action, action, version);
        assert.equal(data.versionPolicy.known, known, version);
      }
      dataOf(await call(admin('/versions/2.0.0'), json('PUT', { mandatory: true, uris: { win64: 'https://dl.example/2.msi' } }, ds.adminToken)));
      const forced = await client.sync({ os: 'win64', version: '1.1.0' });
      assert.deepEqual(forced.versionPolicy, { version: '1.1.0', known: true, allowed: true, action: 'update-mandatory', latest: { id: '2.0.0', recommended: false, mandatory: true, uri: 'https://dl.example/2.msi' } });
      const devices = dataOf<Array<Record<string, unknown>>>(await call(admin('/devices'), { headers: { authorization: `Bearer ${ds.adminToken}` } }));
      assert.equal(devices.length, 1);
      assert.equal(devices[0]?.version, '1.1.0');
      assert.equal(devices[0]?.os, 'win64');
      assert.equal(devices[0]?.publicKey, undefined);
    });

    const rotate = async (purpose?: string) => dataOf<{ kid: string; purpose: string }>(await call(admin('/signing-keys/rotate'), json('POST', purpose === undefined ? {} : { purpose }, ds.adminToken)));
    const tokenJwks = async () => (await call(`${ds.url}/.well-known/jwks.json`)).body as { keys: Array<{ kid: string }> };
    const rawSync = async () => {
      const raw = await call(`${ds.url}${DEVICE_PATHS.sync}`, json('POST', signEnvelope({ type: 'sync', deviceId: first.deviceId, os: 'unix', version: '1.0.0' }, keys.privateKey)));
      return raw.body as { data: SyncData; signed: GeneralJWS };
    };

    it('signs register and sync answers with sync keys that never sign or verify application tokens', async () => {
      const body = await rawSync();
      const verified = await generalVerify(body.signed, createLocalJWKSet(body.data.syncKeys));
      assert.deepEqual(JSON.parse(new TextDecoder().decode(verified.payload)), body.data);
      assert.equal(verified.protectedHeader?.typ, 't1c-ds-sync+jws');
      await assert.rejects(generalVerify(body.signed, createRemoteJWKSet(new URL(`${ds.url}/.well-known/jwks.json`))), 'token keys do not verify sync answers');
      const tokenKids = (await tokenJwks()).keys.map((k) => k.kid);
      assert.deepEqual(body.data.jwks.keys.map((k) => k.kid), tokenKids);
      assert.equal(body.data.syncKeys.keys.filter((k) => tokenKids.includes(k.kid)).length, 0, 'no key serves both purposes');
      // The answer turned into a compact JWS is no bearer token for the DS either.
      const sig = body.signed.signatures[0];
      assert.ok(sig?.protected !== undefined);
      const compact = `${sig.protected}.${body.signed.payload}.${sig.signature}`;
      assert.equal((await call(`${ds.url}/v3_5/versions/latest`, { headers: { authorization: `Bearer ${compact}` } })).status, 401);
    });

    it('rotates token and sync keys separately; a pinned device follows sync rotations one at a time', async () => {
      const pinned = new DsDeviceClient({ dsUrl: ds.url, privateKey: keys.privateKey, deviceId: first.deviceId, pinnedSyncKeys: first.syncKeys });
      const tokenBefore = await tokenJwks();
      const syncBefore = (await rawSync()).data.syncKeys;
      const rotatedSync = await rotate('sync');
      assert.equal(rotatedSync.purpose, 'sync');
      assert.deepEqual(await tokenJwks(), tokenBefore, 'a sync rotation leaves /.well-known/jwks.json alone');
      // Signed by the new key and the previous one: the device follows the rotation.
      const followed = await pinned.sync({ os: 'unix', version: '1.0.0' });
      assert.deepEqual(pinned.pinnedSyncKeys, followed.syncKeys);
      assert.deepEqual(followed.syncKeys.keys.map((k) => k.kid), [rotatedSync.kid, syncBefore.keys[0]?.kid]);
      assert.deepEqual(followed.jwks, tokenBefore, 'sync answers keep announcing the unchanged token keys');

      const rotatedToken = await rotate();
      assert.equal(rotatedToken.purpose, 'token');
      const afterTokenRotation = await pinned.sync({ os: 'unix', version: '1.0.0' });
      assert.deepEqual(afterTokenRotation.syncKeys, followed.syncKeys, 'a token rotation leaves the sync keys alone');
      assert.equal(afterTokenRotation.jwks.keys[0]?.kid, rotatedToken.kid);

      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
      const fooled = new DsDeviceClient({ dsUrl: ds.url, privateKey: keys.privateKey, deviceId: first.deviceId, pinnedSyncKeys: { keys: [{ ...stranger, kty: 'EC', kid: 'someone-else' }] } });
      await assert.rejects(fooled.sync({ os: 'unix', version: '1.0.0' }), (e: unknown) => e instanceof DsRequestError && e.code === '904300');

      const stale = new DsDeviceClient({ dsUrl: ds.url, privateKey: keys.privateKey, deviceId: first.deviceId, pinnedSyncKeys: first.syncKeys });
      await rotate('sync');
      await assert.rejects(stale.sync({ os: 'unix', version: '1.0.0' }), (e: unknown) => e instanceof DsRequestError && e.code === '904300', 'two rotations behind: must re-pin');
      await pinned.sync({ os: 'unix', version: '1.0.0' });
      const unpinned = new DsDeviceClient({ dsUrl: ds.url, privateKey: keys.privateKey, deviceId: first.deviceId });
      await assert.rejects(unpinned.sync({ os: 'unix', version: '1.0.0' }), /no DS sync keys pinned/);
    });

    it('refuses an unknown key purpose and changes nothing', async () => {
      const before = [await tokenJwks(), (await rawSync()).data.syncKeys];
      const bad = await call(admin('/signing-keys/rotate'), json('POST', { purpose: 'both' }, ds.adminToken));
      assert.equal(bad.status, 400);
      assert.match(bad.text, /purpose/);
      assert.deepEqual([await tokenJwks(), (await rawSync()).data.syncKeys], before);
    });

    it('accepts signed log uploads within the size limit', async () => {
      const up = await client.uploadLogs('line one\nline two\n');
      assert.equal(up.size, 18);
      await assert.rejects(client.uploadLogs('x'.repeat(1024 * 1024 + 1)), (e: unknown) => e instanceof DsRequestError && e.status >= 400 && e.status < 500);
      const listed = dataOf<Array<{ size: number }>>(await call(admin(`/logs?device=${first.deviceId}`), { headers: { authorization: `Bearer ${ds.adminToken}` } }));
      assert.deepEqual(listed.map((l) => l.size), [18]);
    });
  });
}
