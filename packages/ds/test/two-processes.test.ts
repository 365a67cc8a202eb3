import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { DEVICE_PATHS, DsDeviceClient, fetchApplicationToken, generateDeviceKey, signEnvelope } from '../src/index.js';
import { DsProcess } from './helpers/ds-process.js';
import { call, codeOf, dataOf, json } from './helpers/http.js';
import { freePort } from './helpers/ports.js';
import { PostgresServer } from './helpers/postgres.js';
import { tempDir } from './helpers/tmp.js';

describe('two DS processes on one PostgreSQL database', () => {
  let pg: PostgresServer;
  const dir = tempDir('t1c-ds-two-');
  let a: DsProcess;
  let b: DsProcess;
  let token = '';
  const kek = randomBytes(32).toString('base64');

  before(async () => {
    pg = await PostgresServer.start();
    const url = await pg.createDatabase('ds');
    const common = ['--database-url', url, '--data-dir', dir.path];
    // Started together: migrations and the first signing key must still happen once.
    [a, b] = await Promise.all([
      DsProcess.start(['--port', String(await freePort()), ...common], { T1C_DS_ADMIN_TOKEN: '', T1C_DS_KEY_ENCRYPTION_KEY: kek }),
      DsProcess.start(['--port', String(await freePort()), ...common], { T1C_DS_ADMIN_TOKEN: '', T1C_DS_KEY_ENCRYPTION_KEY: kek }),
    ]);
  });
  after(async () => {
    assert.equal(await a.stop(), 0);
    assert.equal(await b.stop(), 0);
    await pg.stop();
    dir.remove();
  });

  it('keeps the generated admin token in a 0600 file both processes use', () => {
    const path = join(dir.path, 'admin-token');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.ok(a.output.includes(`admin token file: ${path}`) || b.output.includes(`admin token file: ${path}`));
    token = readFileSync(path, 'utf8').trim();
    assert.ok(!a.output.includes(token) && !b.output.includes(token), 'the token itself is never printed');
  });

  it('serves the same data and keys from both processes', async () => {
    dataOf(await call(`${a.url}/admin/api/v1/orgs`, json('POST', { name: 'Shared' }, token)));
    const app = dataOf<{ applicationId: string; apiKey: string }>(await call(`${b.url}/admin/api/v1/apps`, json('POST', { org: 'Shared', name: 'web', origins: ['https://w.test'] }, token)));
    const jwt = await fetchApplicationToken(a.url, app.apiKey);
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${b.url}/.well-known/jwks.json`)));
    assert.equal(payload.sub, app.applicationId);
    const jwksA = (await call(`${a.url}/.well-known/jwks.json`)).text;
    const jwksB = (await call(`${b.url}/.well-known/jwks.json`)).text;
    assert.equal(jwksA, jwksB);
    assert.equal(JSON.parse(jwksA).keys.length, 1, 'one signing key despite two first starts');
    // A rotation on one replica reaches the other within its key cache period.
    const { kid } = dataOf<{ kid: string }>(await call(`${a.url}/admin/api/v1/signing-keys/rotate`, json('POST', {}, token)));
    let seen = '';
    for (let i = 0; i < 100 && seen !== kid; i++) {
      seen = String(decodeProtectedHeader(await fetchApplicationToken(b.url, app.apiKey)).kid);
      if (seen !== kid) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(seen, kid);
  });

  it('shares devices, counters and replay protection across processes', async () => {
    const reg = dataOf<{ registrationKey: string }>(await call(`${a.url}/admin/api/v1/versions/1.0.0`, json('PUT', {}, token))).registrationKey;
    const key = generateDeviceKey();
    const onA = new DsDeviceClient({ dsUrl: a.url, privateKey: key.privateKey });
    const { deviceId } = await onA.register(reg, { os: 'unix', version: '1.0.0' });
    // B's answers verify with the sync keys pinned from A's: one key set in the shared database.
    const onB = new DsDeviceClient({ dsUrl: b.url, privateKey: key.privateKey, deviceId, pinnedSyncKeys: onA.pinnedSyncKeys });
    const apps = dataOf<Array<{ id: string }>>(await call(`${a.url}/admin/api/v1/apps`, { headers: { authorization: `Bearer ${token}` } }));
    const counters = { batchId: 'shared-batch-1', entries: [{ application: apps[0]?.id ?? '', module: 'beid', useCase: 'read', day: '2026-03-01', count: 4 }] };
    assert.equal((await onA.sync({ os: 'unix', version: '1.0.0' }, counters)).counters?.applied, true);
    assert.equal((await onB.sync({ os: 'unix', version: '1.0.0' }, counters)).counters?.applied, false);
    const envelope = signEnvelope({ type: 'sync', deviceId, os: 'unix', version: '1.0.0' }, key.privateKey);
    assert.equal((await call(`${a.url}${DEVICE_PATHS.sync}`, json('POST', envelope))).status, 200);
    const replay = await call(`${b.url}${DEVICE_PATHS.sync}`, json('POST', envelope));
    assert.deepEqual([replay.status, codeOf(replay)], [409, '104033']);
    // An origin added on A reaches devices syncing on B within B's snapshot period.
    dataOf(await call(`${a.url}/admin/api/v1/apps/${apps[0]?.id ?? ''}/origins`, json('POST', { origin: 'https://late.test' }, token)));
    let origins: string[] = [];
    for (let i = 0; i < 100 && !origins.includes('https://late.test'); i++) {
      origins = (await onB.sync({ os: 'unix', version: '1.0.0' })).origins;
      if (!origins.includes('https://late.test')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(origins, ['https://late.test', 'https://w.test']);
    const tx = dataOf<Array<{ count: number }>>(await call(`${b.url}/admin/api/v1/transactions`, { headers: { authorization: `Bearer ${token}` } }));
    assert.deepEqual(tx.map((t) => t.count), [4]);
  });
});
