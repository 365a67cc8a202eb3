import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, T1cError } from '../src/index.js';
import { INFO, jsonResponse, recordingFetch, textResponse } from './helpers.js';

const HANGS = 'http://127.0.0.1:1001';
const REFUSES = 'http://127.0.0.1:1002';
const NOT_T1C = 'http://127.0.0.1:1003';
const ANSWERS = 'http://127.0.0.1:1004';
const ALSO = 'http://127.0.0.1:1005';

function world() {
  return recordingFetch((call) => {
    switch (call.url.origin) {
      case HANGS: return new Promise(() => undefined);
      case REFUSES: throw new TypeError('fetch failed');
      case NOT_T1C: return textResponse(200, '<html>router</html>');
      case ANSWERS:
      case ALSO: return call.url.pathname === '/info' ? jsonResponse(200, INFO) : jsonResponse(404, {});
      default: throw new Error(`unexpected ${call.url.href}`);
    }
  });
}

test('candidates are tried in order; a hanging one times out and the first T1C answer wins', async () => {
  const { fetch, calls } = world();
  const client = await connect({ fetch, candidates: [HANGS, REFUSES, NOT_T1C, ANSWERS, ALSO], discoveryTimeoutMs: 20 });
  assert.equal(client.url, ANSWERS);
  assert.equal(client.version, '3.8.8');
  assert.deepEqual(calls.filter((c) => c.url.pathname === '/info').map((c) => c.url.origin), [HANGS, REFUSES, NOT_T1C, ANSWERS]);
  assert.equal(client.devicePublicKey, undefined, 'a 404 on /device-key leaves the client without a key');
});

test('when nothing answers, the error is connector-not-running and names the URLs', async () => {
  const { fetch } = world();
  await assert.rejects(connect({ fetch, candidates: [HANGS, REFUSES, NOT_T1C], discoveryTimeoutMs: 20 }), (e: unknown) => {
    assert.ok(e instanceof T1cError);
    assert.equal(e.kind, 'connector-not-running');
    assert.equal(e.code, '901001');
    assert.match(e.message, /127\.0\.0\.1:1001.*127\.0\.0\.1:1003/);
    return true;
  });
});

test('/info wrapped in data is accepted', async () => {
  const { fetch } = recordingFetch((call) => (call.url.pathname === '/info' ? jsonResponse(200, { success: true, data: INFO }) : jsonResponse(404, {})));
  const client = await connect({ fetch, candidates: [ANSWERS] });
  assert.equal(client.initialInfo.t1CInfoAPI.version, '3.8.8');
});

test('an aborted discovery rejects as aborted', async () => {
  const { fetch } = world();
  const controller = new AbortController();
  const pending = connect({ fetch, candidates: [HANGS], discoveryTimeoutMs: 0, signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, (e: unknown) => e instanceof T1cError && e.kind === 'aborted');
});

test('a URL that is not http(s) is a caller bug (TypeError)', async () => {
  await assert.rejects(connect({ candidates: ['ftp://127.0.0.1'] }), TypeError);
  await assert.rejects(connect({ candidates: ['not a url'] }), TypeError);
});
