import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEVICE_PATHS, type RunningDistributionService, generateDeviceKey, signEnvelope, startDistributionService } from '../../src/index.js';
import { type Backend, openBackend } from '../helpers/backends.js';
import { call, codeOf, dataOf, json } from '../helpers/http.js';

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  raw?: { body: string; type: string };
  status: number;
  code: string;
}

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Every bad input gets a clear 4xx with a stable code, and nothing is written. */
export function badInputSuite(backendName: 'pglite' | 'postgres'): void {
  describe(`bad inputs (${backendName})`, () => {
    let backend: Backend;
    let ds: RunningDistributionService;
    let appId = '';
    let regKey = '';
    const device = generateDeviceKey();
    const publicKey = device.publicKey.export({ format: 'pem', type: 'spki' }).toString();

    before(async () => {
      backend = await openBackend(backendName);
      ds = await startDistributionService({ port: 0, dataDir: backend.dataDir, databaseUrl: backend.databaseUrl, keyEncryptionKey: backend.keyEncryptionKey, logLevel: 'silent' });
      const a = (path: string) => `${ds.url}/admin/api/v1${path}`;
      dataOf(await call(a('/orgs'), json('POST', { name: 'Org' }, ds.adminToken)));
      appId = dataOf<{ applicationId: string }>(await call(a('/apps'), json('POST', { org: 'Org', name: 'app', origins: ['https://a.test'] }, ds.adminToken))).applicationId;
      regKey = dataOf<{ registrationKey: string }>(await call(a('/versions/1.0.0'), json('PUT', {}, ds.adminToken))).registrationKey;
    });
    after(async () => {
      await ds.close();
      await backend.dispose();
    });

    const snapshot = async (): Promise<string> => {
      const parts = await Promise.all(['/orgs', '/apps', '/versions', '/devices', '/transactions', '/logs'].map(async (p) =>
        JSON.stringify(dataOf(await call(`${ds.url}/admin/api/v1${p}`, { headers: { authorization: `Bearer ${ds.adminToken}` } })))));
      return parts.join('\n');
    };

    it('answers each bad input with the expected status and code and writes nothing', async () => {
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const reg = (over: Record<string, unknown>, key = device.privateKey) =>
        signEnvelope({ type: 'register', registrationKey: regKey, publicKey, os: 'unix', version: '1.0.0', ...over }, key);
      const regWith = (pair: { privateKey: import('node:crypto').KeyObject; publicKey: import('node:crypto').KeyObject }) =>
        signEnvelope({ type: 'register', registrationKey: regKey, publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(), os: 'unix', version: '1.0.0' }, pair.privateKey);
      const sync = (over: Record<string, unknown>) =>
        signEnvelope({ type: 'sync', deviceId: '00000000-0000-4000-8000-000000000000', os: 'unix', version: '1.0.0', ...over }, device.privateKey);
      const entry = { application: 'a', tag: '', module: 'beid', useCase: 'sign', day: '2026-01-01', count: 1 };
      const cases: Case[] = [
        { name: 'malformed JSON', method: 'POST', path: '/admin/api/v1/orgs', raw: { body: '{"name":', type: 'application/json' }, status: 400, code: '106400' },
        { name: 'empty JSON body', method: 'POST', path: '/admin/api/v1/orgs', raw: { body: '', type: 'application/json' }, status: 400, code: '106400' },
        { name: 'array body', method: 'POST', path: '/admin/api/v1/orgs', body: [], status: 400, code: '106400' },
        { name: 'wrong type', method: 'POST', path: '/admin/api/v1/orgs', body: { name: 5 }, status: 400, code: '106400' },
        { name: 'empty name', method: 'POST', path: '/admin/api/v1/orgs', body: { name: '  ' }, status: 400, code: '106400' },
        { name: 'control chars', method: 'POST', path: '/admin/api/v1/orgs', body: { name: 'a\u0000b' }, status: 400, code: '106400' },
        { name: 'unknown field', method: 'POST', path: '/admin/api/v1/orgs', body: { name: 'x', admin: true }, status: 400, code: '106400' },
        { name: 'text body', method: 'POST', path: '/admin/api/v1/orgs', raw: { body: 'name=x', type: 'text/plain' }, status: 415, code: '106415' },
        { name: 'oversize body', method: 'POST', path: '/admin/api/v1/orgs', body: { name: 'x'.repeat(100_000) }, status: 413, code: '106413' },
        ...['https://a.test/path', 'ftp://a.test', 'https://*.com', 'https://a.*.test', '*', 'null', 'https://a.test:99999', 'https://user@a.test',
          'https://*', 'https://a..test', 'https://-a.test', 'javascript:alert(1)', 'https://a.test?x', 'https://a.test.evil.com/'].map((origin): Case => (
          { name: `bad origin ${origin}`, method: 'POST', path: '/admin/api/v1/apps', body: { org: 'Org', name: 'n', origins: ['https://ok.test', origin] }, status: 400, code: '106400' })),
        { name: 'bad origin add', method: 'POST', path: `/admin/api/v1/apps/${appId}/origins`, body: { origin: 'https://a.test/' }, status: 400, code: '106400' },
        { name: 'short lifetime', method: 'POST', path: '/admin/api/v1/apps', body: { org: 'Org', name: 'n', tokenLifetime: 5 }, status: 400, code: '106400' },
        { name: 'lifetime as string', method: 'POST', path: '/admin/api/v1/apps', body: { org: 'Org', name: 'n', tokenLifetime: '600' }, status: 400, code: '106400' },
        { name: 'unknown org', method: 'POST', path: '/admin/api/v1/apps', body: { org: 'Nope', name: 'n', origins: ['https://ok.test'] }, status: 404, code: '112404' },
        { name: 'duplicate app', method: 'POST', path: '/admin/api/v1/apps', body: { org: 'Org', name: 'app' }, status: 409, code: '105409' },
        { name: 'non-uuid id', method: 'POST', path: '/admin/api/v1/apps/123/rotate-key', body: {}, status: 400, code: '106400' },
        { name: 'unknown app', method: 'POST', path: '/admin/api/v1/apps/00000000-0000-4000-8000-000000000000/rotate-key', body: {}, status: 404, code: '112404' },
        ...['1.0', '01.0.0', '1.0.0.0', 'v1.0.0', 'latest'].map((v): Case => ({ name: `bad semver ${v}`, method: 'PUT', path: `/admin/api/v1/versions/${v}`, body: {}, status: 400, code: '106400' })),
        ...['amiga', 'WIN64', 'linux', ''].map((os): Case => ({ name: `bad OS "${os}"`, method: 'PUT', path: '/admin/api/v1/versions/2.0.0', body: { uris: { [os]: 'https://x.test/i' } }, status: 400, code: '106400' })),
        { name: 'non-http uri', method: 'PUT', path: '/admin/api/v1/versions/2.0.0', body: { uris: { win64: 'ftp://x.test/i' } }, status: 400, code: '106400' },
        { name: 'flag as string', method: 'PUT', path: '/admin/api/v1/versions/2.0.0', body: { recommended: 'yes' }, status: 400, code: '106400' },
        { name: 'bad installer OS', method: 'GET', path: '/v3_5/downloads/installers/beos', status: 400, code: '106400' },
        { name: 'envelope missing', method: 'POST', path: DEVICE_PATHS.register, body: {}, status: 400, code: '106400' },
        { name: 'payload not base64url', method: 'POST', path: DEVICE_PATHS.register, body: { payload: '!!', signature: 'AA' }, status: 400, code: '106400' },
        { name: 'payload not JSON', method: 'POST', path: DEVICE_PATHS.register, body: { payload: b64('nope'), signature: 'AA' }, status: 400, code: '106400' },
        { name: 'device bad OS', method: 'POST', path: DEVICE_PATHS.register, body: reg({ os: 'dos' }), status: 400, code: '106400' },
        { name: 'device bad semver', method: 'POST', path: DEVICE_PATHS.register, body: reg({ version: '3.x' }), status: 400, code: '106400' },
        { name: 'device key not PEM', method: 'POST', path: DEVICE_PATHS.register, body: reg({ publicKey: 'hello' }), status: 400, code: '106400' },
        { name: 'device key RSA-1024', method: 'POST', path: DEVICE_PATHS.register, body: regWith(weak), status: 400, code: '106400' },
        { name: 'device key EC', method: 'POST', path: DEVICE_PATHS.register, body: regWith(ec), status: 400, code: '106400' },
        { name: 'wrong payload type', method: 'POST', path: DEVICE_PATHS.register, body: reg({ type: 'sync' }), status: 400, code: '106400' },
        { name: 'bad registration key', method: 'POST', path: DEVICE_PATHS.register, body: reg({ registrationKey: 'x' }), status: 401, code: '104025' },
        { name: 'negative count', method: 'POST', path: DEVICE_PATHS.sync, body: sync({ counters: { batchId: 'batch-0001', entries: [{ ...entry, count: -1 }] } }), status: 400, code: '106400' },
        { name: 'impossible day', method: 'POST', path: DEVICE_PATHS.sync, body: sync({ counters: { batchId: 'batch-0001', entries: [{ ...entry, day: '2026-02-30' }] } }), status: 400, code: '106400' },
        { name: 'too many entries', method: 'POST', path: DEVICE_PATHS.sync, body: sync({ counters: { batchId: 'batch-0001', entries: Array.from({ length: 1001 }, () => entry) } }), status: 400, code: '106400' },
        { name: 'bad device id', method: 'POST', path: DEVICE_PATHS.sync, body: sync({ deviceId: 'abc' }), status: 400, code: '106400' },
        { name: 'unknown route', method: 'GET', path: '/v3_5/nothing', status: 404, code: '112404' },
      ];
      const before = await snapshot();
      for (const c of cases) {
        const init: RequestInit = { method: c.method, headers: { authorization: `Bearer ${ds.adminToken}` } };
        if (c.raw !== undefined) init.headers = { ...init.headers, 'content-type': c.raw.type }, init.body = c.raw.body;
        else if (c.body !== undefined) init.headers = { ...init.headers, 'content-type': 'application/json' }, init.body = JSON.stringify(c.body);
        const r = await call(`${ds.url}${c.path}`, init);
        assert.equal(r.status, c.status, `${c.name}: ${r.text.slice(0, 200)}`);
        assert.equal(codeOf(r), c.code, c.name);
        assert.equal((r.body as { success?: unknown }).success, false, c.name);
        assert.equal(typeof (r.body as { description?: unknown }).description, 'string', c.name);
      }
      assert.equal(await snapshot(), before, 'no bad request changed any data');
    });
  });
}
