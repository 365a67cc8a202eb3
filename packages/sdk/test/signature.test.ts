import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { test } from 'node:test';
import { connect, T1cError } from '../src/index.js';
import { BASE, fakeConnector, INFO, jsonResponse, recordingFetch, signed, testDeviceKey } from './helpers.js';

const READERS = [{ id: 'r1', name: 'Reader ü "1"', pinpad: false, card: { atr: '3B98', description: ['Belgium Electronic ID card'], modules: ['beid'] } }];

test('a correctly signed answer is accepted', async () => {
  const key = await testDeviceKey();
  const { fetch } = await fakeConnector({ '/v3/readers': () => signed(READERS, key) });
  const client = await connect({ fetch, candidates: [BASE] });
  assert.deepEqual(await client.readers(), READERS);
});

test('tampered data is a signature-mismatch error', async () => {
  const key = await testDeviceKey();
  const signature = await key.sign(READERS);
  const tampered = [{ ...READERS[0], name: 'Evil reader' }];
  const { fetch } = await fakeConnector({ '/v3/readers': () => jsonResponse(200, { success: true, data: tampered, signature }) });
  const client = await connect({ fetch, candidates: [BASE] });
  await assert.rejects(client.readers(), (e: unknown) => e instanceof T1cError && e.kind === 'signature-mismatch' && e.code === '904300');
});

test('a garbled signature is a signature-mismatch error', async () => {
  const key = await testDeviceKey();
  const good = await key.sign(READERS);
  const flipped = `${good.slice(0, 10)}${good[10] === 'A' ? 'B' : 'A'}${good.slice(11)}`;
  for (const signature of [flipped, 'not base64!', 'AAAA']) {
    const { fetch } = await fakeConnector({ '/v3/readers': () => jsonResponse(200, { success: true, data: READERS, signature }) });
    const client = await connect({ fetch, candidates: [BASE] });
    await assert.rejects(client.readers(), (e: unknown) => e instanceof T1cError && e.kind === 'signature-mismatch', signature);
  }
});

test('unsigned answers pass by default and fail when signatures are required', async () => {
  const { fetch } = await fakeConnector({ '/v3/readers': () => signed(READERS) });
  assert.deepEqual(await (await connect({ fetch, candidates: [BASE] })).readers(), READERS);
  const strict = await connect({ fetch, candidates: [BASE], verifySignatures: 'required' });
  await assert.rejects(strict.readers(), (e: unknown) => e instanceof T1cError && e.kind === 'signature-mismatch');
});

test('verifySignatures false skips the check', async () => {
  const { fetch } = await fakeConnector({ '/v3/readers': () => jsonResponse(200, { success: true, data: READERS, signature: 'AAAA' }) });
  const client = await connect({ fetch, candidates: [BASE], verifySignatures: false });
  assert.deepEqual(await client.readers(), READERS);
});

test('a PKCS#1 "RSA PUBLIC KEY" device key is accepted too', async () => {
  const key = await testDeviceKey();
  const pkcs1 = createPublicKey(key.publicPem).export({ type: 'pkcs1', format: 'pem' }).toString();
  const { fetch, calls } = recordingFetch((call) => {
    if (call.url.pathname === '/info') return jsonResponse(200, INFO);
    if (call.url.pathname === '/device-key') return signed(pkcs1);
    return signed({ verified: true }, key);
  });
  const client = await connect({ fetch, candidates: [BASE] });
  assert.equal(client.devicePublicKey, pkcs1);
  await client.beid('r1').verifyPin({ pin: '4321' });
  assert.match(await key.decrypt((calls.at(-1)?.body as { pin: string }).pin), /^T1C-PIN-1:\d+:4321$/);
});
