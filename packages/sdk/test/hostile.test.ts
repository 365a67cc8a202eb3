import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, T1cError, type ResponseLike } from '../src/index.js';
import { BASE, fakeConnector, jsonResponse, textResponse } from './helpers.js';

const MAX = 64 * 1024;

/** A body streamed in chunks with no content-length, larger than the limit. */
function endless(): ResponseLike {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      sent += 16 * 1024;
      controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      if (sent > 16 * MAX) controller.close();
    },
  });
  return new Response(stream, { status: 200 });
}

const CASES: [string, () => ResponseLike, string][] = [
  ['malformed JSON', () => textResponse(200, '{"success":true,"data":['), 'invalid-response'],
  ['HTML from another service', () => textResponse(200, '<html></html>'), 'invalid-response'],
  ['empty body', () => textResponse(200, ''), 'invalid-response'],
  ['envelope without success', () => jsonResponse(200, { data: [] }), 'invalid-response'],
  ['success as a string', () => jsonResponse(200, { success: 'true', data: [] }), 'invalid-response'],
  ['success without data', () => jsonResponse(200, { success: true }), 'invalid-response'],
  ['an array body', () => jsonResponse(200, [1, 2]), 'invalid-response'],
  ['null body', () => jsonResponse(200, null), 'invalid-response'],
  ['a signature that is not a string', () => jsonResponse(200, { success: true, data: [], signature: 42 }), 'invalid-response'],
  ['data of the wrong type', () => jsonResponse(200, { success: true, data: { not: 'a list' } }), 'invalid-response'],
  ['three-digit code', () => jsonResponse(400, { success: false, code: '123', description: 'draft code' }), 'invalid-response'],
  ['seven-digit code', () => jsonResponse(400, { success: false, code: 1234567, description: 'x' }), 'invalid-response'],
  ['code as an object', () => jsonResponse(400, { success: false, code: { toString: 1 }, description: 'x' }), 'invalid-response'],
  ['no code at all', () => jsonResponse(500, { success: false }), 'invalid-response'],
  ['error body that is not JSON', () => textResponse(500, 'Internal Server Error'), 'invalid-response'],
  ['success:false with HTTP 200', () => jsonResponse(200, { success: false, code: '702001', description: 'No card' }), 'no-card'],
  ['declared huge body', () => textResponse(200, '{}', { 'content-length': String(MAX * 10) }), 'invalid-response'],
  ['streamed huge body', endless, 'invalid-response'],
  ['huge description', () => jsonResponse(400, { success: false, code: '106001', description: 'x'.repeat(MAX / 2) }), 'invalid-input'],
];

for (const [name, answer, kind] of CASES) {
  test(`hostile answer: ${name} → ${kind}`, async () => {
    const { fetch } = await fakeConnector({ '/v3/readers': answer });
    const client = await connect({ fetch, candidates: [BASE], maxResponseBytes: MAX });
    const error = await client.readers().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof T1cError, `${name}: ${String(error)}`);
    assert.equal(error.kind, kind);
    assert.match(error.code, /^\d{6}$/);
    assert.ok(error.description.length <= 500);
  });
}

test('a fetch that throws something odd is still a typed error', async () => {
  for (const thrown of [new Error('weird'), 'a string', undefined]) {
    const fetch = async (): Promise<ResponseLike> => {
      throw thrown;
    };
    await assert.rejects(connect({ fetch, candidates: [BASE] }), (e: unknown) => e instanceof T1cError && e.kind === 'connector-not-running');
  }
});
