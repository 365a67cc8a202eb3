import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { type RunningDistributionService, fetchApplicationToken, startDistributionService } from '../../src/index.js';
import { type Backend, openBackend } from '../helpers/backends.js';
import { call, codeOf, dataOf, json } from '../helpers/http.js';

/** The admin + token flow, run once per database backend. */
export function tokenFlowSuite(backendName: 'pglite' | 'postgres'): void {
  describe(`admin and token flow (${backendName})`, () => {
    let backend: Backend;
    let ds: RunningDistributionService;
    const logs: string[] = [];
    const secrets: string[] = [];
    const admin = (path: string): string => `${ds.url}/admin/api/v1${path}`;

    before(async () => {
      backend = await openBackend(backendName);
      ds = await startDistributionService({
        port: 0, dataDir: backend.dataDir, databaseUrl: backend.databaseUrl, keyEncryptionKey: backend.keyEncryptionKey, logLevel: 'debug',
        logStream: { write: (line: string) => { logs.push(line); } },
      });
      secrets.push(ds.adminToken);
    });
    after(async () => {
      await ds.close();
      await backend.dispose();
    });

    let appId = '';
    let apiKey = '';

    it('creates an organisation and refuses a duplicate', async () => {
      const org = dataOf<{ id: string; name: string }>(await call(admin('/orgs'), json('POST', { name: 'Acme' }, ds.adminToken)));
      assert.equal(org.name, 'Acme');
      const dup = await call(admin('/orgs'), json('POST', { name: 'Acme' }, ds.adminToken));
      assert.equal(dup.status, 409);
      assert.equal(codeOf(dup), '105409');
      assert.deepEqual(dup.body, { success: false, code: '105409', description: 'organisation "Acme" already exists' });
    });

    it('refuses the admin API without the admin token', async () => {
      for (const auth of [undefined, 'Bearer wrong', `Basic ${ds.adminToken}`, `Bearer ${ds.adminToken}x`]) {
        const r = await call(admin('/orgs'), auth === undefined ? {} : { headers: { authorization: auth } });
        assert.equal(r.status, 401, String(auth));
        assert.equal(codeOf(r), '104025');
      }
    });

    it('creates an application and shows its API key once', async () => {
      const r = dataOf<{ applicationId: string; apiKey: string }>(await call(admin('/apps'),
        json('POST', { org: 'Acme', name: 'portal', origins: ['https://portal.acme.test', 'https://*.acme.org', 'HTTPS://Shop.Acme.test:443'] }, ds.adminToken)));
      assert.match(r.apiKey, /^t1cak_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
      appId = r.applicationId;
      apiKey = r.apiKey;
      secrets.push(apiKey);
      const listed = dataOf<Array<Record<string, unknown>>>(await call(admin('/apps'), { headers: { authorization: `Bearer ${ds.adminToken}` } }));
      assert.equal(listed.length, 1);
      assert.deepEqual(listed[0]?.origins, ['https://*.acme.org', 'https://portal.acme.test', 'https://shop.acme.test']);
      assert.ok(!JSON.stringify(listed).includes(apiKey.split('.')[1] ?? 'x'), 'the key never appears again');
    });

    it('adds and removes origins', async () => {
      const added = dataOf<{ origins: string[] }>(await call(admin(`/apps/${appId}/origins`), json('POST', { origin: 'http://localhost:8080' }, ds.adminToken)));
      assert.ok(added.origins.includes('http://localhost:8080'));
      const removed = dataOf<{ origins: string[] }>(await call(admin(`/apps/${appId}/origins/remove`), json('POST', { origin: 'https://shop.acme.test' }, ds.adminToken)));
      assert.deepEqual(removed.origins, ['http://localhost:8080', 'https://*.acme.org', 'https://portal.acme.test']);
      const missing = await call(admin(`/apps/${appId}/origins/remove`), json('POST', { origin: 'https://nope.test' }, ds.adminToken));
      assert.equal(missing.status, 404);
    });

    it('issues a JWT that verifies against the served JWKS', async () => {
      const token = await fetchApplicationToken(ds.url, apiKey);
      secrets.push(token);
      const jwks = createRemoteJWKSet(new URL(`${ds.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: 't1c-ds', audience: 't1c-connector' });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.sub, appId);
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 1200);
      assert.equal(payload.nbf, payload.iat);
      assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
      assert.deepEqual(payload.origins, ['http://localhost:8080', 'https://*.acme.org', 'https://portal.acme.test']);
      const raw = await call(`${ds.url}/v3_5/tokens/application`, { headers: { apikey: apiKey } });
      assert.deepEqual(Object.keys(raw.body as object).sort(), ['data', 'success']);
    });

    it('refuses wrong, malformed and missing keys with 401 104025', async () => {
      const [id] = apiKey.split('.');
      const cases = [undefined, '', 'nope', `${id}.${'A'.repeat(43)}`, `t1cak_0000000000000000.${'A'.repeat(43)}`, `${apiKey}x`];
      for (const key of cases) {
        const r = await call(`${ds.url}/v3_5/tokens/application`, key === undefined ? {} : { headers: { apikey: key } });
        assert.equal(r.status, 401, String(key));
        assert.deepEqual(r.body, { success: false, code: '104025', description: 'Unauthorized to do this action' });
      }
    });

    it('rotates and revokes API keys', async () => {
      const rotated = dataOf<{ apiKey: string }>(await call(admin(`/apps/${appId}/rotate-key`), json('POST', {}, ds.adminToken)));
      secrets.push(rotated.apiKey);
      assert.equal((await call(`${ds.url}/v3_5/tokens/application`, { headers: { apikey: apiKey } })).status, 401);
      assert.equal((await call(`${ds.url}/v3_5/tokens/application`, { headers: { apikey: rotated.apiKey } })).status, 200);
      dataOf(await call(admin(`/apps/${appId}/revoke-key`), json('POST', {}, ds.adminToken)));
      assert.equal((await call(`${ds.url}/v3_5/tokens/application`, { headers: { apikey: rotated.apiKey } })).status, 401);
      const again = dataOf<{ apiKey: string }>(await call(admin(`/apps/${appId}/rotate-key`), json('POST', {}, ds.adminToken)));
      apiKey = again.apiKey;
      secrets.push(apiKey);
    });

    it('keeps tokens signed before a key rotation valid, and only two keys in the JWKS', async () => {
      const before = await fetchApplicationToken(ds.url, apiKey);
      const oldKid = decodeProtectedHeader(before).kid;
      const { kid } = dataOf<{ kid: string }>(await call(admin('/signing-keys/rotate'), json('POST', {}, ds.adminToken)));
      assert.notEqual(kid, oldKid);
      const jwks = dataOfJwks(await call(`${ds.url}/.well-known/jwks.json`));
      assert.deepEqual(jwks.map((k) => k.kid), [kid, oldKid]);
      await jwtVerify(before, createRemoteJWKSet(new URL(`${ds.url}/.well-known/jwks.json`)));
      const afterToken = await fetchApplicationToken(ds.url, apiKey);
      assert.equal(decodeProtectedHeader(afterToken).kid, kid);
      dataOf(await call(admin('/signing-keys/rotate'), json('POST', {}, ds.adminToken)));
      const third = dataOfJwks(await call(`${ds.url}/.well-known/jwks.json`));
      assert.equal(third.length, 2);
      assert.ok(!third.some((k) => k.kid === oldKid), 'the key two rotations back is gone');
    });

    it('serves status and metrics, and never logs a secret', async () => {
      const status = dataOf<{ status: string; database: string }>(await call(`${ds.url}/v3_5/system/status`));
      assert.deepEqual([status.status, status.database], ['UP', 'UP']);
      const metrics = await call(`${ds.url}/metrics`);
      assert.match(metrics.text, /^ds_tokens_issued_total \d+$/m);
      assert.match(metrics.text, /ds_token_denied_total\{reason="unknown"\} \d+/);
      assert.ok(logs.length > 10);
      for (const line of logs) {
        JSON.parse(line);
        for (const secret of secrets) assert.ok(!line.includes(secret), 'secret found in a log line');
      }
    });
  });
}

function dataOfJwks(answer: { body: unknown }): Array<{ kid?: string }> {
  const body = answer.body as { keys?: Array<{ kid?: string }> };
  return body.keys ?? [];
}
