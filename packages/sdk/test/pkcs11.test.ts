import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '../src/index.js';
import { BASE, fakeConnector, signed, testDeviceKey, type Call, type Handler } from './helpers.js';

const PREFIX = '/v3/modules/pkcs11/apps/token';
const SLOT = '886909719';
const TOKEN = `${PREFIX}/readers/${SLOT}`;
const DIGEST = new Uint8Array(32).fill(9);

/** A connector answering every pkcs11 path of t1c-api.md §2.6 with `{echo: path}`, signed. */
async function pkcs11() {
  const key = await testDeviceKey();
  const routes: Record<string, Handler> = {};
  const echo: Handler = (call) => signed({ echo: call.url.pathname, method: call.init.method }, key);
  for (const path of ['config', 'config/reset', 'readers', 'reset-bulk-pin']) routes[`${PREFIX}/${path}`] = echo;
  for (const op of ['info', 'cert-list', 'authentication-cert', 'nonrepudiation-cert', 'sign', 'authenticate']) routes[`${TOKEN}/${op}`] = echo;
  routes[`${TOKEN}/supported-algorithms`] = () => signed({ ref: ['sha256'] }, key);
  routes[`${TOKEN}/verify-pin`] = () => signed({ verified: true }, key);
  routes[`${TOKEN}/validate`] = () => signed({ valid: true }, key);
  const connector = await fakeConnector(routes);
  const client = await connect({ fetch: connector.fetch, candidates: [BASE] });
  const last = (): Call => {
    const call = connector.calls.at(-1);
    assert.ok(call);
    return call;
  };
  return { module: client.pkcs11(), last, key };
}

test('config calls: GET and POST /config, PATCH /config/reset (t1c-api.md §2.6)', async () => {
  const { module, last } = await pkcs11();
  assert.deepEqual(await module.getConfig(), { echo: `${PREFIX}/config`, method: 'GET' });
  await module.setConfig({ linux: '/usr/lib/softhsm/libsofthsm2.so' });
  assert.equal(last().init.method, 'POST');
  assert.deepEqual(last().body, { linux: '/usr/lib/softhsm/libsofthsm2.so' });
  assert.deepEqual(await module.resetConfig(), { echo: `${PREFIX}/config/reset`, method: 'PATCH' });
});

test('slots are listed as readers, optionally only those with a token', async () => {
  const { module, last } = await pkcs11();
  await module.slots();
  assert.equal(last().url.pathname, `${PREFIX}/readers`);
  assert.equal(last().url.search, '');
  await module.slots({ tokenPresent: true });
  assert.equal(last().url.search, '?tokenPresent=true');
});

test('token calls GET the reader paths with the slot id', async () => {
  const { module } = await pkcs11();
  const token = module.token(Number(SLOT));
  for (const [call, op] of [[() => token.tokenInfo(), 'info'], [() => token.certificates(), 'cert-list'],
    [() => token.authenticationCertificate(), 'authentication-cert'], [() => token.nonRepudiationCertificate(), 'nonrepudiation-cert']] as const) {
    assert.deepEqual(await call(), { echo: `${TOKEN}/${op}`, method: 'GET' });
  }
  assert.deepEqual(await token.supportedAlgorithms(), ['sha256']);
});

test('sign lowercases the algorithm, sends the digest as base64 and the PIN encrypted; bulk adds ?bulk=true', async () => {
  const { module, last, key } = await pkcs11();
  const token = module.token(SLOT);
  await token.sign({ algorithm: 'SHA256', digest: DIGEST, pin: '4711', id: '02' });
  const body = last().body as Record<string, unknown>;
  assert.equal(last().url.pathname, `${TOKEN}/sign`);
  assert.equal(body.algorithm, 'sha256');
  assert.equal(body.data, Buffer.from(DIGEST).toString('base64'));
  assert.equal(body.id, '02');
  assert.match(await key.decrypt(String(body.pin)), /^T1C-PIN-1:\d+:4711$/);
  await token.signBulk({ algorithm: 'sha256', digest: DIGEST, pin: '4711' });
  assert.equal(last().url.search, '?bulk=true');
  await token.authenticate({ algorithm: 'sha256', digest: DIGEST, pin: '4711' });
  assert.equal(last().url.pathname, `${TOKEN}/authenticate`);
  assert.equal(await token.verifyPin({ pin: '4711' }), true);
  assert.equal(await token.validateSignature({ algorithm: 'SHA256', hash: 'AAAA', signedHash: 'BBBB' }), true);
  assert.deepEqual(last().body, { algorithm: 'sha256', hash: 'AAAA', signedHash: 'BBBB' });
  await module.resetBulkPin();
  assert.equal(last().url.pathname, `${PREFIX}/reset-bulk-pin`);
});
