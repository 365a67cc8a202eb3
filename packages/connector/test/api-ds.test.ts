import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdminClient, fetchApplicationToken, startDistributionService, type RunningDistributionService } from '@t1c/ds';
import { startApi, type RunningApi } from '../src/index.js';

const ORIGIN = 'https://portal.example.org';

describe('connector synced with a Distribution Service', () => {
  let ds: RunningDistributionService;
  let api: RunningApi;
  let admin: AdminClient;
  let jwt: string;
  let appId: string;
  const dirs: string[] = [];
  const temp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 't1c-api-ds-'));
    dirs.push(d);
    return d;
  };
  let connectorDir: string;
  let dsDir: string;

  const call = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(new URL(path, api.url), { headers: { authorization: `Bearer ${jwt}`, origin: ORIGIN, ...headers } });
  const readerId = async (): Promise<string> => {
    const body = await (await call('/v3/readers')).json() as { data: { id: string }[] };
    const id = body.data[0]?.id;
    assert.ok(id, 'the virtual reader is listed');
    return id;
  };

  before(async () => {
    dsDir = temp();
    connectorDir = temp();
    ds = await startDistributionService({ port: 0, dataDir: dsDir, logLevel: 'silent' });
    admin = new AdminClient(ds.url, ds.adminToken);
    await admin.call('POST', '/orgs', { name: 'Org' });
    const created = await admin.call<{ applicationId: string; apiKey: string }>('POST', '/apps', { org: 'Org', name: 'portal', origins: [ORIGIN] });
    appId = created.applicationId;
    jwt = await fetchApplicationToken(ds.url, created.apiKey);
    const { registrationKey } = await admin.call<{ registrationKey: string }>('PUT', '/versions/0.1.0', {});
    api = await startApi({
      port: 0, transport: 'http', dataDir: connectorDir, virtualCards: ['1.8'], pcsc: false, dsUrl: ds.url, registrationKey,
      jwtIssuer: 't1c-ds', jwtAudience: 't1c-connector', logLevel: 'silent', env: {},
    });
    await api.syncWithDs();
  });
  after(async () => {
    await api.close();
    await ds.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('takes its allowed origins and JWT keys from the DS, with no local list or JWKS URL', async () => {
    const info = await (await call('/info')).json() as { t1CInfoAPI: { cors: string[]; service: { dsRegistryActivated: boolean } } };
    assert.deepEqual(info.t1CInfoAPI.cors, [ORIGIN]);
    assert.equal(info.t1CInfoAPI.service.dsRegistryActivated, true);
    assert.equal((await call('/v3/readers')).status, 200);
    assert.equal((await call('/v3/readers', { origin: 'https://evil.example' })).status, 403);
  });

  it('counts identity reads per application and billing tag, and sends them to the DS once', async () => {
    const rid = await readerId();
    const read = await call(`/v3/modules/beid/apps/token/readers/${rid}/biometric`, { 'x-t1c-billing-tag': 'invoice-42' });
    assert.equal(read.status, 200);
    const pending = await (await call('/ds/transactions')).json() as { data: { application: string; tag: string; useCase: string; count: number }[] };
    assert.deepEqual(pending.data.map((e) => [e.application, e.tag, e.useCase, e.count]), [[appId, 'invoice-42', 'identity-read', 1]]);
    await api.syncWithDs();
    await api.syncWithDs();
    const rows = await admin.call<{ tag: string; useCase: string; count: number }[]>('GET', '/transactions');
    assert.equal(rows.filter((r) => r.tag === 'invoice-42').reduce((n, r) => n + r.count, 0), 1);
    const after = await (await call('/ds/transactions')).json() as { data: unknown[] };
    assert.deepEqual(after.data, []);
  });

  it('uploads its recent logs to the DS', async () => {
    const response = await call('/logs/push');
    assert.equal(response.status, 200);
    const body = await response.json() as { data: { id: string; size: number } };
    assert.ok(body.data.id);
    assert.equal(typeof body.data.size, 'number');
  });

  it('notes a recommended update in /info and refuses card operations when an update is mandatory', async () => {
    await admin.call('PUT', '/versions/0.2.0', { recommended: true });
    await api.syncWithDs();
    const info = await (await call('/info')).json() as { t1CInfoAPI: { updateNotice: string | null } };
    assert.match(info.t1CInfoAPI.updateNotice ?? '', /0\.2\.0/);
    const rid = await readerId();
    assert.equal((await call(`/v3/modules/beid/apps/token/readers/${rid}/address`)).status, 200);

    await admin.call('PUT', '/versions/0.3.0', { mandatory: true });
    await api.syncWithDs();
    const refused = await call(`/v3/modules/beid/apps/token/readers/${rid}/address`);
    assert.equal(refused.status, 426);
    const body = await refused.json() as { success: boolean; code: string; description: string };
    assert.equal(body.code, '112010');
    assert.match(body.description, /0\.3\.0/);
    assert.equal((await call('/v3/readers')).status, 200, 'listing readers stays possible');
    await admin.call('PUT', '/versions/0.3.0', { mandatory: false });
    await api.syncWithDs();
    assert.equal((await call(`/v3/modules/beid/apps/token/readers/${rid}/address`)).status, 200);
  });

  it('keeps serving with what it knew when the DS is down, and after a restart offline', async () => {
    await ds.close();
    await api.syncWithDs();
    assert.equal((await call('/v3/readers')).status, 200, 'the synced JWKS verifies the JWT offline');
    await api.close();
    api = await startApi({
      port: 0, transport: 'http', dataDir: connectorDir, virtualCards: ['1.8'], pcsc: false, dsUrl: ds.url,
      jwtIssuer: 't1c-ds', jwtAudience: 't1c-connector', logLevel: 'silent', env: {},
    });
    assert.equal((await call('/v3/readers')).status, 200, 'origins and keys come from the saved sync');
    ds = await startDistributionService({ port: 0, dataDir: dsDir, logLevel: 'silent' });
  });
});
