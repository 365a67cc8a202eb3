import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, PIN_ENCRYPTION_HEADER, PIN_ENCRYPTION_OAEP, T1cError } from '../src/index.js';
import { BASE, fakeConnector, jsonResponse, recordingFetch, INFO, signed, testDeviceKey } from './helpers.js';

const RID = 'abc123';
const VERIFY = `/v3/modules/beid/apps/token/readers/${RID}/verify-pin`;

test('the PIN goes out RSA-OAEP/SHA-256 encrypted under the device key, with the scheme header', async () => {
  const key = await testDeviceKey();
  const { fetch, calls } = await fakeConnector({ [VERIFY]: () => signed({ verified: true }, key) });
  const client = await connect({ fetch, candidates: [BASE] });
  assert.equal(client.devicePublicKey, key.publicPem);
  assert.equal(await client.beid(RID).verifyPin({ pin: '1234' }), true);
  const call = calls.at(-1);
  assert.ok(call);
  assert.equal(call.init.method, 'POST');
  assert.equal(call.init.headers['Content-Type'], 'application/json');
  assert.equal(call.init.headers[PIN_ENCRYPTION_HEADER], PIN_ENCRYPTION_OAEP);
  assert.equal(PIN_ENCRYPTION_HEADER.toLowerCase(), 'x-t1c-pin-encryption');
  assert.equal(PIN_ENCRYPTION_OAEP, 'RSA-OAEP-256');
  const body = call.body as { pin: string; base64Encoded: boolean };
  assert.notEqual(body.pin, '1234');
  assert.equal(Buffer.from(body.pin, 'base64').length, 256);
  const plain = await key.decrypt(body.pin);
  const match = /^T1C-PIN-1:(\d+):(\d+)$/.exec(plain);
  assert.ok(match, 'the plaintext is T1C-PIN-1:<ms>:<digits>');
  assert.equal(match[2], '1234');
  assert.ok(Math.abs(Number(match[1]) - Date.now()) < 60_000, 'stamped with the current time');
  assert.equal(body.base64Encoded, true);
});

test('two encryptions of one PIN differ (OAEP is randomised) and both decrypt', async () => {
  const key = await testDeviceKey();
  const { fetch, calls } = await fakeConnector({ [VERIFY]: () => signed({ verified: true }, key) });
  const beid = (await connect({ fetch, candidates: [BASE] })).beid(RID);
  await beid.verifyPin({ pin: '987654' });
  await beid.verifyPin({ pin: '987654' });
  const [a, b] = calls.slice(-2).map((c) => (c.body as { pin: string }).pin);
  assert.ok(a && b);
  assert.notEqual(a, b);
  assert.match(await key.decrypt(a), /^T1C-PIN-1:\d+:987654$/);
  assert.match(await key.decrypt(b), /^T1C-PIN-1:\d+:987654$/);
});

test('osDialog without a PIN sends no pin field and no scheme header', async () => {
  const key = await testDeviceKey();
  const { fetch, calls } = await fakeConnector({ [VERIFY]: () => signed({ verified: true }, key) });
  await (await connect({ fetch, candidates: [BASE] })).beid(RID).verifyPin({ osDialog: true, timeout: 30 });
  const call = calls.at(-1);
  assert.deepEqual(call?.body, { osDialog: true, base64Encoded: true, timeout: 30 });
  assert.equal(call?.init.headers[PIN_ENCRYPTION_HEADER], undefined);
});

test('a PIN that is not 4-12 digits is refused before anything is sent', async () => {
  const key = await testDeviceKey();
  const { fetch, calls } = await fakeConnector({ [VERIFY]: () => signed({ verified: true }, key) });
  const beid = (await connect({ fetch, candidates: [BASE] })).beid(RID);
  const before = calls.length;
  for (const pin of ['12', '12a4', '1234567890123', ' 1234']) {
    await assert.rejects(beid.verifyPin({ pin }), (e: unknown) => e instanceof T1cError && e.kind === 'invalid-input' && e.code === '108002');
  }
  assert.equal(calls.length, before);
});

function keyless() {
  return recordingFetch((call) => {
    if (call.url.pathname === '/info') return jsonResponse(200, INFO);
    if (call.url.pathname === '/device-key') return jsonResponse(404, { success: false, code: '112999', description: 'Functionality not found' });
    return signed({ verified: true });
  });
}

test('without a device key the PIN is not sent unless plainPinFallback is set', async () => {
  const strict = keyless();
  const client = await connect({ fetch: strict.fetch, candidates: [BASE] });
  await assert.rejects(client.beid(RID).verifyPin({ pin: '1234' }), (e: unknown) => e instanceof T1cError && e.kind === 'pin-encryption-failed' && e.code === '901006');
  assert.equal(strict.calls.some((c) => c.url.pathname.endsWith('/verify-pin')), false);

  const lax = keyless();
  const fallback = await connect({ fetch: lax.fetch, candidates: [BASE], plainPinFallback: true });
  assert.equal(await fallback.beid(RID).verifyPin({ pin: '1234' }), true);
  const call = lax.calls.at(-1);
  assert.equal((call?.body as { pin: string }).pin, '1234');
  assert.equal(call?.init.headers[PIN_ENCRYPTION_HEADER], undefined);
});

test('a device key that is not an RSA key leaves the client keyless', async () => {
  const { fetch } = recordingFetch((call) => (call.url.pathname === '/info' ? jsonResponse(200, INFO) : signed('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')));
  const client = await connect({ fetch, candidates: [BASE] });
  assert.equal(client.devicePublicKey, undefined);
});
