import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdminClient, fetchApplicationToken, startDistributionService, type RunningDistributionService } from '@t1c/ds';
import { startApi, type RunningApi, type StartApiOptions } from '../src/index.js';
import { tempDir } from './api-helpers/rig.js';

const PREFIX = '/v3/modules/beid/apps/token';

interface App { readonly id: string; readonly origin: string; readonly jwt: string }
interface Pending { application: string; tag: string; useCase: string; count: number }

describe('GET /ds/transactions shows only the calling application its counters', () => {
  const dir = tempDir('t1c-ds-tx-');
  let ds: RunningDistributionService;
  let withJwt: RunningApi;
  let noJwt: RunningApi;
  let alpha: App;
  let beta: App;

  const call = (api: RunningApi, path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(new URL(path, api.url), { headers });
  const as = (app: App): Record<string, string> => ({ authorization: `Bearer ${app.jwt}`, origin: app.origin });
  const readerId = async (api: RunningApi, headers: Record<string, string>): Promise<string> => {
    const body = await (await call(api, '/v3/readers', headers)).json() as { data: { id: string }[] };
    const id = body.data[0]?.id;
    assert.ok(id);
    return id;
  };

  before(async () => {
    ds = await startDistributionService({ port: 0, dataDir: `${dir.path}/ds`, logLevel: 'silent' });
    const admin = new AdminClient(ds.url, ds.adminToken);
    await admin.call('POST', '/orgs', { name: 'Org' });
    const app = async (name: string, origin: string): Promise<App> => {
      const created = await admin.call<{ applicationId: string; apiKey: string }>('POST', '/apps', { org: 'Org', name, origins: [origin] });
      return { id: created.applicationId, origin, jwt: await fetchApplicationToken(ds.url, created.apiKey) };
    };
    alpha = await app('alpha', 'https://alpha.example.org');
    beta = await app('beta', 'https://beta.example.org');
    const { registrationKey } = await admin.call<{ registrationKey: string }>('PUT', '/versions/0.1.0', {});
    const second = (await admin.call<{ registrationKey: string }>('POST', '/versions/0.1.0/registration-keys')).registrationKey;
    const common: StartApiOptions = { port: 0, transport: 'http', virtualCards: ['1.8'], pcsc: false, dsUrl: ds.url, logLevel: 'silent', env: {} };
    withJwt = await startApi({ ...common, dataDir: `${dir.path}/a`, registrationKey, jwtIssuer: 't1c-ds', jwtAudience: 't1c-connector' });
    await withJwt.syncWithDs();
    noJwt = await startApi({ ...common, dataDir: `${dir.path}/b`, registrationKey: second, jwt: false, allowOrigins: [alpha.origin] });
    await noJwt.syncWithDs();
  });
  after(async () => {
    await withJwt.close();
    await noJwt.close();
    await ds.close();
    dir.remove();
  });

  it('with JWT: each application sees its own counters and never the other one\'s', async () => {
    const rid = await readerId(withJwt, as(alpha));
    assert.equal((await call(withJwt, `${PREFIX}/readers/${rid}/biometric`, { ...as(alpha), 'x-t1c-billing-tag': 'alpha-secret-tag' })).status, 200);
    assert.equal((await call(withJwt, `${PREFIX}/readers/${rid}/address`, { ...as(beta), 'x-t1c-billing-tag': 'beta-tag' })).status, 200);
    assert.equal((await call(withJwt, `${PREFIX}/readers/${rid}/address`, { ...as(beta), 'x-t1c-billing-tag': 'beta-tag' })).status, 200);

    const seen = async (app: App): Promise<{ text: string; rows: [string, string, string, number][] }> => {
      const response = await call(withJwt, '/ds/transactions', as(app));
      assert.equal(response.status, 200);
      const text = await response.text();
      const rows = (JSON.parse(text) as { data: Pending[] }).data.map((e) => [e.application, e.tag, e.useCase, e.count] as [string, string, string, number]);
      return { text, rows };
    };
    const a = await seen(alpha);
    assert.deepEqual(a.rows, [[alpha.id, 'alpha-secret-tag', 'identity-read', 1]]);
    assert.ok(!a.text.includes(beta.id) && !a.text.includes('beta-tag'));
    const b = await seen(beta);
    assert.deepEqual(b.rows, [[beta.id, 'beta-tag', 'identity-read', 2]]);
    assert.ok(!b.text.includes(alpha.id) && !b.text.includes('alpha-secret-tag'));
  });

  it('without JWT (--no-jwt) no application is named, so no counters are listed: 403 104031', async () => {
    const rid = await readerId(noJwt, { origin: alpha.origin });
    assert.equal((await call(noJwt, `${PREFIX}/readers/${rid}/biometric`, { origin: alpha.origin, 'x-t1c-billing-tag': 'counted' })).status, 200);
    const callers: Record<string, string>[] = [{ origin: alpha.origin }, {}, { authorization: `Bearer ${beta.jwt}` }];
    for (const headers of callers) {
      const response = await call(noJwt, '/ds/transactions', headers);
      assert.equal(response.status, 403);
      const body = await response.json() as { success: boolean; code: string; description: string };
      assert.equal(body.code, '104031');
      assert.match(body.description, /only to the application they belong to/);
      assert.ok(!JSON.stringify(body).includes('counted'));
    }
  });
});
