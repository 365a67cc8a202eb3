import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '../src/index.js';
import { BASE, fakeConnector, signed, testDeviceKey, type Call, type Handler } from './helpers.js';

const RID = 'f00d~1.a';
const AID = 'A0000000043060';
const PREFIX = '/v3/modules/emv/apps/payment';

/** A connector that answers every emv path with `{echo: path}`, signed (unit level; the connector e2e test drives a real card). */
async function emv() {
  const key = await testDeviceKey();
  const routes: Record<string, Handler> = {};
  for (const op of ['data', 'application-data', 'verify-pin']) {
    routes[`${PREFIX}/readers/${RID}/${op}`] = (call) => signed(op === 'verify-pin' ? { verified: true } : { echo: call.url.pathname }, key);
  }
  for (const op of ['cert-list', 'issuer-cert', 'icc-cert']) {
    routes[`${PREFIX}/${AID}/readers/${RID}/${op}`] = (call) => signed({ echo: call.url.pathname }, key);
  }
  const connector = await fakeConnector(routes);
  const client = await connect({ fetch: connector.fetch, candidates: [BASE] });
  const last = (): Call => {
    const call = connector.calls.at(-1);
    assert.ok(call);
    return call;
  };
  return { card: client.emv(RID), last, key };
}

test('data calls GET …/payment/readers/{rid}/{op}; certificate calls put the AID before /readers (t1c-api.md §2.7)', async () => {
  const { card, last } = await emv();
  assert.deepEqual(await card.data(), { echo: `${PREFIX}/readers/${RID}/data` });
  assert.deepEqual(await card.applicationData(), { echo: `${PREFIX}/readers/${RID}/application-data` });
  assert.deepEqual(await card.issuerCertificate(AID), { echo: `${PREFIX}/${AID}/readers/${RID}/issuer-cert` });
  assert.deepEqual(await card.iccCertificate(AID), { echo: `${PREFIX}/${AID}/readers/${RID}/icc-cert` });
  assert.deepEqual(await card.certificates(AID), { echo: `${PREFIX}/${AID}/readers/${RID}/cert-list` });
  assert.equal(last().url.search, '');
  assert.equal(last().init.method, 'GET');
  await card.certificates(AID, ['ICCPublicCertificate']);
  assert.equal(last().url.searchParams.get('filter'), 'ICCPublicCertificate');
});

test('{recover: true} asks for the recovered key (recover=true); without it nothing is added', async () => {
  const { card, last } = await emv();
  await card.issuerCertificate(AID, { recover: true });
  assert.equal(last().url.search, '?recover=true');
  await card.iccCertificate(AID, { recover: true });
  assert.equal(last().url.pathname, `${PREFIX}/${AID}/readers/${RID}/icc-cert`);
  assert.equal(last().url.search, '?recover=true');
  await card.certificates(AID, ['issuerPublicCertificate'], { recover: true });
  assert.equal(last().url.searchParams.get('filter'), 'issuerPublicCertificate');
  assert.equal(last().url.searchParams.get('recover'), 'true');
  await card.iccCertificate(AID, { recover: false });
  assert.equal(last().url.search, '');
});

test('verifyPin posts the encrypted PIN with base64Encoded and resolves with verified', async () => {
  const { card, last, key } = await emv();
  assert.equal(await card.verifyPin({ pin: '1234' }), true);
  assert.equal(last().url.pathname, `${PREFIX}/readers/${RID}/verify-pin`);
  assert.equal(last().init.method, 'POST');
  const body = last().body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['base64Encoded', 'pin']);
  assert.match(await key.decrypt(String(body.pin)), /^T1C-PIN-1:\d+:1234$/);
});
