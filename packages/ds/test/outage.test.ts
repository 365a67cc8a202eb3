import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type RunningDistributionService, startDistributionService } from '../src/index.js';
import { call, codeOf, dataOf, json } from './helpers/http.js';
import { PostgresServer } from './helpers/postgres.js';
import { tempDir } from './helpers/tmp.js';

describe('PostgreSQL outage', () => {
  let pg: PostgresServer;
  let ds: RunningDistributionService;
  const dir = tempDir('t1c-ds-outage-');
  let apiKey = '';

  before(async () => {
    pg = await PostgresServer.start();
    ds = await startDistributionService({ port: 0, dataDir: dir.path, databaseUrl: await pg.createDatabase('ds'), keyEncryptionKey: randomBytes(32).toString('base64'), logLevel: 'silent' });
    dataOf(await call(`${ds.url}/admin/api/v1/orgs`, json('POST', { name: 'Org' }, ds.adminToken)));
    apiKey = dataOf<{ apiKey: string }>(await call(`${ds.url}/admin/api/v1/apps`, json('POST', { org: 'Org', name: 'a' }, ds.adminToken))).apiKey;
  });
  after(async () => {
    await ds.close();
    await pg.stop();
    dir.remove();
  });

  it('answers 503 with Retry-After while the database is down and recovers by itself', async () => {
    assert.equal((await call(`${ds.url}/v3_5/tokens/application`, { headers: { apikey: apiKey } })).status, 200);
    await pg.halt();
    const probes = [
      await call(`${ds.url}/v3_5/tokens/application`, { headers: { apikey: apiKey } }),
      await call(`${ds.url}/v3_5/system/status`),
      await call(`${ds.url}/admin/api/v1/orgs`, json('POST', { name: 'During outage' }, ds.adminToken)),
    ];
    for (const r of probes) {
      assert.equal(r.status, 503, r.text);
      assert.equal(codeOf(r), '112503');
      assert.equal(r.headers.get('retry-after'), '5');
    }
    await pg.resume();
    // The pool drops dead connections and reconnects; no restart of the DS.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await call(`${ds.url}/v3_5/tokens/application`, { headers: { apikey: apiKey } })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200);
    const orgs = dataOf<Array<{ name: string }>>(await call(`${ds.url}/admin/api/v1/orgs`, { headers: { authorization: `Bearer ${ds.adminToken}` } }));
    assert.deepEqual(orgs.map((o) => o.name), ['Org'], 'the refused write left nothing behind');
  });
});
