import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOGUE } from '../../connector/src/api/errors.js';
import { CONNECTOR_CODES, connect, ERROR_KINDS, PinIncorrectError, SDK_CODES, T1cError } from '../src/index.js';
import { BASE, fakeConnector, jsonResponse } from './helpers.js';

test('every code in the mapping table is six digits and maps to a known kind', () => {
  for (const [code, kind] of Object.entries(CONNECTOR_CODES)) {
    assert.match(code, /^\d{6}$/, code);
    assert.ok(ERROR_KINDS.includes(kind), `${code} → ${kind}`);
  }
});

test('SDK codes are six digits and never collide with a connector code of another kind', () => {
  const values = Object.values(SDK_CODES);
  for (const [kind, code] of Object.entries(SDK_CODES)) {
    assert.match(code, /^\d{6}$/, kind);
    const connectorKind = CONNECTOR_CODES[code];
    if (connectorKind !== undefined && code !== '112999') assert.equal(connectorKind, kind, code);
  }
  const ownCodes = values.filter((c) => c.startsWith('9') && c !== '904300');
  assert.equal(new Set(ownCodes).size, ownCodes.length, 'SDK-only codes are unique');
});

test('every code of the connector catalogue is in the mapping table', () => {
  for (const [key, entry] of Object.entries(CATALOGUE)) {
    assert.ok(Object.hasOwn(CONNECTOR_CODES, entry.code), `${key} (${entry.code}) is not mapped`);
  }
});

async function failWith(status: number, body: unknown): Promise<T1cError> {
  const { fetch } = await fakeConnector({ '/v3/readers': () => jsonResponse(status, body) });
  const client = await connect({ fetch, candidates: [BASE] });
  const error = await client.readers().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof T1cError, `not a T1cError: ${String(error)}`);
  return error;
}

test('each connector code becomes its kind, keeping the code and description', async () => {
  for (const [code, kind] of Object.entries(CONNECTOR_CODES)) {
    const error = await failWith(400, { success: false, code, description: `text ${code}` });
    assert.equal(error.kind, kind, code);
    assert.equal(error.code, code);
    assert.equal(error.description, `text ${code}`);
    assert.equal(error.status, 400);
  }
});

test('a numeric code is read as its six digits', async () => {
  const error = await failWith(400, { success: false, code: 702001, description: 'No card' });
  assert.equal(error.kind, 'no-card');
  assert.equal(error.code, '702001');
});

test('an unknown six-digit code is kept with kind unknown', async () => {
  const error = await failWith(500, { success: false, code: '399999', description: 'new' });
  assert.equal(error.kind, 'unknown');
  assert.equal(error.code, '399999');
});

test('wrong PIN carries the tries left from the description or a field', async () => {
  const fromText = await failWith(400, { success: false, code: '108003', description: 'Wrong PIN, 2 tries left' });
  assert.ok(fromText instanceof PinIncorrectError);
  assert.equal(fromText.triesLeft, 2);
  const fromField = await failWith(400, { success: false, code: '108003', description: 'Wrong PIN', triesLeft: 1 });
  assert.ok(fromField instanceof PinIncorrectError);
  assert.equal(fromField.triesLeft, 1);
  const unknown = await failWith(400, { success: false, code: '108003', description: 'Wrong PIN' });
  assert.ok(unknown instanceof PinIncorrectError);
  assert.equal(unknown.triesLeft, undefined);
});

test('HTTP 401 is unauthorized whatever the body says', async () => {
  const error = await failWith(401, { success: false, code: '702001', description: 'whatever' });
  assert.equal(error.kind, 'unauthorized');
  assert.equal(error.code, '104025');
});

test('HTTP 404 without a body is not-found', async () => {
  const error = await failWith(404, undefined);
  assert.equal(error.kind, 'not-found');
  assert.equal(error.code, '112999');
});
