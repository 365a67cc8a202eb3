import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type RunningDistributionService, fetchApplicationToken, startDistributionService } from '../src/index.js';
import { call, codeOf, dataOf, json } from './helpers/http.js';
import { tempDir } from './helpers/tmp.js';

describe('RS256 signing and token rate limits (embedded database)', () => {
  let ds: RunningDistributionService;
  const dir = tempDir('t1c-ds-options-');
  const keys: string[] = [];

  before(async () => {
    ds = await startDistributionService({ port: 0, dataDir: dir.path, jwtAlg: 'RS256', rateLimit: { perKey: 3, perAddress: 6 }, logLevel: 'silent', adminToken: 'a-test-admin-token-0123456789' });
    dataOf(await call(`${ds.url}/admin/api/v1/orgs`, json('POST', { name: 'Org' }, ds.adminToken)));
    for (const name of ['one', 'two', 'three']) {
      keys.push(dataOf<{ apiKey: string }>(await call(`${ds.url}/admin/api/v1/apps`, json('POST', { org: 'Org', name, tokenLifetime: 300 }, ds.adminToken))).apiKey);
    }
  });
  after(async () => {
    await ds.close();
    dir.remove();
  });

  it('signs with RS256 when asked, with the application lifetime', async () => {
    const jwt = await fetchApplicationToken(ds.url, keys[0] ?? '');
    const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${ds.url}/.well-known/jwks.json`)));
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
  });

  it('limits token requests per API key and per client address', async () => {
    const get = (key: string) => call(`${ds.url}/v3_5/tokens/application`, { headers: { apikey: key } });
    // Key one already used once above.
    assert.equal((await get(keys[0] ?? '')).status, 200);
    assert.equal((await get(keys[0] ?? '')).status, 200);
    const limited = await get(keys[0] ?? '');
    assert.equal(limited.status, 429);
    assert.equal(codeOf(limited), '104029');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    // Other keys still work until the address budget (6) is spent.
    assert.equal((await get(keys[1] ?? '')).status, 200);
    assert.equal((await get(keys[2] ?? '')).status, 200);
    const byAddress = await get(keys[2] ?? '');
    assert.equal(byAddress.status, 429);
    // Wrong keys count against the address too: no free guessing.
    assert.equal((await get('t1cak_0000000000000000.' + 'A'.repeat(43))).status, 429);
  });
});
