import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, T1cError } from '../src/index.js';
import { BASE, fakeConnector, INFO, jsonResponse, recordingFetch, signed } from './helpers.js';

test('requests go to the discovered URL with the T1C headers and the JWT as Bearer', async () => {
  const { fetch, calls } = await fakeConnector({ '/v3/readers': () => signed([]) });
  const client = await connect({ fetch, candidates: [`${BASE}/`], getJwt: async () => 'jwt-1', applicationDomain: 'shop.example' });
  await client.readersWithCard();
  const call = calls.at(-1);
  assert.ok(call);
  assert.equal(call.url.href, `${BASE}/v3/readers?cardInserted=true`);
  assert.equal(call.init.method, 'GET');
  assert.equal(call.init.headers.Authorization, 'Bearer jwt-1');
  assert.equal(call.init.headers['X-CSRF-Token'], 't1c-js');
  assert.equal(call.init.headers['X-T1C-BILLING-TAG'], 'shop.example');
  assert.equal(call.init.headers['Content-Type'], undefined, 'no content type without a body');
  assert.equal(call.init.body, undefined);
  assert.equal(call.init.targetAddressSpace, 'loopback');
  assert.deepEqual(calls.map((c) => c.url.pathname), ['/info', '/device-key', '/v3/readers']);
});

test('without getJwt no Authorization header is sent; addressSpace null leaves the LNA member out', async () => {
  const { fetch, calls } = await fakeConnector({ '/v3/readers': () => signed([]) });
  const client = await connect({ fetch, candidates: [BASE], addressSpace: null });
  await client.readers({ excluded: 'hello' });
  const call = calls.at(-1);
  assert.equal(call?.url.search, '?excluded=hello');
  assert.equal(call?.init.headers.Authorization, undefined);
  assert.equal('targetAddressSpace' in (call?.init ?? {}), false);
});

test('getJwt is called at start, then once more on 401, and the request is retried once', async () => {
  let issued = 0;
  const getJwt = async (): Promise<string> => `jwt-${++issued}`;
  const { fetch, calls } = recordingFetch((call) => {
    if (call.url.pathname === '/info') return jsonResponse(200, INFO);
    if (call.init.headers.Authorization !== 'Bearer jwt-2') return jsonResponse(401, { code: '104025', description: 'expired' });
    return signed(['ok']);
  });
  // /info answers anyway; /device-key with jwt-1 gets 401 and is retried with jwt-2.
  const client = await connect({ fetch, candidates: [BASE], getJwt });
  assert.equal(issued, 2);
  await client.readers();
  assert.equal(issued, 2, 'a valid token is not refreshed');
  assert.deepEqual(calls.map((c) => `${c.url.pathname} ${c.init.headers.Authorization}`), [
    '/info Bearer jwt-1', '/device-key Bearer jwt-1', '/device-key Bearer jwt-2', '/v3/readers Bearer jwt-2',
  ]);
});

test('a second 401 after the refresh is an unauthorized error, with exactly one retry', async () => {
  let issued = 0;
  const { fetch, calls } = recordingFetch((call) => {
    if (call.url.pathname === '/info') return jsonResponse(200, INFO);
    if (call.url.pathname === '/device-key') return signed('not a key');
    return jsonResponse(401, { code: '104025', description: 'Unauthorized to do this action' });
  });
  const client = await connect({ fetch, candidates: [BASE], getJwt: async () => `jwt-${++issued}` });
  const before = calls.length;
  await assert.rejects(client.readers(), (e: unknown) => e instanceof T1cError && e.kind === 'unauthorized' && e.code === '104025');
  assert.equal(calls.length - before, 2);
  assert.equal(issued, 2);
});

test('a failing JWT provider is an unauthorized error before anything is sent', async () => {
  const { fetch, calls } = recordingFetch(() => jsonResponse(200, INFO));
  await assert.rejects(connect({ fetch, candidates: [BASE], getJwt: async () => { throw new Error('backend down'); } }),
    (e: unknown) => e instanceof T1cError && e.kind === 'unauthorized');
  await assert.rejects(connect({ fetch, candidates: [BASE], getJwt: async () => '' }),
    (e: unknown) => e instanceof T1cError && e.kind === 'unauthorized');
  assert.equal(calls.length, 0);
});

test('without a JWT provider a 401 is not retried', async () => {
  const { fetch, calls } = await fakeConnector({ '/v3/readers': () => jsonResponse(401, {}) });
  const client = await connect({ fetch, candidates: [BASE] });
  const before = calls.length;
  await assert.rejects(client.readers(), (e: unknown) => e instanceof T1cError && e.kind === 'unauthorized');
  assert.equal(calls.length - before, 1);
});

test('a call that outlasts timeoutMs is a timeout error', async () => {
  const { fetch } = await fakeConnector({ '/v3/readers': () => new Promise(() => undefined) });
  const client = await connect({ fetch, candidates: [BASE], timeoutMs: 20 });
  await assert.rejects(client.readers(), (e: unknown) => e instanceof T1cError && e.kind === 'timeout' && e.code === '901003');
});
